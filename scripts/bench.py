"""Benchmark the toolchain on synthetic packages of growing size; print a table of times and ratios.

Usage: python scripts/bench.py [--sizes 10000 100000 1000000] [--build-sizes 10000 100000]
                               [--repeat 5] [--frictionless-limit 120] [--parquet-limit S]
                               [--json OUT] [--workdir DIR]

Every figure is the median wall time of ``--repeat`` runs of a whole command in a fresh process
(interpreter start and imports included: what a contributor or CI waits for), with the peak
resident memory of that process. A command and the baseline of its ratio run alternately, so
both meet the same background load. Measured per size: reading every table with pyarrow (the floor),
``timeline validate --package`` (every rule), ``frictionless validate`` of the same package as
Parquet and as CSV (stopped at the limit and reported as "> limit"), ``timeline.load()`` against
``pd.read_parquet`` of the same files, ``timeline build`` from records against a bare YAML parse of
the same files, and ``timeline --help`` / ``import timeline`` against ``python -c pass``.
Synthetic data is written under ``--workdir`` and kept there for the next run (generation is slow;
a package is made again only when its folder lacks the stamp), or in a new folder in /tmp that is
removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import make_synthetic  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
# The console script, as contributors run it; the module where it is not installed.
TIMELINE = [str(BIN / "timeline")] if (BIN / "timeline").exists() else [PY, "-m", "timeline"]

READ_ALL = ("import glob, json, pyarrow.parquet as pq; "
            "t = [pq.read_table(f) for f in sorted(glob.glob({data!r} + '/*.parquet'))]; "
            "print(json.dumps({{'arrow_bytes': sum(x.nbytes for x in t)}}))")
READ_PANDAS = ("import glob, pandas as pd; "
               "[pd.read_parquet(f) for f in sorted(glob.glob({data!r} + '/*.parquet'))]")
LOAD = "import timeline; timeline.load(path={root!r})"
PARSE_YAML = ("import glob, yaml; "
              "[yaml.load(open(f, 'rb').read(), Loader=yaml.CSafeLoader) "
              "for f in sorted(glob.glob({records!r} + '/**/*.yaml', recursive=True))]")


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int
    timed_out: bool = False
    stdout: str = ""


@dataclass
class Row:
    group: str
    size: int
    what: str
    median_s: float | None
    peak_mb: float | None
    runs: int
    limit_hit: bool = False
    exit_codes: list[int] = field(default_factory=list)
    baseline: str = ""
    ratio: float | None = None

    def time_text(self) -> str:
        if self.limit_hit:
            return f"> {self.median_s:.0f}"
        return f"{self.median_s:.3f}" if self.median_s is not None else "-"


# Runs one command and reports its wall time and peak RSS. It is a separate, lean interpreter because
# Linux counts a child's memory from before its exec too: forked from this (large) process, every
# command would seem to need as much memory as the benchmark itself.
LAUNCHER = """
import json, os, signal, subprocess, sys, time
limit, out, cmd = float(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
cwd = sys.argv[4] or None
with open(out, "wb") as fh:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, cwd=cwd,
                            start_new_session=True)
    timed_out = False
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if limit and time.perf_counter() - start > limit:
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            timed_out = True
            break
        time.sleep(0.002)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_kb": usage.ru_maxrss, "code": os.waitstatus_to_exitcode(status),
                  "timed_out": timed_out}))
"""


def run_once(cmd: list[str], limit: float | None, cwd: Path | None = None) -> Run:
    """Run a command; wall time and peak RSS of that process, killed at ``limit`` seconds."""
    with tempfile.NamedTemporaryFile() as out:
        done = subprocess.run([PY, "-c", LAUNCHER, str(limit or 0), out.name, json.dumps(cmd), str(cwd or "")],
                              capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
        text = Path(out.name).read_text(encoding="utf-8", errors="replace")
    return Run(result["seconds"], result["peak_kb"] / 1024, result["code"], result["timed_out"], text)


def measure(group: str, size: int, what: str, cmd: list[str], repeat: int, limit: float | None = None,
            before=None, cwd: Path | None = None) -> tuple[Row, list[Run]]:
    """Median of ``repeat`` runs; a run that hits ``limit`` ends the series ("> limit")."""
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        run = run_once(cmd, limit, cwd)
        runs.append(run)
        if run.timed_out:
            return Row(group, size, what, limit, None, len(runs), True, [r.code for r in runs]), runs
    return Row(group, size, what, statistics.median(r.seconds for r in runs),
               statistics.median(r.peak_mb for r in runs), len(runs), False, [r.code for r in runs]), runs


def measure_pair(group: str, size: int, base: tuple[str, list[str]], other: tuple[str, list[str]], repeat: int,
                 before=None) -> tuple[tuple[Row, list[Run]], tuple[Row, list[Run]]]:
    """Both commands ``repeat`` times, alternating, so that the two meet the same background load
    (the cores are shared); the second is set as a ratio to the first."""
    runs: tuple[list[Run], list[Run]] = ([], [])
    for _ in range(repeat):
        for (_, cmd), out, hook in ((base, runs[0], None), (other, runs[1], before)):
            if hook is not None:
                hook()
            out.append(run_once(cmd, None))
    rows = [Row(group, size, what, statistics.median(r.seconds for r in got), statistics.median(r.peak_mb for r in got),
                len(got), False, [r.code for r in got]) for (what, _), got in zip((base, other), runs, strict=True)]
    ratio(rows[1], rows[0])
    return (rows[0], runs[0]), (rows[1], runs[1])


def ratio(row: Row, base: Row) -> None:
    row.baseline = base.what
    if row.median_s is not None and base.median_s:
        row.ratio = row.median_s / base.median_s


def machine() -> dict[str, object]:
    """What the figures were measured on."""
    import numpy
    import pandas
    import pyarrow
    import yaml

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        mem_kb = 0
    versions = {"python": platform.python_version(), "pandas": pandas.__version__, "pyarrow": pyarrow.__version__,
                "numpy": numpy.__version__, "pyyaml": yaml.__version__,
                "libyaml": getattr(yaml, "__with_libyaml__", False)}
    for name in ("frictionless", "pandera"):
        try:
            versions[name] = __import__(name).__version__
        except Exception:  # noqa: BLE001 - optional for the report
            versions[name] = "not installed"
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory_gib": round(mem_kb / 2**20, 1),
            "platform": platform.platform(), "load_average_at_start": os.getloadavg(), **versions}


def bench_size(n: int, args: argparse.Namespace, work: Path) -> tuple[list[Row], int]:
    with_records = n in args.build_sizes
    root = work / f"n{n}-seed{args.seed}{'-records' if with_records else ''}"
    stamp = root / ".bench-generated"
    if args.workdir and stamp.exists():
        print(f"  reusing {root}", file=sys.stderr)
    else:
        t0 = time.perf_counter()
        make_synthetic.make(n, root, seed=args.seed, records=with_records, csv=True)
        stamp.write_text(f"{n} {args.seed} {with_records}\n")
        print(f"  generated {n:,} events in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rep, data = args.repeat, str(root / "data")
    rows = []
    (floor, runs), (validate, _) = measure_pair(
        "validate", n, ("pyarrow read of all tables (floor)", [PY, "-c", READ_ALL.format(data=data)]),
        ("timeline validate --package", [*TIMELINE, "validate", "--package", str(root)]), rep)
    arrow_bytes = json.loads(runs[0].stdout)["arrow_bytes"]
    rows += [floor, validate]
    for form, descriptor, limit in (("Parquet", root / "datapackage.json", args.parquet_limit),
                                    ("CSV", root / "csv" / "datapackage.json", args.frictionless_limit)):
        row, _ = measure("validate", n, f"frictionless validate, {form}",
                         [str(BIN / "frictionless"), "validate", str(descriptor)], rep, limit)
        ratio(row, validate)
        rows.append(row)
    (plain, _), (load, _) = measure_pair(
        "load", n, ("pd.read_parquet of every file", [PY, "-c", READ_PANDAS.format(data=data)]),
        ("timeline.load() (hashes checked)", [PY, "-c", LOAD.format(root=str(root))]), rep)
    rows += [plain, load]
    if with_records:
        records = str(root / "data" / "records")
        parse_cmd = [PY, "-c", PARSE_YAML.format(records=records)]
        (parse, _), (build, _) = measure_pair(
            "build", n, ("bare YAML parse of the records (CSafeLoader)", parse_cmd),
            ("timeline build", [*TIMELINE, "build", "--root", str(root)]), args.build_repeat,
            before=lambda: _clear_outputs(root))
        rows += [parse, build]
    if not args.workdir:
        shutil.rmtree(root, ignore_errors=True)
    return rows, arrow_bytes


def _clear_outputs(root: Path) -> None:
    """Each build starts from records only, as on a fresh checkout: its output folder (``timeline build``
    writes ROOT/build/package) is removed, so every run writes every file; the package under ROOT,
    which the other commands read, is left alone."""
    shutil.rmtree(root / "build", ignore_errors=True)


def bench_startup(args: argparse.Namespace) -> list[Row]:
    rep = max(args.repeat, 5)
    bare_cmd = ("python -c pass", [PY, "-c", "pass"])
    (bare, _), (helped, _) = measure_pair("start-up", 0, bare_cmd, ("timeline --help", [*TIMELINE, "--help"]), rep)
    (_, _), (imported, _) = measure_pair("start-up", 0, bare_cmd,
                                         ("python -c 'import timeline'", [PY, "-c", "import timeline"]), rep)
    ratio(imported, bare)
    return [bare, helped, imported]


def targets(rows: list[Row], arrow: dict[int, int], args: argparse.Namespace) -> list[dict[str, object]]:
    """The issue's targets, checked on the largest size measured."""
    def get(group: str, what: str, size: int | None = None) -> Row | None:
        return next((r for r in rows if r.group == group and r.what.startswith(what)
                     and (size is None or r.size == size)), None)

    out = []
    n = max(args.sizes)
    validate, floor = get("validate", "timeline validate", n), get("validate", "pyarrow read", n)
    csv = get("validate", "frictionless validate, CSV", n)
    load, plain = get("load", "timeline.load", n), get("load", "pd.read_parquet", n)
    helped = get("start-up", "timeline --help")
    build = get("build", "timeline build", max(args.build_sizes)) if args.build_sizes else None

    def add(name: str, value: float | None, limit: float, at_most: bool, lower_bound: bool = False) -> None:
        ok = None if value is None else (value <= limit if at_most else value >= limit)
        out.append({"target": name, "value": value, "limit": limit, "at_most": at_most, "met": ok,
                    "lower_bound": lower_bound})

    if validate and floor:
        add(f"validate / pyarrow read, {n:,} events", validate.ratio, 3, True)
    # The tighter targets of issue 11, each at its own size.
    for size, limit in ((100_000, 1.35), (1_000_000, 2)):
        at = get("validate", "timeline validate", size)
        if size in args.sizes and at:
            add(f"validate / pyarrow read, {size:,} events (issue 11)", at.ratio, limit, True)
    if validate and csv and validate.median_s:
        add(f"frictionless CSV / validate, {n:,} events", csv.median_s / validate.median_s, 50, False,
            lower_bound=csv.limit_hit)
    if validate and validate.peak_mb and arrow.get(n):
        add(f"validate peak RSS / Arrow size, {n:,} events", validate.peak_mb * 2**20 / arrow[n], 2, True)
    if load and plain:
        add(f"load / pd.read_parquet, {n:,} events", load.ratio, 1.3, True)
    if helped:
        add("timeline --help / python -c pass", helped.ratio, 10, True)
    if build:
        add(f"timeline build of {build.size:,} events, seconds", build.median_s, 60, True)
    small_build = get("build", "timeline build", 10_000)
    if small_build:
        add("timeline build / bare YAML parse, 10,000 events (issue 11)", small_build.ratio, 1.4, True)
    return out


def table(rows: list[Row], arrow: dict[int, int]) -> str:
    lines = ["| size (events) | what | median s | runs | ratio | to | peak RSS MB |",
             "|---:|---|---:|---:|---:|---|---:|"]
    for r in rows:
        rat = "-" if r.ratio is None else (f"> {r.ratio:.1f}" if r.limit_hit else f"{r.ratio:.2f}")
        size = f"{r.size:,}" if r.size else "-"
        peak = "-" if r.peak_mb is None else f"{r.peak_mb:,.0f}"
        lines.append(f"| {size} | {r.what} | {r.time_text()} | {r.runs} | {rat} | {r.baseline} | {peak} |")
    lines.append("")
    lines.append("In-memory Arrow size of the tables: " +
                 ", ".join(f"{n:,} events {b / 2**20:,.0f} MB" for n, b in sorted(arrow.items())) + ".")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--build-sizes", type=int, nargs="*", default=[10_000, 100_000],
                   help="sizes at which curated records are written and built (each must be in --sizes)")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--build-repeat", type=int, help="repetitions of the build figures (default: --repeat)")
    p.add_argument("--frictionless-limit", type=float, default=120.0,
                   help="seconds before frictionless (CSV form) is stopped")
    p.add_argument("--parquet-limit", type=float,
                   help="seconds before frictionless on the Parquet form is stopped (default: --frictionless-limit)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", help="where synthetic packages are written (default: a new folder in /tmp)")
    p.add_argument("--json", help="also write the results as JSON to this file")
    args = p.parse_args(argv)
    args.build_repeat = args.build_repeat or args.repeat
    args.parquet_limit = args.parquet_limit or args.frictionless_limit
    args.sizes = sorted(set(args.sizes))
    args.build_sizes = sorted(set(args.build_sizes) & set(args.sizes))
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="timeline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    info = machine()
    started = time.perf_counter()
    rows: list[Row] = []
    arrow: dict[int, int] = {}
    try:
        for n in args.sizes:
            print(f"size {n:,}", file=sys.stderr)
            size_rows, arrow[n] = bench_size(n, args, work)
            rows += size_rows
        rows += bench_startup(args)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    info["bench_seconds"] = round(time.perf_counter() - started, 1)
    goals = targets(rows, arrow, args)
    print(table(rows, arrow))
    print()
    for g in goals:
        mark = {True: "met", False: "NOT met", None: "n/a"}[g["met"]]
        value = "-" if g["value"] is None else f"{'> ' if g['lower_bound'] else ''}{g['value']:.2f}"
        print(f"- {g['target']}: {value} (target {'<=' if g['at_most'] else '>='} {g['limit']}): {mark}")
    bad = [r for r in rows if any(c != 0 for c in r.exit_codes) and "frictionless" not in r.what]
    for r in bad:
        print(f"warning: {r.what} at {r.size:,} exited with {r.exit_codes}", file=sys.stderr)
    if args.json:
        result = {"machine": info, "arguments": vars(args), "rows": [asdict(r) for r in rows],
                  "arrow_bytes": arrow, "targets": goals}
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
