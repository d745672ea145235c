"""Spot-check curated records against the research notes they were curated from.

Usage: python scripts/spot_check.py [FACTS_YAML] [--n 20] [--seed 1]

Two sets of notes: the verified 1.0.0 research notes (FACTS_YAML, ../shared/reference/facts.yaml),
with the departures listed in docs/curation/corrections-2.0.0.yaml applied (each with its reason and
page), and the curators' notes for the events added in 2.0.0 (docs/curation/notes-2.0.0.yaml). For N
random notes of each (seeded), compares the event's dates and precision, every figure (low/best/high
in order, and as_of) and the source URLs (every noted page is still cited unless a correction
removed it), and prints each estimator as written in the notes beside the actor it was mapped to, for
a person to confirm. Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import calendar
import random
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FACTS = ROOT.parent / "shared" / "reference" / "facts.yaml"
CORRECTIONS = ROOT / "docs" / "curation" / "corrections-2.0.0.yaml"
NEW_NOTES = ROOT / "docs" / "curation" / "notes-2.0.0.yaml"


def expected_window(note: dict) -> tuple[str, str | None, str]:
    start, end = str(note["date"]), note.get("end_date")
    if note["date_precision"] == "month":
        y, m = map(int, start.split("-"))
        end_s = str(end) if end else start
        ey, em = map(int, end_s.split("-")[:2])
        return f"{start}-01", f"{ey:04d}-{em:02d}-{calendar.monthrange(ey, em)[1]:02d}", "month"
    return start, (str(end) if end else None), "day"


def corrections() -> dict[tuple[str, str], object]:
    """(record, field) -> the corrected value; (event, 'removed') -> the set of URLs no longer cited."""
    out: dict[tuple[str, str], object] = {}
    for c in yaml.safe_load(CORRECTIONS.read_text(encoding="utf-8")) if CORRECTIONS.exists() else []:
        if c["field"] == "citations":
            out.setdefault((c["record"], "removed"), set()).add(c["removed"])
        else:
            out[(c["record"], c["field"])] = c["value"]
    return out


def check(note: dict, record: dict, actors: dict[str, str], fixes: dict | None = None) -> tuple[list[str], list[str]]:
    fixes = fixes or {}
    errors, estimators = [], []
    start, end, precision = expected_window(note)
    eid = note["id"]
    start = str(fixes.get((eid, "date_start"), start))
    end = fixes.get((eid, "date_end"), end)
    precision = fixes.get((eid, "date_precision"), precision)
    got = (str(record["date_start"]), record.get("date_end"), record["date_precision"])
    if got != (start, end if end != start else None, precision):
        errors.append(f"dates: notes {start}..{end} ({precision}), record {got}")
    stated = [q for q in note.get("quantities") or [] if any(q.get(k) is not None for k in ("low", "best", "high"))]
    estimates = record.get("estimates") or []
    if len(stated) != len(estimates):
        errors.append(f"figures: notes state {len(stated)}, record has {len(estimates)}")
    for q, e in zip(stated, estimates, strict=False):
        if fixes.get((e["id"], "status")) == "retracted":
            if e.get("status") != "retracted":
                errors.append(f"{e['id']}: the corrections retract it, the record does not")
            continue
        for k in ("low", "best", "high"):
            want = fixes.get((e["id"], k), q.get(k))
            if want != e.get(k):
                errors.append(f"{e['id']}.{k}: notes {want}, record {e.get(k)}")
        as_of = str(fixes.get((e["id"], "as_of"), q["as_of"]))
        if str(e["as_of"])[: len(as_of)] != as_of:
            errors.append(f"{e['id']}.as_of: notes {as_of}, record {e['as_of']}")
        estimators.append(f"{q['estimator']!r} -> {actors.get(e['estimator'], '?')} ({e['estimator']})")
    urls_notes = {s["url"] for s in note["sources"]} - fixes.get((eid, "removed"), set())
    urls_record = {c["url"] for c in record["citations"]}
    if not urls_notes <= urls_record:
        errors.append(f"noted pages no longer cited: {sorted(urls_notes - urls_record)}")
    return errors, estimators


def check_new(note: dict, record: dict, actors: dict[str, str], fixes: dict | None = None
              ) -> tuple[list[str], list[str]]:
    """An event added in 2.0.0 against its curators' notes (and the corrections)."""
    fixes = fixes or {}
    errors, estimators = [], []
    got = (str(record["date_start"]), record.get("date_end"), record["date_precision"])
    want = (str(note["date_start"]), note.get("date_end"), note["date_precision"])
    if got != want:
        errors.append(f"dates: notes {want}, record {got}")
    by_id = {e["id"]: e for e in record.get("estimates") or []}
    for q in note["figures"]:
        e = by_id.get(q["id"])
        if e is None:
            errors.append(f"{q['id']}: noted, not in the record")
            continue
        for k in ("low", "best", "high", "as_of"):
            want = fixes.get((e["id"], k), q.get(k))
            if want != e.get(k):
                errors.append(f"{e['id']}.{k}: notes {want}, record {e.get(k)}")
        if set(q["sources"]) != {s["url"] for s in e.get("sources") or []}:
            errors.append(f"{e['id']}: stating pages differ from the notes")
        estimators.append(f"{q['estimator']!r} -> {actors.get(e['estimator'], '?')} ({e['estimator']})")
    removed = fixes.get((note["id"], "removed"), set())
    missing = set(note["urls"]) - removed - {c["url"] for c in record["citations"]}
    if missing:
        errors.append(f"noted pages no longer cited: {sorted(missing)}")
    return errors, estimators


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("facts", nargs="?", default=str(DEFAULT_FACTS))
    p.add_argument("--n", type=int, default=20)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    notes = yaml.safe_load(Path(args.facts).read_text(encoding="utf-8"))
    records = {path.stem: path for path in (ROOT / "data/records/events").rglob("*.yaml")}
    actors = {a["id"]: a["name"] for a in yaml.safe_load((ROOT / "data/records/actors.yaml").read_text())}
    fixes = corrections()
    new = yaml.safe_load(NEW_NOTES.read_text(encoding="utf-8")) if NEW_NOTES.exists() else []
    rng = random.Random(args.seed)
    sample = [(n, False) for n in rng.sample(notes, min(args.n, len(notes)))]
    sample += [(n, True) for n in rng.sample(new, min(args.n, len(new)))]
    failed = 0
    for note, added in sample:
        if note["id"] not in records:
            print(f"MISSING {note['id']}")
            failed += 1
            continue
        record = yaml.safe_load(records[note["id"]].read_text(encoding="utf-8"))
        errors, estimators = check_new(note, record, actors, fixes) if added else check(note, record, actors, fixes)
        print(f"{'ok  ' if not errors else 'FAIL'} {note['id']}")
        for line in errors:
            print(f"       {line}")
        for line in estimators:
            print(f"       estimator {line}")
        failed += bool(errors)
    print(f"{len(sample) - failed} of {len(sample)} records match the notes.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
