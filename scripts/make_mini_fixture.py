"""Regenerate tests/fixtures/mini: a small, valid slice of the real records for fast tests.

Usage: python scripts/make_mini_fixture.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "data" / "records"
OUT = ROOT / "tests" / "fixtures" / "mini" / "data" / "records"
EVENTS = [
    "2024/2024-06-19-treaty-signed",
    "2024/2024-10-08-nis-1500-special-forces-to-vladivostok",
    "2024/2024-10-24-duma-ratifies-treaty",
    "2024/2024-11-11-kim-ratifies-treaty-decree",
    "2024/2024-12-04-treaty-enters-into-force",
    "2025/2025-09-02-nis-2000-killed-third-deployment-6000",
    "2025/2025-10-27-putin-receives-choe-kremlin",
]


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    used: set[str] = {"russia", "dprk"}  # the treaty's parties
    places: set[str] = set()
    for rel in EVENTS:
        src = SRC / "events" / f"{rel}.yaml"
        dst = OUT / "events" / f"{rel}.yaml"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)
        event = yaml.safe_load(src.read_text())
        used |= {p["actor"] for p in event.get("participants", [])}
        used |= {e["estimator"] for e in event.get("estimates", [])}
        if event.get("place"):
            places.add(event["place"])
    actors = [a for a in yaml.safe_load((SRC / "actors.yaml").read_text()) if a["id"] in used]
    (OUT / "actors.yaml").write_text(yaml.safe_dump(actors, sort_keys=False, allow_unicode=True, width=100))
    kept = [p for p in yaml.safe_load((SRC / "places.yaml").read_text()) if p["id"] in places]
    (OUT / "places.yaml").write_text(yaml.safe_dump(kept, sort_keys=False, allow_unicode=True, width=100))
    treaties = [t for t in yaml.safe_load((SRC / "treaties.yaml").read_text()) if t["id"] == "tcsp-2024"]
    (OUT / "treaties.yaml").write_text(yaml.safe_dump(treaties, sort_keys=False, allow_unicode=True, width=100))
    shutil.copyfile(SRC / "package.yaml", OUT / "package.yaml")


if __name__ == "__main__":
    main()
