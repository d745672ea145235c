"""The README's researcher examples print exactly what the README shows, when run as written."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import REPO

README = REPO / "README.md"
# a python block, optionally followed by the text block that shows its output
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```)?", re.S)


def examples() -> list[tuple[str, str | None]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start for researchers")
    end = text.index("## Figures and the explorer")
    return [(code, shown) for code, shown in BLOCK.findall(text[start:end])]


def run(pairs: list[tuple[str, str | None]]) -> list[str]:
    """Each example's printed output, run in order in one namespace from the repository root."""
    namespace: dict[str, object] = {}
    printed = []
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        for code, _ in pairs:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(code, str(README), "exec"), namespace)  # noqa: S102 - the README's own code
            printed.append(out.getvalue())
    finally:
        os.chdir(cwd)
    return printed


def test_every_example_prints_what_the_readme_shows():
    """``TIMELINE_UPDATE_GOLDEN=1`` rewrites the shown outputs (review the diff before committing)."""
    pairs = examples()
    assert sum(1 for _, shown in pairs if shown) >= 5
    printed = run(pairs)
    if os.environ.get("TIMELINE_UPDATE_GOLDEN"):
        text = README.read_text(encoding="utf-8")
        for (code, shown), got in zip(pairs, printed, strict=True):
            if shown:
                text = text.replace(f"```python\n{code}```\n\n```text\n{shown}```",
                                    f"```python\n{code}```\n\n```text\n{got}```", 1)
        README.write_text(text, encoding="utf-8")
        return
    for (code, shown), got in zip(pairs, printed, strict=True):
        if shown:
            assert got == shown, code
