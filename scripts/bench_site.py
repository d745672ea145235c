"""Benchmark the explorer (site/index.html) in headless Chromium; print the figures and their ratios to the targets.

Usage: python scripts/bench_site.py [--events 10000] [--repeat 5] [--filters 5] [--json OUT] [--workdir DIR]

Two pages are measured, each built by ``timeline site``'s own function (``timeline.site.build_site``):
the real data (the checkout's package) and a synthetic package of ``--events`` events
(``scripts/make_synthetic.py``). For each page, in one browser driven over the DevTools pipe as the
browser tests drive it (``tests/test_site_browser.Browser``):

- ready: from the start of navigation to the page setting ``data-ready`` (its script has drawn the
  list, histogram and map), and to the first frame painted after that; the median of ``--repeat``
  fresh loads (the browser's cache holds the file, as on a second visit);
- filter: the time from a filter's input event to the page having rendered and laid out the
  answer (the handler, then a forced layout), and to the next painted frame, over a round of
  filter changes (category, free text, country, from-date, actor, each then cleared), repeated
  ``--filters`` times; the median.

Targets (issue 16): ready <= 0.5 s for the real data, <= 2 s for 10,000 events; a filter <= 100 ms.
No figure is asserted anywhere: tests/test_bench_site_smoke.py only runs this at a tiny size.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import make_synthetic  # noqa: E402

from tests.test_site_browser import Browser, find_browser  # noqa: E402  (the tests' DevTools helper)

# Injected before the page's own script: note when the page sets data-ready, and the frame after.
PROBE = """
(() => {
  window.__bench = {};
  new MutationObserver((_, obs) => {
    if (document.documentElement && document.documentElement.dataset.ready === "true") {
      window.__bench.ready = performance.now();
      requestAnimationFrame(() => setTimeout(() => { window.__bench.painted = performance.now(); }, 0));
      obs.disconnect();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-ready"] });
})();
"""

# One filter change, timed in the page: the input event the page listens to, then a forced layout;
# then the next painted frame.
CHANGE = """
new Promise((done) => {
  const f = document.getElementById(%s);
  const t0 = performance.now();
  f.value = %s;
  f.dispatchEvent(new Event("input", { bubbles: true }));
  void document.body.offsetHeight;
  const laid = performance.now() - t0;
  requestAnimationFrame(() => setTimeout(() => done([laid, performance.now() - t0, %s]), 0));
})
"""
COUNT = "document.querySelectorAll('#events li.event').length"

TARGETS = {"ready, real data": 0.5, "ready, synthetic": 2.0, "filter": 0.1}


def filter_round(b: Browser) -> list[tuple[str, str]]:
    """(element id, value) pairs: set each filter, then clear it."""
    actor = b.js("(document.querySelector('#f-actor option:nth-child(2)') || {}).value || ''")
    country = b.js("(document.querySelector('#f-country option:nth-child(2)') || {}).value || ''")
    category = b.js("(document.querySelector('#f-category option:nth-child(2)') || {}).value || ''")
    steps = [("f-category", category), ("q", "north"), ("f-country", country), ("f-from", "2024-10-01"),
             ("f-actor", actor)]
    out = []
    for element, value in steps:
        out += [(element, value), (element, "")]
    return out


def measure_page(b: Browser, page: Path, repeat: int, filters: int) -> dict[str, Any]:
    b.send("Page.addScriptToEvaluateOnNewDocument", session=True, source=PROBE)
    b.open(page.as_uri())  # a first load, not counted: it warms the file cache
    ready, painted = [], []
    for _ in range(repeat):
        b.open("about:blank")
        b.open(page.as_uri())
        b.js("new Promise((done) => { const t = () => window.__bench && window.__bench.painted ? done() :"
             " setTimeout(t, 5); t(); })")
        got = b.js("window.__bench")
        ready.append(got["ready"] / 1000)
        painted.append(got["painted"] / 1000)
    events = b.js("JSON.parse(document.getElementById('data').textContent).events.length")
    laid, framed, shown = [], [], []
    for _ in range(filters):
        for element, value in filter_round(b):
            a, f, n = b.js(CHANGE % (json.dumps(element), json.dumps(value), COUNT))
            laid.append(a / 1000)
            framed.append(f / 1000)
            shown.append(n)
    errors = b.console_errors()
    return {"page": str(page), "bytes": page.stat().st_size, "events": events,
            "ready_s": statistics.median(ready), "ready_painted_s": statistics.median(painted),
            "ready_runs_s": ready, "filter_s": statistics.median(laid), "filter_painted_s": statistics.median(framed),
            "filter_max_s": max(laid), "filter_painted_max_s": max(framed), "filter_changes": len(laid),
            "events_shown": shown, "console_errors": errors}


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = ["| what | events | page | median | target | ratio to target |", "|---|---:|---:|---:|---:|---:|"]
    for label, r in results.items():
        kind = "real data" if label == "real" else "synthetic"
        mb = f"{r['bytes'] / 1e6:.1f} MB"
        target = TARGETS[f"ready, {kind}"]
        for what, key in (("ready (data-ready set)", "ready_s"), ("ready, first frame painted", "ready_painted_s")):
            lines.append(f"| {what}, {kind} | {r['events']:,} | {mb} | {r[key]:.3f} s | {target} s | "
                         f"{r[key] / target:.2f} |")
        for what, key in (("filter change, laid out", "filter_s"), ("filter change, next frame", "filter_painted_s")):
            lines.append(f"| {what}, {kind} | {r['events']:,} | {mb} | {r[key] * 1000:.1f} ms | "
                         f"{TARGETS['filter'] * 1000:.0f} ms | {r[key] / TARGETS['filter']:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--events", type=int, default=10_000, help="events of the synthetic package")
    p.add_argument("--repeat", type=int, default=5, help="page loads measured per page")
    p.add_argument("--filters", type=int, default=5, help="rounds of filter changes per page")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workdir", help="where the synthetic package and pages are written (default: /tmp)")
    p.add_argument("--json", help="also write the results as JSON to this file")
    args = p.parse_args(argv)
    executable = find_browser()
    if executable is None:
        print("error: no Chromium-family browser found (set TIMELINE_BROWSER or install chromium)", file=sys.stderr)
        return 2
    from timeline.site import build_site

    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="timeline-bench-site-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        pages = {"real": work / "real.html", "synthetic": work / f"synthetic-{args.events}.html"}
        pages["real"].write_text(build_site(ROOT), encoding="utf-8")
        make_synthetic.make(args.events, work / "package", seed=args.seed)
        pages["synthetic"].write_text(build_site(work / "package"), encoding="utf-8")
        results = {}
        for label, page in pages.items():
            print(f"measuring {label} ({page.stat().st_size / 1e6:.1f} MB)", file=sys.stderr)
            b = Browser(executable, work / f"profile-{label}")
            try:
                version = b.send("Browser.getVersion").get("product", "")
                results[label] = measure_page(b, page, args.repeat, args.filters)
            finally:
                b.close()
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    info = {"browser": executable, "browser_version": version, "python": platform.python_version(),
            "machine": platform.machine(), "repeat": args.repeat, "filter_rounds": args.filters}
    print(table(results))
    print()
    for label, r in results.items():
        if r["console_errors"]:
            print(f"note: the {label} page logged console errors: {r['console_errors'][:3]}")
    goals = [("ready, real data", results["real"]["ready_painted_s"], TARGETS["ready, real data"]),
             (f"ready, {results['synthetic']['events']:,} synthetic events", results["synthetic"]["ready_painted_s"],
              TARGETS["ready, synthetic"]),
             ("filter, real data", results["real"]["filter_painted_s"], TARGETS["filter"]),
             (f"filter, {results['synthetic']['events']:,} synthetic events",
              results["synthetic"]["filter_painted_s"], TARGETS["filter"])]
    for what, got, target in goals:
        print(f"{what}: {got:.3f} s against {target} s ({got / target:.2f} of the target): "
              + ("met" if got <= target else "MISSED"))
    for label, r in results.items():
        print(f"slowest filter change, {label} ({r['events']:,} events): {r['filter_max_s'] * 1000:.1f} ms laid out, "
              f"{r['filter_painted_max_s'] * 1000:.1f} ms to the next frame ({r['filter_changes']} changes)")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": info, "results": results,
                                               "targets": [{"target": w, "seconds": g, "limit": t, "met": g <= t}
                                                           for w, g, t in goals]}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
