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


def _rewrite(root: Path, name: str, edit) -> None:
    """Replace one table of a built package, with its size and hash updated as a careful forger would."""
    import hashlib
    import io

    import pyarrow.parquet as pq

    table = edit(pq.read_table(root / f"data/{name}.parquet"))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    (root / f"data/{name}.parquet").write_bytes(sink.getvalue())
    descriptor = json.loads((root / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    resource.update({"x-bytes": len(sink.getvalue()), "hash": "sha256:" + hashlib.sha256(sink.getvalue()).hexdigest()})
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2))


def _set_value(table, column: str, row: int, value: str | None, where=None):
    import pyarrow as pa

    values = table.column(column).to_pylist()
    rows = [row] if where is None else [i for i, v in enumerate(values) if v == where]
    for i in rows:
        values[i] = value
    return table.set_column(table.schema.get_field_index(column), column,
                            pa.array(values, pa.string()).cast(table.schema.field(column).type))


def test_a_forged_package_is_checked_on_its_dictionary_and_reference_columns(built_mini: Path):
    """The short-cuts of a built package (dictionary columns, references reading their keys' rules)
    report what the direct rules would: here a bad code, a bad key and the references to it."""
    actor = "vladimir-putin"
    _rewrite(built_mini, "events", lambda t: _set_value(t, "event_type", 0, "meetin"))
    _rewrite(built_mini, "actors", lambda t: _set_value(t, "actor_id", 0, "Vladimir Putin ", where=actor))
    _rewrite(built_mini, "participants", lambda t: _set_value(t, "actor_id", 0, "Vladimir Putin ", where=actor))
    found = {(p.file, p.field, p.rule, p.value) for p in validate_package(built_mini)}
    assert ("data/events.parquet", "event_type", "vocabulary", "'meetin'") in found
    for file in ("data/actors.parquet", "data/participants.parquet"):
        assert (file, "actor_id", "whitespace", "'Vladimir Putin '") in found
    assert ("data/actors.parquet", "actor_id", "pattern", "'Vladimir Putin '") in found
    assert not any(rule == "foreign-key" for _, _, rule, _ in found)  # the references still find their key


def test_another_writers_column_order_and_nullability_are_accepted(built_mini: Path):
    """Columns in another order, or without the non-null flags (polars', R's or DuckDB's defaults),
    are still the table; a missing required value is then caught by the required rule."""
    import pyarrow as pa

    def loosen(table: pa.Table) -> pa.Table:
        names = list(reversed(table.column_names))
        return pa.table([table.column(n) for n in names], schema=pa.schema(
            [table.schema.field(n).with_nullable(True) for n in names]))

    _rewrite(built_mini, "actors", loosen)
    assert validate_package(built_mini) == []
    _rewrite(built_mini, "actors", lambda t: _set_value(t, "name", 2, None))
    (problem,) = validate_package(built_mini)
    assert (problem.file, problem.line, problem.field, problem.rule) == ("data/actors.parquet", 3, "name", "required")


def test_validating_records_does_not_import_the_build(mini_repo: Path):
    """validate, build and release share the pipeline (timeline/pipeline.py); none imports another."""
    import subprocess
    import sys

    code = ("import sys; from timeline.validate import validate_records; "
            f"assert validate_records({str(mini_repo)!r}) == []; "
            "assert 'timeline.build' not in sys.modules and 'timeline.release' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_duplicate_key_in_a_package_names_the_first_row(built_mini: Path):
    """A Failure carries the row it clashes with; the package report turns it into a row number."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from timeline.descriptor import sha256

    path = built_mini / "data/actors.parquet"
    table = pq.read_table(path)
    pq.write_table(pa.concat_tables([table, table.slice(1, 1)]), path)
    descriptor = json.loads((built_mini / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == "actors")
    resource.update({"hash": f"sha256:{sha256(path.read_bytes())}", "x-bytes": path.stat().st_size})
    (built_mini / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    found = [p for p in validate_package(built_mini) if p.rule == "primary-key"]
    assert [(p.line, p.message) for p in found] == [(table.num_rows + 1, "duplicate actor_id; first defined at row 2")]


def test_provenance_columns_are_checked_row_by_row_and_by_their_stored_type(built_mini: Path):
    """The provenance columns are read as the file's dictionary (they hold a handful of versions):
    a bad version is still reported at its own row, and the type checked is the one stored."""
    _rewrite(built_mini, "participants", lambda t: _set_value(t, "added_in", 1, "1.0"))
    (problem,) = validate_package(built_mini)
    assert (problem.file, problem.line, problem.field, problem.rule, problem.value) == (
        "data/participants.parquet", 2, "added_in", "pattern", "'1.0'")

    def encoded(table):
        i = table.schema.get_field_index("modified_in")
        return table.set_column(i, "modified_in", table.column("modified_in").dictionary_encode())

    _rewrite(built_mini, "sources", encoded)
    found = {(p.file, p.field, p.rule) for p in validate_package(built_mini)}
    assert ("data/sources.parquet", "modified_in", "column-type") in found
