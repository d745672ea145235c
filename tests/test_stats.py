"""timeline stats: the data report is generated from the package and kept in sync."""

from __future__ import annotations

from tests.conftest import REPO
from timeline.stats import REPORT, report


def test_committed_report_is_up_to_date():
    assert (REPO / REPORT).read_text(encoding="utf-8") == report(REPO), "run `timeline stats --write`"


def test_report_sections(built_mini, cli):
    code, out, _ = cli("stats", "--root", str(built_mini))
    assert code == 0
    for heading in ("## Events by type and year", "Single-source events:", "### Sources by kind",
                    "### By measure", "### By estimator"):
        assert heading in out
    assert "| treaty_ratification | 2 | 0 | 2 |" in out
