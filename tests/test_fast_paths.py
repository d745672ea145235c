"""The fast paths give exactly what the reference implementations give.

- column rules in pyarrow.compute (``arrowops``) == the generated pandera schema;
- the event-built YAML loader == ``yaml.load`` with the same loader (values, types, lines, errors);
- Arrow duplicate and set look-ups == pandas; both ways of deriving confidence agree;
- the short-cuts (text rules only on values breaking a plain pattern, reference columns reading
  their rules off their keys, dictionary columns checked per distinct value) change no result.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import REPO
from timeline import yamlio
from timeline.arrowops import _url_matches, field_failures, has_two_spaces
from timeline.checks import check_frames
from timeline.columns import column_failures, column_failures_pandera, inherits
from timeline.lookups import _rarely_repeats, covered, duplicated, isin, memo, positions
from timeline.schemas import TEXT_RULES
from timeline.tables import PLAIN_PATTERNS, TABLES, URL

sys.path.insert(0, str(REPO / "scripts"))
import make_synthetic  # noqa: E402


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    """6,000 synthetic events: big enough for the per-distinct-value path of low-cardinality columns."""
    tables = make_synthetic.tables(make_synthetic.generate(6000, seed=5))
    out = {}
    for name, t in tables.items():
        cols = [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in t.columns]
        out[name] = pa.Table.from_arrays(cols, names=t.column_names).to_pandas(types_mapper=pd.ArrowDtype)
    return out


def _set(df: pd.DataFrame, column: str, row: int, value: object) -> None:
    values = [None if pd.isna(v) else v for v in df[column].tolist()]
    values[row % len(values)] = value
    df[column] = pd.Series(pa.array(values, type=df[column].dtype.pyarrow_dtype), dtype=df[column].dtype)


BAD = [
    ("events", "title", " Leading space"), ("events", "title", "Trailing tab\t"), ("events", "summary", "a  b"),
    ("events", "summary", "C1 control \x85 here"), ("events", "summary", "Cafe\u0301"),
    ("events", "notes", "ends in no-break space\u00a0"), ("events", "notes", "\u3000ideographic"),
    ("events", "event_type", "meetin"), ("events", "event_type", None), ("events", "event_id", "Bad ID"),
    ("events", "title", "x" * 121), ("events", "title", "é" * 70), ("events", "place_id", "Pyongyang"),
    ("events", "added_in", "1.0"), ("events", "modified_in", None), ("sources", "language", "english"),
    ("sources", "url", "ftp://example.org/x"), ("sources", "kind", "blog"), ("estimates", "low", -5),
    ("estimates", "estimate_id", None), ("participants", "role", "Host"), ("actors", "country", "R U"),
    ("citations", "claim", "line\nbreak"), ("treaty_obligations", "conditional", None),
]


def test_column_rules_match_pandera(frames):
    bad = {name: df.copy() for name, df in frames.items()}
    for i, (table, column, value) in enumerate(BAD):
        _set(bad[table], column, 10 + i, value)
    for name in TABLES:
        assert sorted(column_failures(name, bad[name])) == sorted(column_failures_pandera(name, bad[name])), name
    assert len(column_failures("events", bad["events"])) >= 12


def test_clean_tables_have_no_column_failures(frames):
    for name in TABLES:
        assert column_failures(name, frames[name]) == [] == column_failures_pandera(name, frames[name])


def test_misshapen_frames_fall_back_to_pandera(frames):
    df = frames["actors"].drop(columns=["country"])
    assert column_failures("actors", df) == column_failures_pandera("actors", df)
    assert any(x.rule == "columns" for x in column_failures("actors", df))


@given(st.binary(max_size=40), st.integers(0, 3))
def test_two_spaces_scan_matches_a_substring_search(data, start):
    """At either byte alignment (a string's bytes start anywhere in its Arrow buffer)."""
    view = np.frombuffer(b"x" * start + data, dtype=np.uint8)[start:]
    assert has_two_spaces(view) == (b"  " in data)


_URLS = st.tuples(st.sampled_from(["", "http://", "https://", "http:/", "https:", "ftp://", "HTTP://"]),
                  st.text(alphabet=list("hs:/$.?#x \t\n\x0b\x0c\r\x85\u00e9\u3000"), max_size=6)).map("".join)


@given(st.lists(st.none() | _URLS, max_size=12), st.integers(0, 3))
def test_url_scan_matches_the_url_regex(values, start):
    """The byte scans give RE2's answer for tables.URL, nulls and a sliced array among the cases."""
    import pyarrow.compute as pc

    column = pa.chunked_array([pa.array(["x"] * start + values, pa.string()).slice(start)], pa.string())
    assert _url_matches(column).to_pylist() == pc.match_substring_regex(column, URL).to_pylist()


@pytest.mark.parametrize("shape", ["sorted runs of every key", "sorted, some keys unused", "shuffled runs",
                                   "shuffled, no repeats", "unknown values among them"])
@pytest.mark.parametrize("seed", [1, 2])
def test_positions_are_the_same_whatever_the_strategy(shape, seed):
    """Each strategy of ``lookups._probe`` (no look-up, runs looked up, every row looked up, the
    sampled short-cut past the runs) gives the row of each value among the keys, -1 when absent."""
    rng = np.random.default_rng(seed)
    keys = [f"k{i:05d}" for i in range(3000)]
    if shape == "sorted runs of every key":
        values = [k for k in keys for _ in range(rng.integers(1, 4))]
    elif shape == "sorted, some keys unused":
        values = [k for k in keys if rng.random() < 0.7 for _ in range(rng.integers(1, 4))]
    elif shape == "shuffled runs":
        values = [k for k in rng.permutation(keys).tolist() for _ in range(rng.integers(1, 4))]
    else:
        values = rng.permutation(keys).tolist()
        if shape == "unknown values among them":
            values[::7] = ["nowhere"] * len(values[::7])
    chunks = [values[: len(values) // 3], values[len(values) // 3:]]
    column = pa.chunked_array([pa.array(c, pa.string()) for c in chunks])
    known = pa.chunked_array([pa.array(keys, pa.string())])
    row = {k: i for i, k in enumerate(keys)}
    with memo():
        found = positions(column, known)
    assert found.tolist() == [row.get(v, -1) for v in values]
    assert _rarely_repeats(column) == (shape in {"shuffled, no repeats", "unknown values among them"})


@pytest.mark.parametrize("spoil", ["none", "a pair repeated", "out of order in a run", "out of order across runs"])
def test_compound_key_order_read_off_the_parent_look_up(spoil):
    """A child sorted by its parent's key (its foreign-key look-up needed no hashing) has its key
    order read off the runs; duplicates are still found exactly, as pandas finds them."""
    events = [f"e{i:05d}" for i in range(2000)]
    rows = [(e, f"a{j}") for e in events for j in range(1 + int(e[1:]) % 3)]
    if spoil == "a pair repeated":
        rows.insert(500, rows[500])
    elif spoil == "out of order in a run":
        i = next(i for i in range(len(rows) - 1) if rows[i][0] == rows[i + 1][0])
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    elif spoil == "out of order across runs":
        rows[10], rows[-10] = rows[-10], rows[10]
    event_ids, actor_ids = zip(*rows, strict=True)
    df = pd.DataFrame({"event_id": pd.Series(event_ids, dtype=pd.ArrowDtype(pa.string())),
                       "actor_id": pd.Series(actor_ids, dtype=pd.ArrowDtype(pa.string()))})
    keys = pd.Series(events, dtype=pd.ArrowDtype(pa.string()))
    with memo():
        positions(df["event_id"], keys)
        found = duplicated(df, ["event_id", "actor_id"])
    assert found.tolist() == df.duplicated(keep=False).tolist()
    assert found.any() == (spoil == "a pair repeated")


def test_duplicates_and_lookups_match_pandas():
    s = pd.Series(["b", "a", "b", None, None, "c"], dtype=pd.ArrowDtype(pa.string()))
    t = pd.Series(["x", "y", "x", "x", None, None], dtype=pd.ArrowDtype(pa.string()))
    df = pd.DataFrame({"s": s, "t": t})
    assert duplicated(df, ["s"]).tolist() == (s.duplicated(keep=False) & s.notna()).tolist()
    pairs = pd.Series(list(zip(s.astype(object), t.astype(object), strict=True)))
    assert duplicated(df, ["s", "t"]).tolist() == pairs.duplicated(keep=False).tolist()
    known = pd.Series(["a", "c", "d"], dtype=pd.ArrowDtype(pa.string()))
    assert isin(s, known).tolist() == s.astype(object).isin(["a", "c", "d"]).tolist()
    sorted_keys = pd.Series(["a", "b", "c", "d"], dtype=pd.ArrowDtype(pa.string()))
    with memo():
        assert covered(sorted_keys, [s, t]).tolist() == [True, True, True, False]
    assert not duplicated(pd.DataFrame({"k": sorted_keys}), ["k"]).any()


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (list(a) == list(b) and (a.line, a.lines) == (b.line, b.lines)
                and all(_same(a[k], b[k]) for k in a))
    if isinstance(a, list):
        return (len(a) == len(b) and (a.line, a.lines) == (b.line, b.lines)
                and all(_same(x, y) for x, y in zip(a, b, strict=True)))
    return a == b or (a != a and b != b)  # NaN


def _both(text: str) -> tuple[object, object]:
    out = []
    for load in (lambda: yaml.load(text, Loader=yamlio._Loader), lambda: yamlio._load(text)):  # noqa: S506
        try:
            out.append(load())
        except Exception as exc:  # noqa: BLE001 - the same error is what is compared
            out.append((type(exc), str(exc)))
    return out[0], out[1]


SAMPLES = [
    "a: 1\nb: -2\nc: 012\nd: 1.5\ne: .inf\nf: null\ng: ~\nh: true\ni: no\nj: '2024-01-02'\nk: 2024-01-02\n",
    "2024: x\nnull: y\ntrue: z\n1.5: w\n",
    "list: [a, 'b', 3]\nmap: {x: 1, y: [true, false]}\nnested:\n  - a: 1\n    b:\n      - c\n  - ''\n",
    "a: 1\na: 2\n", "- a\n- b: c\n", "just text\n", "# only a comment\n", "a: &x 1\nb: *x\n",
    "a: !!str 1\n", "---\na: 1\n---\nb: 2\n", "a: [1, 2\n", "a: 'open\n", "key: value: other\n",
    "<<: {a: 1}\n", "a: =\n", "? [a, b]\n: c\n", "a:\n\t- b\n", "a: 0x1F\nb: 1_000\nc: +7\n",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_yaml_loader_matches_the_full_loader(text):
    slow, fast = _both(text)
    assert _same(slow, fast), (slow, fast)


def test_fast_yaml_loader_matches_on_every_record_file():
    files = [*sorted((REPO / "data").rglob("*.yaml")), *sorted((REPO / "tests").rglob("*.yaml"))]
    assert files
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        if "*" in text or "!" in text or len(text) > yamlio.MAX_FILE_BYTES:
            continue  # refused before any loader runs (aliases can expand to billions of items)
        slow, fast = _both(text)
        assert _same(slow, fast), path


# ------------------------------------------------- short-cuts that skip work, proven not to change results

COLUMN_RULES = {"required", "vocabulary", "pattern", "minimum", "max-length", *TEXT_RULES, "unicode-nfc"}


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_value_matching_a_plain_pattern_breaks_no_text_rule(data):
    """Text rules run only on values that break such a pattern (``tables.PLAIN_PATTERNS``)."""
    pattern = data.draw(st.sampled_from(sorted(PLAIN_PATTERNS)))
    value = data.draw(st.from_regex(pattern, fullmatch=True))
    if not re.fullmatch(pattern.strip("^$"), value):
        return  # Python's $ also matches before a final newline; RE2 in Arrow does not
    assert value.isascii() and unicodedata.is_normalized("NFC", value)
    assert not any(re.search(regex, value) for regex, _ in TEXT_RULES.values())


def _spoil_references(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Bad keys with references that find them, and unknown references that break rules themselves."""
    bad = {name: df.copy() for name, df in frames.items()}
    for table, key, children, value in [
        ("actors", "actor_id", [("participants", "actor_id"), ("estimates", "estimator_id")], "Bad  actor\t"),
        ("events", "event_id", [("participants", "event_id"), ("citations", "event_id")], "2024-01-01-é "),
        ("sources", "source_id", [("citations", "source_id")], "src-NOT-HEX"),
    ]:
        old = bad[table][key].iloc[3]
        _set(bad[table], key, 3, value)
        for child, column in children:
            rows = np.flatnonzero((bad[child][column] == old).to_numpy())
            for row in rows:
                _set(bad[child], column, int(row), value)
            _set(bad[child], column, 7, "unknown  " + column)  # found nowhere, and a double space
    return bad


def test_references_inherit_their_keys_column_failures(frames):
    bad = _spoil_references(frames)
    with_short_cut = {x for x in check_frames(bad, dt.date(2030, 1, 1)) if x.rule in COLUMN_RULES}
    direct = {x for name in TABLES for x in column_failures(name, bad[name])}
    reference = {x for name in TABLES for x in column_failures_pandera(name, bad[name])}
    assert with_short_cut == direct == reference
    assert {(x.table, x.field) for x in direct} >= {("participants", "actor_id"), ("estimates", "estimator_id"),
                                                      ("participants", "event_id"), ("citations", "source_id")}
    assert all(inherits(f) for table in TABLES.values() for f in table.fields if f.references)


def test_dictionary_columns_give_the_same_failures_as_decoded_ones(frames):
    """A built package keeps its vocabulary columns dictionary-encoded; the rules look at distinct values."""
    bad = {name: df.copy() for name, df in frames.items()}
    for i, (table, column, value) in enumerate(BAD):
        _set(bad[table], column, 10 + i, value)
    for name in TABLES:
        encoded = pd.DataFrame({c: pd.Series(pd.arrays.ArrowExtensionArray(
            pa.chunked_array([pa.array(bad[name][c].array._pa_array.combine_chunks()).dictionary_encode()])
            if TABLES[name].field(c).vocabulary else bad[name][c].array._pa_array)) for c in bad[name].columns})
        assert sorted(column_failures(name, encoded)) == sorted(column_failures(name, bad[name])), name


def test_dictionary_chunks_with_their_own_dictionaries():
    field = TABLES["events"].field("event_type")
    encoded = pa.chunked_array([pa.array(["meeting", "meetin", None]).dictionary_encode(),
                                pa.array(["visit", "meetin"]).dictionary_encode()])
    decoded = encoded.cast(pa.string())
    as_rows = lambda found: sorted((rule, rows.tolist()) for rows, rule in found if len(rows))  # noqa: E731
    assert as_rows(field_failures(field, encoded)) == as_rows(field_failures(field, decoded)) == [
        ("required", [2]), ("vocabulary", [1, 4])]
    nulls_inside = pa.chunked_array([pa.DictionaryArray.from_arrays(pa.array([0, 1]), pa.array(["meeting", None]))])
    assert as_rows(field_failures(field, nulls_inside)) == [("required", [1])]
