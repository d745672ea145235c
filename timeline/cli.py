"""The ``timeline`` command: parse arguments, call the library, print, set the exit code.

Each command imports what it needs when it runs, so ``timeline --help`` stays fast.
Exit status: 0 success, 1 the data has problems, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    def register(fn: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = fn
        return fn

    return register


def _print_problems(problems, as_json: bool, stream=None) -> None:
    stream = stream or sys.stdout
    if as_json:
        json.dump({"valid": not problems, "problems": [p.to_dict() for p in problems]}, stream, indent=2)
        stream.write("\n")
        return
    for p in problems:
        print(p, file=stream)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=stream)


@command("build")
def _build(args: argparse.Namespace) -> int:
    from .build import build, check
    from .problems import BuildLocked, ValidationFailed

    try:
        if args.check:
            stale = check(args.root)
            if stale:
                print("Committed outputs are stale; run `timeline build` and commit:", file=sys.stderr)
                for rel in stale:
                    print(f"  {rel}", file=sys.stderr)
                return 1
            print("Committed outputs are up to date.")
            return 0
        result = build(args.root)
    except ValidationFailed as exc:
        _print_problems(exc.problems, False, sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except BuildLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{n} {c}" for n, c in result.rows.items())
    print(f"Built version {result.version}: {rows}.")
    print(f"{len(result.changed)} file(s) changed." if result.changed else "Outputs already up to date.")
    return 0


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from .validate import validate_package, validate_records

    problems = []
    if not args.package_only:
        problems += validate_records(args.root)
    if not args.records_only:
        problems += validate_package(args.package or args.root)
    _print_problems(problems, args.json)
    if not problems and not args.json:
        print("Valid: no problems found.")
    return 1 if problems else 0


@command("stats")
def _stats(args: argparse.Namespace) -> int:
    from .stats import REPORT, report, write_report

    if args.write:
        print(f"Wrote {write_report(args.root)}")
        return 0
    if args.check:
        from pathlib import Path

        target = Path(args.root) / REPORT
        if not target.exists() or target.read_text(encoding="utf-8") != report(args.root):
            print(f"{REPORT} is stale; run `timeline stats --write` and commit it.", file=sys.stderr)
            return 1
        print(f"{REPORT} is up to date.")
        return 0
    print(report(args.package or args.root), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="timeline",
        description="Build, validate and load the Russia-DPRK partnership timeline data package.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="validate the records and write data/*.parquet, schemas/, datapackage.json")
    b.add_argument("--root", default=".", help="repository folder (default: current)")
    b.add_argument("--check", action="store_true", help="fail if the committed outputs are stale")

    v = sub.add_parser("validate", help="check the records and the built package; report every problem")
    v.add_argument("--root", default=".", help="repository folder (default: current)")
    v.add_argument("--package", help="validate this package folder instead of the repository's")
    v.add_argument("--records-only", action="store_true", help="check only the curated records")
    v.add_argument("--package-only", action="store_true", help="check only the built package")
    v.add_argument("--json", action="store_true", help="print the problems as JSON")
    s = sub.add_parser("stats", help="print the data report: counts by type and year, sourcing, estimates")
    s.add_argument("--root", default=".", help="repository folder (default: current)")
    s.add_argument("--package", help="report on this package folder or release archive")
    s.add_argument("--write", action="store_true", help="write docs/data-report.md")
    s.add_argument("--check", action="store_true", help="fail if docs/data-report.md is stale")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "package", None):
        args.package_only = True
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception as exc:  # noqa: BLE001 - users get one line, never a traceback
        from .problems import TimelineError

        kind = "error" if isinstance(exc, (TimelineError, OSError)) else "internal error"
        print(f"{kind}: {exc}", file=sys.stderr)
        return 2
