"""Atomic builds: a failure at any point of writing leaves every output byte-identical, and two
builds of one folder never interleave (the second waits for the lock, or fails cleanly)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import REPO, snapshot
from timeline import outputs as outputs_module
from timeline.build import build, build_lock
from timeline.problems import BuildLocked
from timeline.validate import validate_package

MEETING = "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"


def change_records(root: Path) -> None:
    """Edits that change three tables (events, actors, citations) and so the descriptor too."""
    path = root / MEETING
    text = path.read_text().replace("status: active\n", "status: active\nnotes: Atomicity test note.\n")
    path.write_text(text.replace("claim: Quotes Putin", "claim: Test edit. Quotes Putin"))
    actors = root / "data/records/actors.yaml"
    actors.write_text(actors.read_text().replace("Lower house of the Russian parliament;",
                                                 "Lower house of the Russian parliament (test edit);"))


def leftovers(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith((".timeline-staging-", ".timeline-backup-")))


@pytest.fixture
def reference(built_mini: Path, tmp_path: Path) -> dict[str, bytes]:
    """What a successful build of the changed records writes (built in a separate copy)."""
    other = tmp_path / "reference"
    shutil.copytree(built_mini, other)
    change_records(other)
    build(other)
    return snapshot(other)


def test_failure_after_the_first_table_changes_nothing(built_mini: Path, reference):
    before = snapshot(built_mini)
    change_records(built_mini)
    with pytest.raises(OSError, match="injected failure after writing data/events.parquet"):
        build(built_mini, _fail_after="data/events.parquet")
    assert snapshot(built_mini) == before
    assert leftovers(built_mini) == []
    build(built_mini)  # the lock was released and the next build completes
    assert snapshot(built_mini) == reference


class _DiskFullOnDescriptor:
    """``open`` for outputs.py whose datapackage.json handle writes half the bytes, then fails."""

    def __init__(self):
        self.hit = False

    def __call__(self, path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)  # noqa: SIM115 - returned to the caller's with-block
        if Path(path).name != "datapackage.json" or "w" not in mode:
            return fh
        outer = self

        class Half:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                fh.close()

            def write(self, data):
                fh.write(data[: len(data) // 2])
                fh.flush()
                outer.hit = True
                raise OSError(28, "No space left on device")

            def __getattr__(self, name):
                return getattr(fh, name)

        return Half()


def test_failure_while_writing_the_descriptor_changes_nothing(built_mini: Path, reference,
                                                              monkeypatch: pytest.MonkeyPatch):
    before = snapshot(built_mini)
    change_records(built_mini)
    fake = _DiskFullOnDescriptor()
    monkeypatch.setattr(outputs_module, "open", fake, raising=False)
    with pytest.raises(OSError, match="No space left on device"):
        build(built_mini)
    assert fake.hit
    assert snapshot(built_mini) == before
    assert leftovers(built_mini) == []
    monkeypatch.undo()
    build(built_mini)
    assert snapshot(built_mini) == reference


@pytest.mark.parametrize("fail_on", [1, 2, "last"])
def test_failure_while_moving_files_into_place_rolls_back(built_mini: Path, reference, fail_on,
                                                          monkeypatch: pytest.MonkeyPatch):
    """The riskiest moment: some outputs already replaced. Those are put back from the backup."""
    before = snapshot(built_mini)
    change_records(built_mini)
    real_replace = os.replace
    moves: list[str] = []
    changed = [rel for rel, data in reference.items() if before.get(rel) != data]
    # events, actors, citations, datapackage.json, then their CSV mirror and datapackage-csv.json (moved last)
    assert len(changed) == 8
    target = len(changed) if fail_on == "last" else fail_on

    def replace(src, dst):
        if ".timeline-staging-" in str(src):
            moves.append(str(dst))
            if len(moves) == target:
                raise KeyboardInterrupt  # not even an Exception: the rollback still runs
        real_replace(src, dst)

    monkeypatch.setattr(outputs_module.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        build(built_mini)
    monkeypatch.undo()
    assert len(moves) == target
    assert snapshot(built_mini) == before
    assert leftovers(built_mini) == []


def test_a_build_waits_for_the_lock_then_writes(built_mini: Path, reference):
    change_records(built_mini)
    result: dict[str, object] = {}
    entered = threading.Event()

    def second():
        entered.set()
        try:
            result["changed"] = build(built_mini, lock_timeout=60).changed
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc

    with build_lock(built_mini, timeout=0):  # a first build holds the lock
        thread = threading.Thread(target=second)
        thread.start()
        entered.wait()
        before = snapshot(built_mini)
        thread.join(timeout=0.5)
        assert snapshot(built_mini) == before  # nothing moves while the lock is held
    thread.join()
    assert "error" not in result and result["changed"]
    assert snapshot(built_mini) == reference


def test_a_build_that_cannot_get_the_lock_fails_cleanly(built_mini: Path):
    before = snapshot(built_mini)
    change_records(built_mini)
    with build_lock(built_mini, timeout=0), pytest.raises(BuildLocked, match="another build of .* is running"):
        build(built_mini, lock_timeout=0)
    assert snapshot(built_mini) == before
    assert leftovers(built_mini) == []


def test_two_builds_started_at_once_never_mix_outputs(built_mini: Path, reference):
    change_records(built_mini)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "timeline", "build", "--root", str(built_mini), "--out", str(built_mini)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outcomes = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    for code, out, err in outcomes:
        assert "Traceback" not in err
        assert code == 0 or (code == 2 and "another build of" in err), (code, out, err)
    assert any(code == 0 for code, _, _ in outcomes)
    assert snapshot(built_mini) == reference  # exactly one build's outputs, not a mix
    assert validate_package(built_mini) == []
    assert leftovers(built_mini) == []
