"""The bad-input corpus: each case in tests/bad_input/ fails with exactly the lines it expects.

A case folder holds the files that differ from tests/fixtures/mini (under ``data/``), a
``case.yaml`` (``about``: what is wrong; optional ``remove``: files to delete) and
``expected.txt``: the exact output of ``timeline validate --records-only`` with
``TIMELINE_TODAY=2026-01-01``. The cases start from the mini package after its first release,
so a published id can disappear, and each one also proves that ``timeline build`` refuses and
leaves every output byte-identical.

To add a case: make the folder, run the test, check the printed output line by line, then
save it as expected.txt (``TIMELINE_UPDATE_GOLDEN=1`` writes it for you; review the diff).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from tests.conftest import MINI, REPO, snapshot
from timeline.descriptor import sha256

CORPUS = Path(__file__).parent / "bad_input"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
TODAY = "2026-01-01"
# file[:line][: record][: field]: [rule] message[ (got value)]
LINE = re.compile(r"^data/\S+?(:\d+)?: (.+: )?\[[a-z0-9-]+\] \S.*$")


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini package after its first release: its ids are published."""
    from timeline.release import release

    root = tmp_path_factory.mktemp("bad-input") / "released"
    shutil.copytree(MINI, root)
    shutil.copyfile(REPO / "LICENSE", root / "LICENSE")
    release(root, today=dt.date.fromisoformat(TODAY))
    return root


def apply_case(case: Path, root: Path) -> None:
    meta = yaml.safe_load((case / "case.yaml").read_text(encoding="utf-8"))
    for rel in meta.get("remove", []):
        (root / rel).unlink()
    if (case / "data").is_dir():
        shutil.copytree(case / "data", root / "data", dirs_exist_ok=True)


def test_the_corpus_is_large_and_documented():
    assert len(CASES) >= 40
    for name in CASES:
        meta = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
        assert set(meta) <= {"about", "remove"} and meta["about"], name
        assert (CORPUS / name / "expected.txt").exists() or os.environ.get("TIMELINE_UPDATE_GOLDEN"), name


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_reported_exactly_and_nothing_is_built(name: str, released: Path, tmp_path: Path,
                                                            cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_TODAY", TODAY)
    root = tmp_path / "repo"
    shutil.copytree(released, root)
    apply_case(CORPUS / name, root)
    before = snapshot(root)

    code, out, err = cli("validate", "--records-only", "--root", str(root))
    golden = CORPUS / name / "expected.txt"
    if os.environ.get("TIMELINE_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert (code, err) == (1, "")
    assert out == golden.read_text(encoding="utf-8")
    *lines, total = out.splitlines()
    assert total == f"{len(lines)} problem(s) found." and lines
    for line in lines:  # one line per problem: file:line, record, field, [rule], message
        assert LINE.match(line), line
    assert len(set(lines)) == len(lines)

    code, out, err = cli("build", "--root", str(root))
    assert code == 1 and out == ""
    assert err == "\n".join(lines) + f"\n{total}\nNothing was written.\n"  # the same report
    assert snapshot(root) == before


def test_an_unreadable_build_date_is_a_usage_error(mini_repo: Path, cli, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("TIMELINE_TODAY", "01/01/2026")
    code, out, err = cli("validate", "--records-only", "--root", str(mini_repo))
    assert (code, out) == (2, "")
    assert err == "error: TIMELINE_TODAY must be a date written as YYYY-MM-DD, not '01/01/2026'\n"


def test_the_build_date_decides_what_is_in_the_future(mini_repo: Path, cli, monkeypatch: pytest.MonkeyPatch):
    # The latest date in the mini records is 2025-10-28 (a publication date).
    monkeypatch.setenv("TIMELINE_TODAY", "2025-10-28")
    assert cli("validate", "--records-only", "--root", str(mini_repo))[0] == 0
    monkeypatch.setenv("TIMELINE_TODAY", "2025-10-27")
    code, out, _ = cli("validate", "--records-only", "--root", str(mini_repo))
    assert code == 1
    assert "[future-date] is after the build date 2025-10-27 (got '2025-10-28')" in out


def test_a_package_citing_a_source_it_does_not_hold(built_mini: Path, cli):
    """Sources are written inline in records, so only a built package can cite a missing one."""
    path = built_mini / "data/sources.parquet"
    table = pq.read_table(path)
    gone = table.column("source_id")[0].as_py()
    sink = io.BytesIO()
    pq.write_table(table.filter(pc.not_equal(table.column("source_id"), gone)), sink)
    path.write_bytes(sink.getvalue())
    descriptor = json.loads((built_mini / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == "sources")
    resource.update({"x-bytes": len(sink.getvalue()), "hash": f"sha256:{sha256(sink.getvalue())}"})
    (built_mini / "datapackage.json").write_text(json.dumps(descriptor, indent=2))

    code, out, err = cli("validate", "--package", str(built_mini))
    assert code == 1 and err == ""
    lines = [x for x in out.splitlines() if "[foreign-key]" in x]
    # Treaty provisions and estimates name their sources too (obligation_sources, estimate_sources):
    # a source they use is reported missing there as well.
    assert all(x.startswith(("data/citations.parquet:", "data/obligation_sources.parquet:",
                             "data/estimate_sources.parquet:")) for x in lines), lines
    (line,) = [x for x in lines if x.startswith("data/citations.parquet:")]
    assert line.endswith(f"source_id: [foreign-key] refers to a source that does not exist (got '{gone}')")
