"""Invariants that guard the published data (not hard-coded counts)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import urlparse

import pandas as pd
import pytest

import timeline
from tests.conftest import REPO


@pytest.fixture(scope="module")
def t() -> dict[str, pd.DataFrame]:
    return timeline.load(path=REPO)


def test_scale_of_the_dataset(t):
    assert len(t["events"]) >= 151
    assert len(t["sources"]) >= 250
    assert len(t["estimates"]) >= 80


def test_every_event_is_cited(t):
    assert set(t["events"]["event_id"]) <= set(t["citations"]["event_id"])


def test_every_estimate_has_estimator_unit_and_as_of(t):
    est = t["estimates"]
    assert est[["estimator_id", "unit", "as_of", "measure"]].notna().all().all()
    assert est[["low", "best", "high"]].notna().any(axis=1).all()
    ordered = est.dropna(subset=["low", "high"])
    assert (ordered["low"] <= ordered["high"]).all()
    assert set(est["estimator_id"]) <= set(t["actors"]["actor_id"])


def test_no_date_after_today(t):
    today = pd.Timestamp(dt.date.today())
    for name, frame in t.items():
        for col in frame.columns:
            if str(frame[col].dtype).startswith("datetime64"):
                assert (frame[col].dropna() <= today).all(), f"{name}.{col}"


def test_source_urls_have_scheme_and_host(t):
    for url in t["sources"]["url"]:
        parts = urlparse(url)
        assert parts.scheme in {"http", "https"} and parts.netloc and " " not in url, url


def test_no_orphans(t):
    used_actors = set(t["participants"]["actor_id"]) | set(t["estimates"]["estimator_id"]) | set(
        t["treaty_parties"]["actor_id"])
    assert set(t["actors"]["actor_id"]) == used_actors
    assert set(t["sources"]["source_id"]) == set(t["citations"]["source_id"])
    assert set(t["treaties"]["treaty_id"]) <= set(t["events"]["treaty_id"].dropna())


def test_text_is_clean(t):
    bad = re.compile(r"[\x00-\x1f\x7f-\x9f]|^\s|\s$|\S  +\S")
    for name, frame in t.items():
        for col in frame.columns:
            if isinstance(frame[col].dtype, pd.StringDtype):
                for value in frame[col].dropna():
                    assert not bad.search(value), f"{name}.{col}: {value!r}"
                    assert unicodedata.is_normalized("NFC", value), f"{name}.{col}: {value!r}"


def test_one_row_per_actor_name(t):
    names = t["actors"]["name"].str.lower().str.replace(r"[^a-z0-9]", "", regex=True)
    assert not names.duplicated().any()


def test_treaty_milestones_are_linked(t):
    ev = t["events"]
    milestones = ev[ev["treaty_id"] == "tcsp-2024"].sort_values("date_start")
    kinds = set(milestones["event_type"])
    assert {"treaty_signing", "treaty_ratification", "treaty_entry_into_force"} <= kinds
    assert (milestones["event_type"] == "treaty_ratification").sum() >= 4
    obligations = t["treaty_obligations"]
    assert (obligations["obligation_type"] == "defense").any()


def test_month_precision_windows(t):
    ev = t["events"]
    month = ev[ev["date_precision"] == "month"]
    assert (month["date_start"].dt.day == 1).all()
    assert month["date_end"].dt.is_month_end.all()


def test_estimate_series_filter_without_string_matching(t):
    est = t["estimates"]
    killed = est[(est["measure"] == "killed") & (est["estimator_id"] == "rok-nis")].sort_values("as_of")
    assert len(killed) >= 4
    # the NIS count of the dead only ever rose: at least 100, then 300, 600, about 2,000
    figures = killed["best"].fillna(killed["low"]).astype(int).tolist()
    assert figures == sorted(figures) and figures[-1] == 2000
    assert {"killed", "casualties", "killed_and_wounded", "troops_deployed"} <= set(est["measure"].astype(str))
