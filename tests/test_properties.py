"""Property tests (hypothesis).

1. Randomly generated valid records, written as YAML the way the toolchain writes it, build and
   load back unchanged: every text (any Unicode in NFC), date, count and code.
2. Changing one field of a valid record to any value (or removing it, or adding an unknown one)
   either keeps it valid or gives clean problems: never an unhandled exception.
3. Random edits of a record file's text (inserting, deleting or replacing characters) likewise.
4. Any text written by ``dump_yaml`` reads back identical (``08`` stays text, NEL is not folded).

Examples per run are kept modest so the suite stays fast on two cores: see SETTINGS below.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import timeline
from tests.conftest import MINI
from timeline import vocab
from timeline.build import build
from timeline.problems import Problem
from timeline.schemas import INVISIBLE
from timeline.validate import validate_records
from timeline.yamlio import dump_yaml, read_yaml

TODAY = dt.date(2026, 1, 1)
SETTINGS = {"deadline": None, "database": None, "suppress_health_check": [HealthCheck.too_slow]}
ROUND_TRIP_EXAMPLES = 25
FIELD_MUTATION_EXAMPLES = 50
TEXT_EDIT_EXAMPLES = 40
DUMP_EXAMPLES = 300
MEETING = "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"
ESTIMATES = "data/records/events/2025/2025-09-02-nis-2000-killed-third-deployment-6000.yaml"
ACTORS = [a["id"] for a in yaml.safe_load((MINI / "data/records/actors.yaml").read_text())]
PLACES = [p["id"] for p in yaml.safe_load((MINI / "data/records/places.yaml").read_text())]
COUNTRIES = ["RUS", "PRK", "KOR", "IRN", "TUR", "CHN"]
LANGUAGES = ["en", "ru", "ko", "uk", "ja", "zh", "fr", "de", "ar", "fa"]  # ISO 639-1


# ---------------------------------------------------------------- valid records


def _clean(text: str) -> bool:
    """The text rules: no surrounding whitespace of any kind, no repeated spaces, no invisible
    characters (control characters are not generated)."""
    return (bool(text) and not text[0].isspace() and not text[-1].isspace() and "  " not in text
            and not re.search(f"[{INVISIBLE}]", text))


def texts(max_size: int) -> st.SearchStrategy[str]:
    chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
    return (st.text(chars, min_size=1, max_size=max_size)
            .map(lambda s: unicodedata.normalize("NFC", s)).filter(lambda s: _clean(s) and len(s) <= max_size))


slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,6}){0,2}", fullmatch=True)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
counts = st.integers(min_value=0, max_value=2**63 - 1)


@st.composite
def windows(draw) -> dict:
    """date_start/date_end/date_precision that agree with each other."""
    precision = draw(st.sampled_from(sorted(vocab.DATE_PRECISIONS)))
    start = draw(dates)
    if precision == "day":
        end = draw(st.none() | st.dates(min_value=start, max_value=TODAY))
        return {"date_start": start, "date_end": end, "date_precision": precision}
    if precision == "month":
        start = start.replace(day=1)
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = min(following - dt.timedelta(days=1), TODAY)
        if end != following - dt.timedelta(days=1):  # the current month has not ended
            start, end = dt.date(2000, 1, 1), dt.date(2000, 1, 31)
        return {"date_start": start, "date_end": end, "date_precision": precision}
    year = min(start.year, TODAY.year - 1)
    return {"date_start": dt.date(year, 1, 1), "date_end": dt.date(year, 12, 31), "date_precision": precision}


@st.composite
def estimates(draw, event_id: str, n: int, urls: list[str], estimators: list[str]) -> dict:
    measure = draw(st.sampled_from(sorted(vocab.MEASURES)))
    share = vocab.MEASURES[measure][1] == "percent"  # a share lies within 0-100
    bounds = sorted(draw(st.lists(st.integers(0, 100) if share else counts, min_size=3, max_size=3)))
    keep = draw(st.lists(st.booleans(), min_size=3, max_size=3).filter(any))
    out = {"id": f"{event_id}-e{n}", "measure": measure}
    out.update({k: v for k, v, kept in zip(("low", "best", "high"), bounds, keep, strict=True) if kept})
    out.update({"unit": vocab.MEASURES[measure][1], "as_of": draw(dates).isoformat(), "as_of_precision": "day",
                "estimator": draw(st.sampled_from(estimators))})  # one of the event's participants
    out["counts"] = draw(st.sampled_from(sorted(vocab.ESTIMATE_COUNTS)))
    if out["counts"] == "period":
        window = sorted(draw(st.lists(dates, min_size=2, max_size=2)))
        out["period_start"], out["period_end"] = (d.isoformat() for d in window)
    if draw(st.booleans()):
        out["derived"] = True
        out["derivation"] = draw(texts(300))
    for key, size in (("scope", 300), ("basis", 300), ("note", 500)):
        if draw(st.booleans()):
            out[key] = draw(texts(size))
    chosen = draw(st.lists(st.sampled_from(urls), min_size=1, max_size=len(urls), unique=True))
    out["sources"] = [{"url": u, "attribution": draw(st.sampled_from(sorted(vocab.ATTRIBUTIONS)))} for u in chosen]
    return out


@st.composite
def events(draw) -> dict:
    window = draw(windows())
    event_id = f"{window['date_start'].isoformat()}-{draw(slugs)}"
    record = {"id": event_id, "type": draw(st.sampled_from(sorted(vocab.EVENT_TYPES))),
              "title": draw(texts(120)), "summary": draw(texts(2000)),
              "date_start": window["date_start"].isoformat()}
    if window["date_end"]:
        record["date_end"] = window["date_end"].isoformat()
    record["date_precision"] = window["date_precision"]
    if draw(st.booleans()):
        record["date_announced"] = draw(st.dates(min_value=window["date_start"], max_value=TODAY)).isoformat()
    if vocab.EVENT_TYPES[record["type"]].plover is None:
        record["plover"] = draw(st.sampled_from(sorted(vocab.PLOVER_CATEGORIES)))
    if draw(st.booleans()):
        record["place"] = draw(st.sampled_from(PLACES))
    record["status"] = draw(st.sampled_from(["active", "retracted"]))
    if record["status"] == "retracted":
        record["retraction_reason"] = draw(texts(2000))
    if draw(st.booleans()):
        record["notes"] = draw(texts(2000))
    pairs = draw(st.lists(st.tuples(st.sampled_from(ACTORS), st.sampled_from(sorted(vocab.ROLES))),
                          min_size=1, max_size=3, unique=True))
    record["participants"] = [{"actor": a, "role": r} for a, r in pairs]
    citations = []
    for i in range(draw(st.integers(1, 2))):
        citation = {"url": f"https://example.org/{event_id}/{i}/{draw(slugs)}", "publisher": draw(texts(200))}
        if draw(st.booleans()):
            citation["published"] = draw(dates).isoformat()
            citation["published_precision"] = "day"
        citation.update({"language": draw(st.sampled_from(LANGUAGES)),
                         "kind": draw(st.sampled_from(sorted(vocab.SOURCE_KINDS)))})
        if citation["kind"] == "state_media":
            citation["country"] = draw(st.sampled_from(COUNTRIES))
        citation["claim"] = draw(texts(400))
        citations.append(citation)
    n = draw(st.integers(0, 2))
    if n:
        urls = [c["url"] for c in citations]
        record["estimates"] = [draw(estimates(event_id, i + 1, urls, [a for a, _ in pairs])) for i in range(n)]
    record["citations"] = citations
    return record


def _cell(value):
    """A loaded cell as a plain Python value: dates as dates, missing (None, NA, NaT) as None."""
    import pandas as pd

    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def _rows(frame, key: str) -> dict:
    return {row[key]: {k: _cell(v) for k, v in row.items()} for row in frame.astype(object).to_dict("records")}


def _with_records(tmp: Path, records: list[dict]) -> Path:
    """A copy of the mini fixture with ``records`` written as event files."""
    root = tmp / "repo"
    shutil.copytree(MINI, root)
    for record in records:
        path = root / "data/records/events" / record["id"][:4] / f"{record['id']}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_yaml(record), encoding="utf-8")
    return root


@settings(max_examples=ROUND_TRIP_EXAMPLES, **SETTINGS)
@given(st.lists(events(), min_size=1, max_size=3, unique_by=lambda e: e["id"]))
def test_valid_records_round_trip_through_build_and_load(records: list[dict]):
    with tempfile.TemporaryDirectory() as tmp:
        root = _with_records(Path(tmp), records)
        build(root, today=TODAY)
        tables = timeline.load(path=root)
    ev = _rows(tables["events"], "event_id")
    es = _rows(tables["estimates"], "estimate_id")
    sources = _rows(tables["sources"], "url")
    cited = {(r["event_id"], r["source_id"]): r["claim"] for r in tables["citations"].astype(object).to_dict("records")}
    parts = {(r["event_id"], r["actor_id"], r["role"]) for r in tables["participants"].astype(object)
             .to_dict("records")}
    links = tables["estimate_sources"].astype(object).to_dict("records")
    for record in records:
        row = ev[record["id"]]
        assert row["event_type"] == record["type"] and row["status"] == record["status"]
        for key in ("title", "summary", "date_precision", "retraction_reason", "notes"):
            assert row[key] == record.get(key), key
        for key in ("date_start", "date_end", "date_announced"):
            assert row[key] == (dt.date.fromisoformat(record[key]) if key in record else None), key
        assert row["place_id"] == record.get("place")
        if "plover" in record:
            assert row["plover_category"] == record["plover"]
        assert {(record["id"], p["actor"], p["role"]) for p in record["participants"]} <= parts
        for estimate in record.get("estimates", []):
            got = es[estimate["id"]]
            for key in ("low", "best", "high", "counts", "scope", "basis", "note", "derivation"):
                assert got[key] == estimate.get(key), key
            assert got["derived"] is estimate.get("derived", False)
            for key in ("period_start", "period_end"):
                assert got[key] == (dt.date.fromisoformat(estimate[key]) if key in estimate else None), key
            stated = {(estimate["id"], sources[s["url"]]["source_id"], s["attribution"]) for s in estimate["sources"]}
            assert stated == {(r["estimate_id"], r["source_id"], r["attribution"])
                              for r in links if r["estimate_id"] == estimate["id"]}
            assert (got["measure"], got["unit"], got["estimator_id"], got["as_of"]) == (
                estimate["measure"], estimate["unit"], estimate["estimator"], dt.date.fromisoformat(estimate["as_of"]))
        for citation in record["citations"]:
            source = sources[citation["url"]]
            assert (source["publisher"], source["language"], source["kind"]) == (
                citation["publisher"], citation["language"], citation["kind"])
            published = citation.get("published")
            assert source["date_published"] == (dt.date.fromisoformat(published) if published else None)
            assert cited[(record["id"], source["source_id"])] == citation["claim"]


# ---------------------------------------------------------------- mutations


FIELD_NAMES = ["id", "type", "title", "summary", "date_start", "date_end", "date_precision", "status",
               "place", "participants", "estimates", "citations", "treaty", "url", "best", "low", "high",
               "actor", "role", "measure", "unit", "as_of", "published", "kind", "language", "claim"]
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | dates.map(dt.date.isoformat) | st.sampled_from(["2024-02-30", "0800", "08", "yes", "", " x ", "a  b",
                                                              "javascript:alert(1)", "ftp://x.org/a",
                                                              "e\u0301", "x" * 3000, "tcsp-2024", "russia"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=3),
                      max_leaves=8)


def _paths(doc, prefix=()):
    """Every place in a record a value sits: ('title',), ('citations', 0, 'url'), ..."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield (*prefix, i)
            yield from _paths(value, (*prefix, i))


LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _assert_clean(problems: list) -> None:
    """Problems, each one line of text a UTF-8 terminal can print."""
    for problem in problems:
        assert isinstance(problem, Problem)
        line = str(problem)
        assert not LINE_BREAKING.search(line), line
        line.encode("utf-8")


def _validate_one(rel: str, text: bytes) -> list[Problem]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(MINI, root)
        (root / rel).write_bytes(text)
        return validate_records(root, TODAY)


@settings(max_examples=FIELD_MUTATION_EXAMPLES, **SETTINGS)
@given(st.sampled_from([MEETING, ESTIMATES]), st.data())
def test_one_changed_field_stays_valid_or_fails_cleanly(rel: str, data: st.DataObject):
    doc = yaml.safe_load((MINI / rel).read_text())
    path = data.draw(st.sampled_from(list(_paths(doc))))
    *parent_path, last = path
    parent = doc
    for step in parent_path:
        parent = parent[step]
    action = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if action == "remove":
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=12))] = data.draw(values)
    else:
        parent[last] = data.draw(values)
    _assert_clean(_validate_one(rel, dump_yaml(doc).encode("utf-8")))


edits = st.lists(st.tuples(st.sampled_from(["insert", "delete", "replace"]), st.floats(0, 1),
                           st.text(min_size=1, max_size=3) | st.sampled_from(["\t", ":", "- ", "'", '"', "[", "{",
                                                                              "*a", "&a", "!!", "\n", "#", "\ufeff"])),
                 min_size=1, max_size=4)


@settings(max_examples=TEXT_EDIT_EXAMPLES, **SETTINGS)
@given(st.sampled_from([MEETING, ESTIMATES, "data/records/actors.yaml", "data/records/treaties.yaml",
                        "data/records/package.yaml"]), edits)
def test_random_edits_of_a_record_file_fail_cleanly(rel: str, changes: list):
    text = (MINI / rel).read_text()
    for action, where, piece in changes:
        i = int(where * len(text))
        if action == "insert":
            text = text[:i] + piece + text[i:]
        elif action == "delete":
            text = text[:i] + text[i + len(piece):]
        else:
            text = text[:i] + piece + text[i + len(piece):]
    _assert_clean(_validate_one(rel, text.encode("utf-8", "surrogatepass")))


@settings(max_examples=DUMP_EXAMPLES, **SETTINGS)
@given(st.text(st.characters(codec="utf-8")), st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False))
@example("08", 0)  # YAML 1.1 reads a leading 0 as octal: our loader reads decimals, our dumper quotes
@example("0009", None)
@example("\x85", 1)  # NEL: PyYAML folds it to a space unless double-quoted
@example("\u2028 *a !b", True)
def test_any_text_survives_dump_and_read(text: str, other):
    doc = {"title": text, "n": other, "items": [text, {"claim": text}]}
    assert read_yaml("x.yaml", dump_yaml(doc).encode("utf-8")) == (doc, [])


@settings(max_examples=10, **SETTINGS)
@given(st.lists(events(), min_size=1, max_size=3, unique_by=lambda e: e["id"]))
def test_whatever_build_accepts_validate_package_accepts(records: list[dict]):
    """The build checks exactly what it writes: a package it wrote passes the package rules."""
    from timeline.validate import validate_package

    with tempfile.TemporaryDirectory() as tmp:
        root = _with_records(Path(tmp), records)
        build(root, today=TODAY)
        assert validate_package(root, today=TODAY) == []
