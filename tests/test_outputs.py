"""Generated files: one writer (only what changed, all together or not at all) and one --check.

Every command that generates files writes them through ``timeline.outputs``; its ``--check`` names
exactly the stale files and exits 1, and writing touches only those files.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from timeline import outputs
from timeline.outputs import stale_outputs, write_outputs

OLD = 1_000_000_000 * 10**9  # an mtime (ns) no write today can give


def stamp(root: Path, rels) -> dict[str, tuple[int, int]]:
    """Set each file's mtime far in the past; return (inode, mtime) by path, to prove a file untouched."""
    for rel in rels:
        os.utime(root / rel, ns=(OLD, OLD))
    return {rel: ((root / rel).stat().st_ino, (root / rel).stat().st_mtime_ns) for rel in rels}


def untouched(root: Path, before: dict[str, tuple[int, int]]) -> bool:
    return all(((root / rel).stat().st_ino, (root / rel).stat().st_mtime_ns) == seen for rel, seen in before.items())


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob(".timeline-*") if p.name.startswith((".timeline-staging-",
                                                                                ".timeline-backup-")))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "out"
    assert write_outputs(root, {"a.txt": b"a", "sub/b.txt": b"b", "c.txt": b"c"}) == ["a.txt", "sub/b.txt", "c.txt"]
    return root


# ---------------------------------------------------------------- the writer


def test_only_the_changed_files_are_written(tree: Path):
    before = stamp(tree, ["a.txt", "c.txt"])
    files = {"a.txt": b"a", "sub/b.txt": b"B", "c.txt": b"c", "sub/new/d.txt": b"d"}
    assert stale_outputs(tree, files) == ["sub/b.txt", "sub/new/d.txt"]
    assert write_outputs(tree, files) == ["sub/b.txt", "sub/new/d.txt"]
    assert {rel: (tree / rel).read_bytes() for rel in files} == files
    assert untouched(tree, before)
    assert write_outputs(tree, files) == [] and stale_outputs(tree, files) == []
    assert leftovers(tree) == []


def test_a_file_not_in_the_set_is_left_alone(tree: Path):
    (tree / "mine.txt").write_bytes(b"not generated")
    assert write_outputs(tree, {"a.txt": b"A"}) == ["a.txt"]
    assert (tree / "mine.txt").read_bytes() == b"not generated" and (tree / "c.txt").read_bytes() == b"c"


def test_written_files_are_readable_by_all_whatever_the_umask(tmp_path: Path):
    old = os.umask(0o077)
    try:
        write_outputs(tmp_path, {"x.txt": b"x"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.txt").stat().st_mode) == 0o644


def test_a_failure_while_staging_leaves_every_old_file(tree: Path):
    with pytest.raises(OSError, match="injected failure after writing sub/b.txt"):
        write_outputs(tree, {"a.txt": b"A", "sub/b.txt": b"B", "c.txt": b"C"}, _fail_after="sub/b.txt")
    assert [(tree / rel).read_bytes() for rel in ("a.txt", "sub/b.txt", "c.txt")] == [b"a", b"b", b"c"]
    assert leftovers(tree) == []


def test_a_failure_while_moving_into_place_puts_back_what_was_moved(tree: Path, monkeypatch: pytest.MonkeyPatch):
    real, moves = os.replace, []

    def replace(src, dst):
        if ".timeline-staging-" in str(src):
            moves.append(dst)
            if len(moves) == 3:
                raise KeyboardInterrupt  # not even an Exception: the rollback still runs
        real(src, dst)

    monkeypatch.setattr(outputs.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tree, {"a.txt": b"A", "new.txt": b"N", "c.txt": b"C"})
    monkeypatch.undo()
    assert len(moves) == 3
    assert [(tree / rel).read_bytes() for rel in ("a.txt", "c.txt")] == [b"a", b"c"]
    assert not (tree / "new.txt").exists()  # a file that did not exist before is removed again
    assert leftovers(tree) == []


# ---------------------------------------------------------------- every command's --check and write

# (check command, write command, two of its files: the first is edited, the second deleted).
# The released mini package has every generated file current, so each check starts clean.
COMMANDS = {
    "codebook": (["codebook", "--check"], ["codebook"], ["docs/codebook.md", "docs/read-tables.R"]),
    "stats": (["stats", "--check"], ["stats", "--write"], ["docs/data-report.md"]),
    "plot": (["plot", "--check"], ["plot"], ["docs/figures/timeline.png", "docs/figures/estimates-troops.png"]),
    "site": (["site", "--check"], ["site"], ["site/index.html"]),
    "cite": (["cite", "--check"], ["cite", "--write"], ["CITATION.cff", ".zenodo.json"]),
}


def stale_named(err: str) -> list[str]:
    return re.findall(r"^(.*) is stale; ", err, re.M)


@pytest.mark.parametrize("name", COMMANDS)
def test_check_names_exactly_the_stale_files_and_write_mends_only_those(name: str, released: Path, cli):
    check, write, files = COMMANDS[name]
    root = ["--root", str(released)]
    if name == "plot":
        pytest.importorskip("matplotlib")
        assert (released / files[1]).is_file()
        siblings = sorted(p.relative_to(released).as_posix() for p in (released / "docs/figures").iterdir())
    else:
        siblings = files
    code, out, err = cli(*check, *root)
    assert (code, err) == (0, "") and out.endswith(" up to date.\n")

    (released / files[0]).write_bytes(b"edited by hand\n")
    if len(files) > 1:
        (released / files[1]).unlink()
    code, out, err = cli(*check, *root)
    assert code == 1 and out == ""
    assert stale_named(err) == [str(released / rel) for rel in files]
    assert f"; run `timeline {' '.join(write)}` and commit it." in err

    kept = stamp(released, [rel for rel in siblings if rel not in files])
    code, out, _ = cli(*write, *root)
    assert code == 0 and out == f"Wrote {', '.join(str(released / rel) for rel in files)}.\n"
    assert untouched(released, kept)
    everything = stamp(released, siblings)
    code, out, _ = cli(*write, *root)
    assert code == 0 and out.endswith(" already up to date.\n")
    assert untouched(released, everything)
    assert cli(*check, *root)[0] == 0
    assert leftovers(released) == []


def test_build_check_names_exactly_the_committed_files_that_differ_from_the_release(released: Path, cli):
    root = ["--root", str(released)]
    assert cli("build", "--check", *root) == (0, "The records build; committed outputs are up to date.\n", "")
    (released / "data/csv/events.csv").write_bytes(b"edited by hand\n")
    (released / "schemas/actors.json").unlink()
    code, out, err = cli("build", "--check", *root)
    assert code == 1 and out == ""
    assert sorted(stale_named(err)) == [str(released / "data/csv/events.csv"), str(released / "schemas/actors.json")]
    assert "must not differ from release 1.0.0's package, which only `timeline release` writes" in err
    # The records are the release's, so building them into the checkout restores exactly those two.
    kept = stamp(released, ["datapackage.json", "data/events.parquet", "schemas/events.json"])
    code, out, _ = cli("build", "--out", str(released), *root)
    assert code == 0 and out.endswith(f"Package in {released}: 2 file(s) changed.\n")
    assert untouched(released, kept)
    assert cli("build", "--check", *root)[0] == 0


def test_build_check_before_any_release_says_to_build_into_the_checkout(built_mini: Path, cli):
    (built_mini / "datapackage-csv.json").unlink()
    code, _, err = cli("build", "--check", "--root", str(built_mini))
    assert code == 1 and stale_named(err) == [str(built_mini / "datapackage-csv.json")]
    assert "run `timeline build --out .` and commit it." in err


def test_archive_is_rewritten_only_when_its_bytes_change_and_check_names_the_release(released: Path, cli):
    root = ["--root", str(released)]
    code, out, _ = cli("archive", *root)
    zip_path = released / "dist/russia-dprk-timeline-1.0.0.zip"
    assert code == 0 and out.startswith(f"Archive: {zip_path} (")
    kept = stamp(released, ["dist/russia-dprk-timeline-1.0.0.zip"])
    assert cli("archive", *root)[0] == 0
    assert untouched(released, kept) and leftovers(released) == []
    # The archive is rebuilt from the release folder; one changed byte there and it is not the release's.
    readme = released / "data/releases/1.0.0/README.md"
    readme.write_bytes(readme.read_bytes() + b"\n")
    code, _, err = cli("archive", "--check", *root)
    assert code == 1 and "The rebuilt archive differs from release 1.0.0 (recorded sha256 " in err
