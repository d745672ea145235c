"""The research model of release 2.0.0: places from the gazetteer, a source for every figure, the
treaty article by article, confidence counting originating agencies, and as-of queries."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import timeline
from tests.conftest import REPO
from tests.test_validate import _rewrite
from timeline.gazetteer import lookup
from timeline.validate import validate_package


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    return timeline.load(path=REPO)


def test_a_forged_coordinate_is_out_of_range_and_not_the_gazetteers(built_mini: Path):
    def move(table: pa.Table) -> pa.Table:
        i = table.schema.get_field_index("latitude")
        values = table.column("latitude").to_pylist()
        values[0] = 120.0
        return table.set_column(i, table.schema.field(i), pa.array(values, pa.float64()))

    _rewrite(built_mini, "places", move)
    found = {(p.file, p.field, p.rule) for p in validate_package(built_mini)}
    assert ("data/places.parquet", "latitude", "maximum") in found
    assert ("data/places.parquet", "latitude", "derived") in found


def test_every_place_has_the_gazetteers_coordinates(real):
    places = real["places"]
    assert len(places) >= 40
    for row in places.itertuples(index=False):
        entry = lookup(int(row.geonameid))
        assert entry is not None, row.place_id
        assert (row.latitude, row.longitude, row.country) == (entry.latitude, entry.longitude, entry.country)


def test_every_active_figure_names_a_source_its_event_cites(real):
    es, links, cit = real["estimates"], real["estimate_sources"], real["citations"]
    active = es[es["status"] == "active"]
    cited = set(zip(cit["event_id"], cit["source_id"], strict=True))
    event_of = dict(zip(es["estimate_id"], es["event_id"], strict=True))
    assert set(active["estimate_id"]) <= set(links["estimate_id"])
    for estimate, source in zip(links["estimate_id"], links["source_id"], strict=True):
        assert (event_of[estimate], source) in cited


def test_the_treaty_is_recorded_article_by_article(real):
    ob = real["treaty_obligations"]
    tcsp = ob[ob["treaty_id"] == "tcsp-2024"]
    articles = set(tcsp["article"].dropna())
    assert {"Article 3", "Article 4", "Article 5", "Article 6", "Article 8", "Article 16", "Article 22"} <= articles
    assert tcsp["article"].isna().sum() >= 1  # provisions whose number no page gives
    obs = real["obligation_sources"]
    assert set(zip(tcsp["treaty_id"], tcsp["obligation_id"], strict=True)) <= set(
        zip(obs["treaty_id"], obs["obligation_id"], strict=True))


def test_the_dataset_as_known_on_a_date_holds_only_what_was_published_by_then(real):
    before = timeline.as_known_on("2024-06-30", real)
    sources = before["sources"]
    assert len(before["events"]) < len(real["events"])
    assert (pd.to_datetime(sources["date_published"]) <= pd.Timestamp("2024-06-30")).all()
    assert "2024-06-19-treaty-signed" in set(before["events"]["event_id"])
    assert "2024-10-24-duma-ratifies-treaty" not in set(before["events"]["event_id"])
    assert set(before["estimates"]["estimate_id"]) <= set(before["estimate_sources"]["estimate_id"])


def test_latest_estimates_take_each_estimators_newest_figure(real):
    latest = timeline.latest_estimates("2025-06-30", real, measure="killed")
    assert not latest.duplicated(["measure", "estimator_id"]).any()
    assert (latest["as_of"] <= pd.Timestamp("2025-06-30")).all()
    nis = latest[latest["estimator_id"] == "rok-nis"]
    assert list(nis["best"]) == [600]  # about 600 dead (April 2025); the 2,000 of September comes later
    assert list(timeline.latest_estimates("2025-12-31", real, measure="killed").query(
        "estimator_id == 'rok-nis'")["best"]) == [2000]


def test_a_series_is_tidy_and_keeps_precision(real):
    s = timeline.series("killed", real)
    assert str(s["as_of"].dtype).startswith("datetime64")
    assert s["as_of"].is_monotonic_increasing
    assert set(s["as_of_precision"].astype(str)) <= {"day", "month", "year"}
    assert {"low", "best", "high", "estimator", "counts"} <= set(s.columns)


def test_a_look_up_by_the_index_is_the_entry_of_the_whole_gazetteer():
    from timeline import gazetteer

    gazetteer.entries.cache_clear()
    gazetteer._one.cache_clear()
    text, offsets = gazetteer._offsets()
    assert len(offsets) > 20_000
    by_index = {gid: gazetteer.lookup(gid) for gid in offsets}
    assert gazetteer.entries.cache_info().currsize == 0  # no look-up needed the whole file
    assert {gid: e for gid, e in by_index.items() if e is not None} == gazetteer.entries()
    assert gazetteer.lookup(1) is None and gazetteer.lookup(True) is None and gazetteer.lookup("2643743") is None
