"""timeline validate: every problem in one run, one line each with file:line, record, field and rule."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import snapshot
from timeline.validate import validate_package, validate_records

SIGNED = "data/records/events/2024/2024-06-19-treaty-signed.yaml"
KREMLIN = "data/records/events/2025/2025-10-27-putin-receives-choe-kremlin.yaml"


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_clean_records_and_package_validate(built_mini: Path, cli):
    code, out, _ = cli("validate", "--root", str(built_mini))
    assert (code, out) == (0, "Valid: no problems found.\n")


def test_four_mistakes_are_reported_together_and_nothing_is_built(built_mini: Path, cli):
    before = snapshot(built_mini)
    _edit(built_mini, SIGNED, "date_start: '2024-06-19'", "date_start: '2024-02-30'")
    _edit(built_mini, KREMLIN, "actor: vladimir-putin", "actor: vladimir-puttin")
    _edit(built_mini, KREMLIN, "\nsummary:", "\nsumary:")
    dup = built_mini / "data/records/events/2025/2025-10-27-copy.yaml"
    dup.write_text((built_mini / KREMLIN).read_text().replace("id: 2025-10-27-putin-receives-choe-kremlin",
                                                               "id: 2025-10-27-copy"))
    _edit(built_mini, "data/records/events/2025/2025-10-27-copy.yaml", "id: 2025-10-27-copy",
          "id: 2025-10-27-putin-receives-choe-kremlin")
    code, out, _ = cli("validate", "--records-only", "--root", str(built_mini))
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[-1].endswith("problem(s) found.")
    text = "\n".join(lines)
    assert f"{SIGNED}:" in text and "date_start: [date] not a real calendar date (got '2024-02-30')" in text
    assert "vladimir-puttin" in text and "[foreign-key]" in text and "did you mean 'vladimir-putin'?" in text
    assert "sumary: [unknown-field] unknown field 'sumary'; did you mean 'summary'?" in text
    assert "[primary-key] duplicate id" in text
    assert "[id-matches-file]" in text
    assert "Traceback" not in text
    for line in lines[:-1]:
        assert line.startswith("data/records/"), line
    code, _, err = cli("build", "--root", str(built_mini))
    assert code == 1 and "Nothing was written." in err
    assert snapshot(built_mini) == before


def test_json_output_equals_the_library_result(mini_repo: Path, cli):
    _edit(mini_repo, KREMLIN, "role: host", "role: hostess")
    code, out, _ = cli("validate", "--records-only", "--json", "--root", str(mini_repo))
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False
    assert payload["problems"] == [p.to_dict() for p in validate_records(mini_repo)]
    (problem,) = payload["problems"]
    assert problem["file"] == KREMLIN and problem["rule"] == "vocabulary" and problem["field"] == "role"
    assert problem["line"] > 1


def test_package_validation_finds_tampering(built_mini: Path):
    assert validate_package(built_mini) == []
    path = built_mini / "data/citations.parquet"
    path.write_bytes(path.read_bytes().replace(b"PAR1", b"PAR2", 1))
    (problem,) = validate_package(built_mini)
    assert problem.rule == "integrity" and "data/citations.parquet" in str(problem)
