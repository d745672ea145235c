"""The README is what runs: every python example prints exactly what the README shows, when run as written.

An example followed by a ``text`` block must print that block; one without must print nothing. The
examples run in order, in one namespace, from the repository root; the release archive one of them
reads is first written by ``timeline archive``, as the README says. The command transcripts that
hold for the committed package (``$ timeline cite`` and the others in TRANSCRIPTS) are checked too.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from timeline.cli import main

README = REPO / "README.md"
# a python block, optionally followed by the text block that shows its output
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```\n)?", re.S)
# Run on the repository itself. `release --dry-run` depends on the records (any added event changes
# what it prints), so it runs on the mini package right after its release instead: see below.
TRANSCRIPTS = ["cite", "cite --bibtex", "archive --check"]


def examples() -> list[tuple[str, str | None]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(README.read_text(encoding="utf-8"))]


@contextlib.contextmanager
def in_repo():
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        yield
    finally:
        os.chdir(cwd)


def run(pairs: list[tuple[str, str | None]]) -> list[str]:
    """Each example's printed output, run in order in one namespace from the repository root."""
    namespace: dict[str, object] = {}
    printed = []
    with in_repo():
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["archive"]) == 0  # dist/<name>-<version>.zip, as the README has it written
        for code, _ in pairs:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - the README's own code
            printed.append(out.getvalue())
    return printed


def test_every_example_prints_what_the_readme_shows():
    """``TIMELINE_UPDATE_GOLDEN=1`` rewrites the shown outputs (review the diff before committing)."""
    pairs = examples()
    assert len(pairs) >= 9 and sum(1 for _, shown in pairs if shown is not None) >= 8
    printed = run(pairs)
    if os.environ.get("TIMELINE_UPDATE_GOLDEN"):
        text = README.read_text(encoding="utf-8")
        for (code, shown), got in zip(pairs, printed, strict=True):
            if shown is not None:
                text = text.replace(f"```python\n{code}```\n\n```text\n{shown}```",
                                    f"```python\n{code}```\n\n```text\n{got}```", 1)
        README.write_text(text, encoding="utf-8")
        return
    for (code, shown), got in zip(pairs, printed, strict=True):
        assert got == (shown or ""), f"this README example prints something else than it shows:\n{code}"


@pytest.mark.parametrize("command", TRANSCRIPTS)
def test_the_readme_shows_what_the_command_prints(command: str, capsys):
    with in_repo():
        code = main(command.split())
    out = capsys.readouterr().out
    assert code == 0
    assert f"$ timeline {command}\n{out}" in README.read_text(encoding="utf-8"), out


def test_the_readme_shows_the_dry_run_right_after_a_release(released: Path, capsys):
    code = main(["release", "--dry-run", "--root", str(released)])
    out = capsys.readouterr().out
    assert code == 0
    assert f"$ timeline release --dry-run\n{out}" in README.read_text(encoding="utf-8"), out


def test_the_readme_installs_with_the_lock():
    text = README.read_text(encoding="utf-8")
    opening = [line for line in text.splitlines()[:15] if line.startswith("python3 -m venv")]
    assert len(opening) == 2 and all("pip install -c constraints.txt -e " in line for line in opening)
    assert Path(REPO / "constraints.txt").is_file()


def test_the_module_map_names_every_module_of_the_package():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index("| module | concern |")
    table = text[start:text.index("\n\n", start)]
    named = set(re.findall(r"`([a-z_]+\.py)`", table))
    modules = {p.name for p in (REPO / "timeline").glob("*.py")}
    assert modules - named == set(), "add these modules to the README's module map"
    assert named - modules == set(), "the README's module map names modules that do not exist"
