"""Confidence, rule version 2: distinct originating agencies, and state media only for their own state."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from timeline.assemble import expected_derived
from timeline.tables import TABLES


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    columns = {f.name: [r.get(f.name) for r in rows] for f in TABLES[name].fields}
    types = {"date": pa.date32(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}
    arrays = {k: pa.array(v, types.get(TABLES[name].field(k).type, pa.string())) for k, v in columns.items()}
    return pa.table(arrays).to_pandas(types_mapper=pd.ArrowDtype)


def grade(sources: list[dict], countries: tuple[str, ...] = ("RUS",)) -> str:
    """The grade of one event whose participants are states of ``countries``, citing ``sources``."""
    actors = [{"actor_id": c.lower(), "country": c, "actor_type": "state"} for c in countries]
    frames = {name: _frame(name, []) for name in TABLES}
    frames["events"] = _frame("events", [{"event_id": "2024-01-01-x", "event_type": "meeting"}])
    frames["actors"] = _frame("actors", actors)
    frames["participants"] = _frame("participants", [{"event_id": "2024-01-01-x", "actor_id": a["actor_id"]}
                                                     for a in actors])
    frames["sources"] = _frame("sources", [{"source_id": f"src-{i:012x}", **s} for i, s in enumerate(sources)])
    frames["citations"] = _frame("citations", [{"event_id": "2024-01-01-x", "source_id": f"src-{i:012x}"}
                                               for i in range(len(sources))])
    return str(expected_derived(frames)["confidence"][0])


WIRE = {"publisher": "Reuters", "kind": "wire"}
PAPER = {"publisher": "The Daily", "kind": "newspaper"}
TASS = {"publisher": "TASS", "kind": "state_media", "country": "RUS"}
MEHR_AP = {"publisher": "Mehr News", "agency": "AP", "kind": "state_media", "country": "IRN"}
PAPER_AP = {"publisher": "Dayton Daily News", "agency": "AP", "kind": "newspaper"}


@pytest.mark.parametrize(("sources", "want"), [
    ([WIRE, PAPER], "high"),
    ([WIRE], "medium"),
    ([PAPER, {"publisher": "Other Daily", "kind": "news_site"}], "medium"),
    ([PAPER], "low"),
    # two reprints of one AP story are one originating agency, and third-country state media is not strong
    ([MEHR_AP, PAPER_AP], "low"),
    # the state media of a state taking part in the event is strong
    ([TASS, PAPER], "high"),
    ([TASS], "medium"),
    # an aggregator that names no agency originates nothing
    ([{"publisher": "MENAFN", "kind": "aggregator"}, PAPER], "low"),
    ([{"publisher": "MENAFN", "kind": "aggregator", "agency": "Yonhap"}, PAPER], "medium"),
    ([], "low"),
])
def test_grades(sources, want):
    assert grade(sources) == want


def test_state_media_of_a_state_outside_the_event_is_not_strong():
    assert grade([TASS, PAPER], countries=("KOR",)) == "medium"
