"""The rule registry: every rule any module can report is registered, and the codebook lists it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from timeline.codebook import codebook
from timeline.rules import APPLIES, RULES

PACKAGE = Path(__file__).resolve().parent.parent / "timeline"
CORPUS = Path(__file__).parent / "bad_input"
# Where the rule stands in each call that reports one: Problem(file, line, record, field, rule, ...),
# Failure(table, row, field, rule, ...) and the record reader's self.problem(file, line, record, field, rule, ...).
RULE_ARG = {"Problem": 4, "Failure": 3, "problem": 4}
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def reported_in_code() -> dict[str, str]:
    """Every rule name written as a constant where a problem is made, with one place it is made."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                fn = node.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
                if name in RULE_ARG:
                    arg = node.args[RULE_ARG[name]] if len(node.args) > RULE_ARG[name] else None
                    arg = next((k.value for k in node.keywords if k.arg == "rule"), arg)
                    if isinstance(arg, ast.Constant):
                        found.setdefault(arg.value, f"{path.name}:{node.lineno}")
            # values.coerce and its helpers return (value, rule, message)
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 3:
                rule = node.value.elts[1]
                if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                    found.setdefault(rule.value, f"{path.name}:{node.lineno}")
    return found


def test_every_rule_the_code_reports_is_registered():
    found = reported_in_code()
    assert len(found) > 30  # the scan sees the calls
    missing = {rule: where for rule, where in found.items() if rule not in RULES}
    assert not missing, f"report through the registry (timeline/rules.py): {missing}"


def test_column_rules_and_text_rules_are_registered():
    from timeline.schemas import TEXT_RULES

    for rule in [*TEXT_RULES, "vocabulary", "pattern", "minimum", "maximum", "max-length", "unicode-nfc", "required"]:
        assert rule in RULES, rule


def test_every_golden_report_names_registered_rules():
    seen = set()
    for expected in CORPUS.glob("*/expected.txt"):
        for rule in re.findall(r": \[([a-z0-9-]+)\] ", expected.read_text(encoding="utf-8")):
            seen.add(rule)
            assert rule in RULES, f"{expected.parent.name}: [{rule}] is not registered"
    assert len(seen) > 30


def test_registered_rules_are_well_formed_and_used():
    found = reported_in_code()
    from timeline.schemas import TEXT_RULES

    column_rules = {*TEXT_RULES, "vocabulary", "pattern", "minimum", "maximum", "max-length", "unicode-nfc",
                    "required", "columns", "integrity", "unsafe-path"}
    for rule in RULES.values():
        assert NAME.fullmatch(rule.name), rule.name
        assert rule.applies in APPLIES, rule
        assert rule.meaning.endswith("."), rule
        assert rule.name in found or rule.name in column_rules, f"{rule.name} is registered but never reported"


def test_the_codebook_lists_every_registered_rule():
    text = codebook()
    for name in RULES:
        assert f"| `{name}` |" in text, name
