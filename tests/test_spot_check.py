"""The curated records agree with the verified research notes (when ../shared is beside the repo)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import REPO

FACTS = REPO.parent / "shared" / "reference" / "facts.yaml"


@pytest.mark.skipif(not FACTS.exists(), reason="research notes (../shared/reference/facts.yaml) not present")
def test_every_record_matches_the_notes(capsys):
    spec = importlib.util.spec_from_file_location("spot_check", REPO / "scripts/spot_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(FACTS), "--n", "1000"]) == 0
    assert " records match the notes." in capsys.readouterr().out
