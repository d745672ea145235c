"""Spot-check curated records against the verified research notes they were curated from.

Usage: python scripts/spot_check.py [FACTS_YAML] [--n 20] [--seed 1]

For N random notes (seeded), compares the event's dates and precision, every figure
(low/best/high in order) and the set of source URLs, and prints each estimator as written in the
notes beside the actor it was mapped to, for a person to confirm. Exit status 1 on any mismatch.
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


def expected_window(note: dict) -> tuple[str, str | None, str]:
    start, end = str(note["date"]), note.get("end_date")
    if note["date_precision"] == "month":
        y, m = map(int, start.split("-"))
        end_s = str(end) if end else start
        ey, em = map(int, end_s.split("-")[:2])
        return f"{start}-01", f"{ey:04d}-{em:02d}-{calendar.monthrange(ey, em)[1]:02d}", "month"
    return start, (str(end) if end else None), "day"


def check(note: dict, record: dict, actors: dict[str, str]) -> tuple[list[str], list[str]]:
    errors, estimators = [], []
    start, end, precision = expected_window(note)
    got = (str(record["date_start"]), record.get("date_end"), record["date_precision"])
    if got != (start, end if end != start else None, precision):
        errors.append(f"dates: notes {start}..{end} ({precision}), record {got}")
    stated = [q for q in note.get("quantities") or [] if any(q.get(k) is not None for k in ("low", "best", "high"))]
    estimates = record.get("estimates") or []
    if len(stated) != len(estimates):
        errors.append(f"figures: notes state {len(stated)}, record has {len(estimates)}")
    for q, e in zip(stated, estimates, strict=False):
        for k in ("low", "best", "high"):
            if q.get(k) != e.get(k):
                errors.append(f"{e['id']}.{k}: notes {q.get(k)}, record {e.get(k)}")
        as_of = str(q["as_of"])
        if str(e["as_of"])[: len(as_of)] != as_of:
            errors.append(f"{e['id']}.as_of: notes {as_of}, record {e['as_of']}")
        estimators.append(f"{q['estimator']!r} -> {actors.get(e['estimator'], '?')} ({e['estimator']})")
    urls_notes = {s["url"] for s in note["sources"]}
    urls_record = {c["url"] for c in record["citations"]}
    if urls_notes != urls_record:
        errors.append(f"urls differ: {sorted(urls_notes ^ urls_record)}")
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
    sample = random.Random(args.seed).sample(notes, min(args.n, len(notes)))
    failed = 0
    for note in sample:
        if note["id"] not in records:
            print(f"MISSING {note['id']}")
            failed += 1
            continue
        record = yaml.safe_load(records[note["id"]].read_text(encoding="utf-8"))
        errors, estimators = check(note, record, actors)
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
