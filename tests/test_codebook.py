"""docs/codebook.md: generated from the table definitions, complete, and never stale."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO
from timeline import vocab
from timeline.codebook import CODEBOOK, codebook
from timeline.rules import RULES
from timeline.tables import TABLES


def test_committed_codebook_is_up_to_date():
    assert (REPO / CODEBOOK).read_text(encoding="utf-8") == codebook(), \
        "docs/codebook.md is stale: run `timeline codebook` and commit it"


def test_every_table_field_vocabulary_and_rule_is_documented():
    text = codebook()
    for table in TABLES.values():
        assert f"\n## {table.name}\n" in text
        for f in table.fields:
            assert f"| `{f.name}` | {f.type} |" in text, f"{table.name}.{f.name}"
    for name, values in vocab.VOCABULARIES.items():
        assert f"\n### {name}\n" in text
        for value in values:
            assert f"| `{value}` |" in text, f"{name}: {value}"
    for etype, spec in vocab.EVENT_TYPES.items():
        assert f"| `{etype}` | {spec.definition} | `{spec.category}` | " \
               f"{f'`{spec.plover}`' if spec.plover else 'none'} |" in text
    for rule in RULES.values():
        assert f"| `{rule.name}` | `{rule.applies}` | {rule.meaning} |" in text


def test_check_fails_when_stale_and_write_fixes_it(tmp_path: Path, cli):
    code, _, err = cli("codebook", "--check", "--root", str(tmp_path))
    assert code == 1 and "stale" in err
    assert cli("codebook", "--root", str(tmp_path))[0] == 0
    assert cli("codebook", "--check", "--root", str(tmp_path))[0] == 0
    (tmp_path / CODEBOOK).write_text(codebook().replace("Events", "Happenings"))
    assert cli("codebook", "--check", "--root", str(tmp_path))[0] == 1
