"""A contributor's first pull request (issue 15, item 4), end to end in a temporary git repository.

The repository holds a copy of the checkout's records, release history and committed outputs.
Two contributors each add an event as the README says (`timeline new`, fill it in, `timeline
build`, commit everything git shows); each branch passes what CI checks, only the record file
changes, and the two branches merge without a conflict.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from timeline.cli import main

# What a checkout commits besides code: records, releases, the package and the generated views.
COPIED = ["data", "schemas", "datapackage.json", "datapackage-csv.json", "docs", "site", ".gitignore", ".gitattributes"]
TODAY = "2026-12-01"


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 or args[0] == "merge", done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("contrib") / "repo"
    repo.mkdir()
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, repo / name)
        elif src.exists():
            shutil.copyfile(src, repo / name)
    git(repo, "init", "-q")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")  # whatever the local default branch name
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    return repo


FILL = {
    "title:": "title: Test meeting {n} (a fixture of tests/test_contributor.py)",
    "summary:": "summary: A made-up meeting, added the way the README says, to test the pull-request flow.",
    "- actor:": "- actor: russia",
    "  role:": "  role: host",
    "- url:": "- url: https://example.org/test-contributor/{n}",
    "  publisher:": "  publisher: Example",
    "  language:": "  language: en",
    "  kind:": "  kind: news_site",
    "  claim:": "  claim: Describes the made-up meeting {n}",
}


def fill(path: Path, n: str) -> None:
    """Replace the skeleton's empty fields (the part before each comment) with test values."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        head = line.split("#")[0].rstrip()
        lines.append(FILL[head].format(n=n) if head in FILL else line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def add_event(repo: Path, branch: str, date: str, slug: str, capsys) -> Path:
    git(repo, "checkout", "-q", "-b", branch, "main")
    assert main(["new", "--root", str(repo), "--date", date, "--type", "meeting", "--slug", slug]) == 0
    path = repo / "data/records/events" / date[:4] / f"{date}-{slug}.yaml"
    capsys.readouterr()
    # The skeleton is reported field by field: only what the contributor must fill in.
    assert main(["validate", "--records-only", "--root", str(repo)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert {line.split(": ")[2] for line in out[:-1]} == \
        {"title", "summary", "actor", "role", "url", "publisher", "language", "kind", "claim"}
    assert all("[required]" in line for line in out[:-1]), out
    fill(path, slug)
    assert main(["build", "--root", str(repo)]) == 0
    assert "events 327" in capsys.readouterr().out
    git(repo, "add", "-A")  # everything the build left, as a contributor would
    git(repo, "commit", "-qm", f"Add {slug}")
    return path


def ci_checks(repo: Path, capsys, figures: bool = False) -> None:
    """The checks of .github/workflows/ci.yml that look at data (lint and tests aside)."""
    checks = [["build", "--check"], ["validate"], ["codebook", "--check"], ["stats", "--check"],
              ["site", "--check"], ["archive", "--check"]] + ([["plot", "--check"]] if figures else [])
    for args in checks:
        code = main([*args, "--root", str(repo)])
        assert code == 0, (args, capsys.readouterr())


def test_two_pull_requests_adding_events_are_green_and_merge(clone: Path, capsys, monkeypatch):
    monkeypatch.setenv("TIMELINE_TODAY", TODAY)
    a = add_event(clone, "pr-a", "2025-03-01", "test-meeting-a", capsys)
    changed = git(clone, "diff", "--name-only", "main", "pr-a").split()
    assert changed == [a.relative_to(clone).as_posix()]  # records only: no generated file
    ci_checks(clone, capsys)

    b = add_event(clone, "pr-b", "2025-03-02", "test-meeting-b", capsys)
    assert git(clone, "diff", "--name-only", "main", "pr-b").split() == [b.relative_to(clone).as_posix()]
    ci_checks(clone, capsys)

    out = git(clone, "merge", "--no-edit", "pr-a")
    assert "CONFLICT" not in out and a.exists() and b.exists(), out
    ci_checks(clone, capsys, figures=True)
    assert main(["build", "--root", str(clone)]) == 0
    assert "events 328" in capsys.readouterr().out


def test_the_diff_ci_posts_shows_the_new_event(clone: Path, capsys, monkeypatch, tmp_path: Path):
    """The pull-request diff compares the base's records with the branch's, each built into a folder."""
    monkeypatch.setenv("TIMELINE_TODAY", TODAY)
    git(clone, "checkout", "-q", "-B", "pr-c", "main")
    path = clone / "data/records/events/2025/2025-03-03-test-meeting-c.yaml"
    assert main(["new", "--root", str(clone), "--date", "2025-03-03", "--type", "meeting",
                 "--slug", "test-meeting-c"]) == 0
    fill(path, "c")
    base = tmp_path / "base"
    git(clone, "worktree", "add", "-q", str(base), "main")
    assert main(["build", "--root", str(base), "--out", str(tmp_path / "old")]) == 0
    assert main(["build", "--root", str(clone), "--out", str(tmp_path / "new")]) == 0
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "new")]) == 0
    out = capsys.readouterr().out
    assert "MINOR (rows added)" in out and "+ 2025-03-03-test-meeting-c" in out
