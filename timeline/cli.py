"""The ``timeline`` command: parse arguments, call the library, print, set the exit code.

Each command imports what it needs when it runs, so ``timeline --help`` stays fast.
Exit status: 0 success, 1 the data has problems, 2 usage or environment error.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}
ROOT_HELP = "repository folder (default: the checkout holding the current folder)"


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


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the current folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd())) if path.is_absolute() else str(path)
    except ValueError:
        return str(path)


def _stale_report(stale: Sequence[str], root: Path, fix: str, fresh: str) -> int:
    """What every --check prints: each stale file on stderr (exit 1), else ``fresh`` (exit 0)."""
    for rel in stale:
        print(f"{_shown(root / rel)} is stale; {fix}.", file=sys.stderr)
    if not stale:
        print(fresh)
    return 1 if stale else 0


def _write_or_check(files: dict[str, bytes], root: Path, check: bool, what: str, fix: str) -> int:
    """The one write / --check branch of the commands that generate files (``files`` by path under
    ``root``): write the changed ones, or name the stale ones. ``what`` names them all in messages."""
    from .outputs import stale_outputs, write_outputs

    if check:
        return _stale_report(stale_outputs(root, files), root, fix,
                             f"{what} {'is' if len(files) == 1 else 'are'} up to date.")
    changed = write_outputs(root, files)
    print(f"Wrote {', '.join(_shown(root / rel) for rel in changed)}." if changed else f"{what} already up to date.")
    return 0


def _today():
    """The build date: today, unless ``TIMELINE_TODAY=YYYY-MM-DD`` fixes it (reproducible runs and tests)."""
    import datetime as dt
    import os

    from .problems import TimelineError

    value = os.environ.get("TIMELINE_TODAY", "")
    if not value:
        return dt.date.today()
    try:
        if len(value) != 10:  # fromisoformat would also take 20260101
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TimelineError(f"TIMELINE_TODAY must be a date written as YYYY-MM-DD, not {value!r}") from None


@command("build")
def _build(args: argparse.Namespace) -> int:
    from .build import build, check
    from .history import last_release
    from .locate import checkout
    from .paths import WORKING
    from .problems import BuildLocked, ValidationFailed

    root = checkout(args.root, "build")
    out = Path(args.out) if args.out else root / WORKING
    if _ONE_COMMAND:
        from .frame import pyarrow_without_pandas

        pyarrow_without_pandas()  # the records become Arrow tables; only a diff with a release needs pandas
    try:
        if args.check:
            stale, last = check(root, _today()), last_release(root)
            fix = ("run `timeline build --out .` and commit it" if last is None else
                   f"it must not differ from release {last.version}'s package, which only `timeline release` "
                   "writes (restore it with git checkout)")
            return _stale_report(stale, root, fix, "The records build; committed outputs are up to date.")
        result = build(root, _today(), out=out)
    except ValidationFailed as exc:
        _print_problems(exc.problems, False, sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except BuildLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    rows = ", ".join(f"{n} {c}" for n, c in result.rows.items())
    print(f"Built version {result.version}: {rows}.")
    changed = f"{len(result.changed)} file(s) changed" if result.changed else "already up to date"
    print(f"Package in {out}: {changed}.")
    return 0


@command("validate")
def _validate(args: argparse.Namespace) -> int:
    from . import locate
    from .validate import validate_package, validate_records

    problems = []
    if _ONE_COMMAND and (args.package is not None or args.package_only):
        from .frame import pyarrow_without_pandas

        pyarrow_without_pandas()  # the package rules run on Arrow; the records' assembly uses pandas
    if args.package is not None:  # `--package` alone: the checkout's package, else the bundled one
        problems += validate_package(locate.package(args.package, args.root), _today())
    else:
        root = locate.checkout(args.root, "validate", "give --package PATH to check a built package")
        if not args.package_only:
            problems += validate_records(root, _today())
        if not args.records_only:
            problems += validate_package(root, _today())
    _print_problems(problems, args.json)
    if not problems and not args.json:
        print("Valid: no problems found.")
    return 1 if problems else 0


@command("stats")
def _stats(args: argparse.Namespace) -> int:
    from . import locate
    from .stats import REPORT, report

    package = locate.package(args.package, args.root)
    if args.write or args.check:
        target = locate.output(args.out, args.root, REPORT, "stats")
        return _write_or_check({target.name: report(package).encode()}, target.parent, args.check,
                               _shown(target), "run `timeline stats --write` and commit it")
    print(report(package), end="")
    return 0


@command("plot")
def _plot(args: argparse.Namespace) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("error: `timeline plot` needs matplotlib: pip install 'russia-dprk-timeline[plot]'", file=sys.stderr)
        return 2
    from . import locate
    from .plot import FIGURES, figure_files

    package = locate.package(args.package, args.root)
    out = locate.output(args.out, args.root, FIGURES, "plot")
    return _write_or_check(figure_files(package), out, args.check, f"Figures in {_shown(out)}",
                           "run `timeline plot` and commit it")


@command("site")
def _site(args: argparse.Namespace) -> int:
    from . import locate
    from .site import SITE, build_site

    package = locate.package(args.package, args.root)
    out = locate.output(args.out, args.root, SITE, "site")
    return _write_or_check({out.name: build_site(package).encode()}, out.parent, args.check, _shown(out),
                           "run `timeline site` and commit it")


def _add_view_parsers(sub) -> None:
    for name, what, default in (("plot", "write the README figures (PNG)", "docs/figures"),
                                ("site", "write the explorer (one self-contained HTML file)", "site/index.html")):
        c = sub.add_parser(name, help=f"{what} from the built package")
        c.add_argument("--root", help=ROOT_HELP)
        c.add_argument("--package", help="draw from this package folder or release archive (default: the "
                                          "checkout's, else the bundled copy)")
        c.add_argument("--out", help=f"where to write (default: ROOT/{default})")
        c.add_argument("--check", action="store_true", help="fail if the committed output is stale")


@command("diff")
def _diff(args: argparse.Namespace) -> int:
    from . import locate
    from .diff import Package, diff_packages
    from .diffreport import to_dict, to_text
    from .paths import find_root
    from .reader import open_package

    repo = args.repo or find_root() or Path.cwd()
    new = args.new or str(locate.package(None))
    result = diff_packages(Package.of(open_package(args.old, repo)), Package.of(open_package(new, repo)))
    if args.json:
        json.dump(to_dict(result), sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(to_text(result, summary=args.summary), end="")
    return 0


@command("release")
def _release(args: argparse.Namespace) -> int:
    import datetime as dt

    from .diff import LEVELS
    from .locate import checkout
    from .problems import BuildLocked, ValidationFailed
    from .release import NothingToRelease, release

    notes = Path(args.notes).read_text(encoding="utf-8") if args.notes else ""
    today = dt.date.fromisoformat(args.date) if args.date else _today()
    try:
        r = release(checkout(args.root, "release"), args.bump, args.reason, notes, today=today, dry_run=args.dry_run)
    except ValidationFailed as exc:
        _print_problems(exc.problems, False, sys.stderr)
        print("The package is not valid; nothing was released.", file=sys.stderr)
        return 1
    except NothingToRelease as exc:
        if args.dry_run:  # a question answered, not a failure
            print(f"Nothing to release: {exc}.")
            print("Dry run: nothing was written.")
            return 0
        print(f"Nothing to release: {exc}.", file=sys.stderr)
        return 1
    except BuildLocked as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if r.previous is None:
        print(f"First release: {r.version}.")
    else:
        why = "; ".join(w for lvl, w in r.diff.reasons() if lvl == r.computed)
        print(f"Release {r.version} after {r.previous}: {LEVELS[r.level].upper()} ({why}).")
    if args.dry_run:
        print("Dry run: nothing was written.")
        return 0
    print(f"{len(r.changed)} file(s) written; tag the commit v{r.version}.")
    print(f"Archive: {r.archive} ({len(r.archive_bytes)} bytes)")
    print(f"sha256: {r.sha256}")
    return 0


@command("archive")
def _archive(args: argparse.Namespace) -> int:
    from .archive import archive_name
    from .descriptor import sha256
    from .locate import checkout
    from .outputs import write_outputs
    from .release import DIST, rebuild

    root = checkout(args.root, "archive")
    rel, data = rebuild(root, args.version)
    digest, recorded = sha256(data), rel.manifest.get("archive", {}).get("sha256")
    if not args.check:
        target = Path(args.out) if args.out else root / DIST / archive_name(
            str(rel.manifest.get("archive", {}).get("name", "")).removesuffix(f"-{rel.version}.zip"), rel.version)
        write_outputs(target.parent, {target.name: data})
        print(f"Archive: {_shown(target)} ({len(data)} bytes)")
    print(f"sha256: {digest}")
    if digest != recorded:
        print(f"The rebuilt archive differs from release {rel.version} (recorded sha256 {recorded}).",
              file=sys.stderr)
        return 1
    print(f"Identical to release {rel.version} as recorded in data/releases/{rel.version}/release.json.")
    return 0


@command("codebook")
def _codebook(args: argparse.Namespace) -> int:
    from .codebook import CODEBOOK, codebook, outputs
    from .locate import checkout, output

    fix = "run `timeline codebook` and commit it"
    if args.out:  # the codebook alone, where --out says
        target = output(args.out, args.root, CODEBOOK, "codebook")
        return _write_or_check({target.name: codebook().encode()}, target.parent, args.check, _shown(target), fix)
    root = checkout(args.root, "codebook", f"give --out PATH (it would write {CODEBOOK.as_posix()})")
    files = outputs()
    return _write_or_check(files, root, args.check, " and ".join(files), fix)


@command("cite")
def _cite(args: argparse.Namespace) -> int:
    from .citation import cite_bibtex, cite_text, expected_files

    if args.check or args.write:
        files = expected_files(args.root)
        return _write_or_check(files, Path(args.root), args.check, " and ".join(files),
                               "run `timeline cite --write` and commit it")
    from .reader import open_package

    descriptor = open_package(args.package).descriptor
    print(cite_bibtex(descriptor) if args.bibtex else cite_text(descriptor))
    return 0


def _cite_parser(sub) -> None:
    c = sub.add_parser("cite", help="print how to cite the package (plain text or BibTeX)")
    c.add_argument("--package", help="cite this package folder or release archive (default: the one "
                   "timeline.load() reads)")
    c.add_argument("--bibtex", action="store_true", help="print a BibTeX entry")
    c.add_argument("--root", default=".", help="repository folder, for --write and --check (default: current)")
    c.add_argument("--write", action="store_true", help="write CITATION.cff and .zenodo.json for the last release")
    c.add_argument("--check", action="store_true", help="fail if CITATION.cff or .zenodo.json is stale")


def _release_parsers(sub) -> None:
    d = sub.add_parser("diff", help="compare two packages (folders, release .zip files or git revisions)")
    d.add_argument("old", help="the earlier package: a folder, a release .zip or a git revision")
    d.add_argument("new", nargs="?", help="the later package, likewise (default: the checkout's package, "
                                           "else the bundled copy)")
    d.add_argument("--repo", help="git repository for revisions (default: the checkout holding the current folder)")
    d.add_argument("--json", action="store_true", help="print the differences as JSON")
    d.add_argument("--summary", action="store_true", help="counts only, without the rows")

    r = sub.add_parser("release", help="cut the next version: tables, changelog, citation, dist/ archive")
    r.add_argument("--root", help=ROOT_HELP)
    r.add_argument("--bump", choices=["major", "minor", "patch"], help="override the computed bump")
    r.add_argument("--reason", help="why the bump is overridden (required with --bump; goes in the changelog)")
    r.add_argument("--notes", help="Markdown file whose text is added to the changelog entry")
    r.add_argument("--date", help="release date, YYYY-MM-DD (default: today)")
    r.add_argument("--dry-run", action="store_true", help="show the version and changes; write nothing")

    a = sub.add_parser("archive", help="rebuild a release's archive from data/releases/ and compare its sha256")
    a.add_argument("--root", help=ROOT_HELP)
    a.add_argument("--version", help="release to rebuild (default: the last)")
    a.add_argument("--out", help="where to write the archive (default: dist/<name>-<version>.zip)")
    a.add_argument("--check", action="store_true", help="only compare with the recorded sha256; write nothing")

    c = sub.add_parser("codebook", help="write docs/codebook.md and docs/read-tables.R from the table definitions")
    c.add_argument("--root", help=ROOT_HELP)
    c.add_argument("--out", help="write or check the codebook alone, in this file")
    c.add_argument("--check", action="store_true", help="fail if docs/codebook.md or docs/read-tables.R is stale")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="timeline",
        description="Build, validate and load the Russia-DPRK partnership timeline data package.",
        epilog="Set TIMELINE_TODAY=YYYY-MM-DD to fix the build date that 'no dates in the future' is "
               "checked against (reproducible runs and tests); by default it is today.",
    )
    from .cli_records import add_record_parsers  # registers its commands

    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = sub.add_parser("build", help="validate the records and build the package they make into build/package/ "
                                     "(the committed one is the last release's)")
    b.add_argument("--root", help=ROOT_HELP)
    b.add_argument("--out", help="package folder to write (default: ROOT/build/package, not committed; "
                                 "`--out .` writes the committed package, which only releases should)")
    b.add_argument("--check", action="store_true",
                   help="check the records build and the committed package is the last release's")

    v = sub.add_parser("validate", help="check the records and the built package; report every problem")
    v.add_argument("--root", help=ROOT_HELP)
    v.add_argument("--package", nargs="?", const="", metavar="PATH",
                   help="validate only this built package (alone: the checkout's, else the bundled copy)")
    v.add_argument("--records-only", action="store_true", help="check only the curated records")
    v.add_argument("--package-only", action="store_true", help="check only the built package")
    v.add_argument("--json", action="store_true", help="print the problems as JSON")
    s = sub.add_parser("stats", help="print the data report: counts by type and year, sourcing, estimates")
    s.add_argument("--root", help=ROOT_HELP)
    s.add_argument("--package", help="report on this package folder or release archive (default: the "
                                      "checkout's, else the bundled copy)")
    s.add_argument("--write", action="store_true", help="write docs/data-report.md")
    s.add_argument("--out", help="the report file to write or check (default: ROOT/docs/data-report.md)")
    s.add_argument("--check", action="store_true", help="fail if docs/data-report.md is stale")
    add_record_parsers(sub, ROOT_HELP)
    _add_view_parsers(sub)
    _release_parsers(sub)
    _cite_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except Exception as exc:  # noqa: BLE001 - users get one line, never a traceback
        from .problems import TimelineError

        kind = "error" if isinstance(exc, (TimelineError, OSError)) else "internal error"
        print(f"{kind}: {exc}", file=sys.stderr)
        return 2


# Set by ``entry``: this process runs one command, then exits (no caller shares its imports).
_ONE_COMMAND = False


def entry() -> None:
    """Console-script entry point: run ``main`` and exit without tearing down Arrow's threads.

    pyarrow's thread pools can abort the interpreter at shutdown ("terminate called without an
    active exception", apache/arrow#34314) after all work is done; exiting directly once the
    output is flushed gives the exit status ``main`` chose.
    """
    import os

    global _ONE_COMMAND
    _ONE_COMMAND = True
    code = main()
    if "pyarrow" in sys.modules:
        import gc

        gc.collect()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
