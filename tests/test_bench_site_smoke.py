"""The explorer benchmark (scripts/bench_site.py), run tiny so that it cannot rot. No timing is asserted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_site_browser import BROWSER

sys.path.insert(0, str(REPO / "scripts"))

import bench_site  # noqa: E402

pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium-family browser found (see tests/test_site_browser.py): "
    "install one with `apt-get install chromium`, as .ci/run does, to run the explorer benchmark")


def test_bench_site_runs_tiny(tmp_path: Path, capsys):
    out = tmp_path / "bench.json"
    code = bench_site.main(["--events", "60", "--repeat", "1", "--filters", "1", "--workdir", str(tmp_path / "w"),
                            "--json", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    result = json.loads(out.read_text())
    real, synthetic = result["results"]["real"], result["results"]["synthetic"]
    assert real["events"] > 100 and 0 < synthetic["events"] <= 60
    for r in (real, synthetic):
        assert 0 < r["ready_s"] <= r["ready_painted_s"]
        assert r["filter_changes"] == 10 and 0 < r["filter_s"] <= r["filter_painted_s"]
        assert r["console_errors"] == []
        assert any(n < r["events"] for n in r["events_shown"])  # the filters did narrow the list
    assert [t["target"].split(",")[0] for t in result["targets"]] == ["ready", "ready", "filter", "filter"]
    assert "| ready, first frame painted, real data |" in printed and "of the target" in printed
