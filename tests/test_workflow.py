"""The CI workflow (issue 15, item 5): the data diff runs even after a failed step, is posted as one
pull-request comment updated on each push, falls back to the job summary, with minimal permissions.
Parsed, not run (no network in tests); every `timeline` command it runs must parse."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import REPO
from timeline.cli import parser

WORKFLOW = REPO / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def steps() -> dict[str, dict]:
    job = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]["check"]
    return {s.get("name", s.get("uses")): s for s in job["steps"]}


def test_permissions_are_minimal():
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert all("permissions" not in job for job in workflow["jobs"].values())


def test_the_diff_runs_even_when_an_earlier_step_failed(steps: dict[str, dict]):
    diff = steps["Data diff against the base branch"]
    assert diff["if"].startswith("always() && ") and "pull_request" in diff["if"]
    run = diff["run"]
    assert "<!-- timeline-data-diff -->" in run and '>> "$GITHUB_STEP_SUMMARY"' in run
    # both sides are built from records: the committed package is the last release on both
    assert "timeline build --root ../base --out ../base-package" in run
    # each side by its own code: the base's toolchain installed from the base's checkout and lock
    assert "../base-venv/bin/python -m pip install -q -c ../base/constraints.txt -e ../base" in run
    assert "../base-venv/bin/timeline build --root ../base" in run
    assert "timeline diff ../base-package ../pr-package" in run
    assert "${{" not in run  # the base ref reaches the script through env, not by text substitution


def test_one_comment_is_created_or_updated(steps: dict[str, dict]):
    post = steps["Post the data diff on the pull request"]
    assert post["uses"].startswith("actions/github-script@")
    assert post["if"].startswith("always() && ") and post["continue-on-error"] is True  # forks cannot comment
    script = post["with"]["script"]
    assert "<!-- timeline-data-diff -->" in script
    assert "updateComment" in script and "createComment" in script and "listComments" in script


def test_every_timeline_command_in_the_workflow_parses(steps: dict[str, dict]):
    commands = [m.split() for step in steps.values()
                for m in re.findall(r"(?m)(?:^\s*|&&\s*|\bif\s+)timeline ((?:[\w./-]+ ?)+)", step.get("run", ""))]
    assert ["build", "--check"] in commands and ["diff", "../base-package", "../pr-package"] in commands
    for args in commands:
        parser().parse_args(args)  # exits (fails the test) on a usage error
