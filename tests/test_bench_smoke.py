"""The synthetic generator and the benchmark, run at a tiny size so that they cannot rot.

No timing is asserted: only that every figure is produced and every command succeeded.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO
from timeline.cli import main
from timeline.tables import TABLES

sys.path.insert(0, str(REPO / "scripts"))

import bench  # noqa: E402
import make_synthetic  # noqa: E402


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "n300"
    make_synthetic.make(300, root, seed=7, records=True, csv=True)
    return root


def test_synthetic_package_is_valid_and_obviously_synthetic(synthetic: Path, cli):
    code, out, _ = cli("validate", "--root", str(synthetic))  # records and package, every rule
    assert code == 0, out
    events = pq.read_table(synthetic / "data/events.parquet").to_pylist()
    assert len(events) == 300
    assert all(e["title"].startswith("Synthetic event ") for e in events)
    sources = pq.read_table(synthetic / "data/sources.parquet").column("url").to_pylist()
    assert all(u.startswith("https://example.org/synthetic/") for u in sources)
    for name in ("participants", "estimates", "sources", "citations", "actors"):
        assert pq.read_metadata(synthetic / f"data/{name}.parquet").num_rows > 0, name


def test_building_the_synthetic_records_gives_the_same_package(synthetic: Path, tmp_path: Path):
    rebuilt = tmp_path / "rebuilt"
    shutil.copytree(synthetic / "data" / "records", rebuilt / "data" / "records")
    assert main(["build", "--root", str(rebuilt), "--out", str(rebuilt)]) == 0
    for name in TABLES:
        rel = f"data/{name}.parquet"
        assert (rebuilt / rel).read_bytes() == (synthetic / rel).read_bytes(), rel
    assert (rebuilt / "datapackage.json").read_bytes() == (synthetic / "datapackage.json").read_bytes()


def test_same_seed_same_bytes(tmp_path: Path):
    make_synthetic.make(50, tmp_path / "a", seed=3)
    make_synthetic.make(50, tmp_path / "b", seed=3)
    make_synthetic.make(50, tmp_path / "c", seed=4)
    a, b, c = ((tmp_path / x / "data/events.parquet").read_bytes() for x in "abc")
    assert a == b and a != c


def test_bench_runs_at_a_tiny_size(tmp_path: Path, capsys):
    out = tmp_path / "bench.json"
    code = bench.main(["--sizes", "200", "--build-sizes", "200", "--repeat", "1", "--frictionless-limit", "20",
                       "--workdir", str(tmp_path / "work"), "--json", str(out)])
    captured = capsys.readouterr()
    printed = captured.out
    assert code == 0, captured.err[-3000:]  # bench names each command that exited non-zero
    result = json.loads(out.read_text())
    whats = {r["what"] for r in result["rows"]}
    for needle in ("pyarrow read", "timeline validate", "frictionless validate, Parquet",
                   "frictionless validate, CSV", "pd.read_parquet", "timeline.load", "bare YAML parse",
                   "timeline build", "timeline --help", "import timeline", "python -c pass"):
        assert any(needle in w for w in whats), needle
    for row in result["rows"]:
        assert row["limit_hit"] or row["median_s"] > 0, row
        if "frictionless" not in row["what"]:
            assert row["exit_codes"] == [0] * row["runs"], row
            assert row["peak_mb"] > 0
    assert result["arrow_bytes"]["200"] > 0
    named = {t["target"].split(",")[0] for t in result["targets"]}
    assert named >= {"validate / pyarrow read", "load / pd.read_parquet"}
    assert "| 200 | timeline validate --package |" in printed
    assert not (tmp_path / "work" / "n200").exists()  # synthetic data is cleaned up
