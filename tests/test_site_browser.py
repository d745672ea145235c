"""The explorer in a real browser: headless Chromium, driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe`` (the transport Puppeteer and Playwright use):
DevTools messages are NUL-terminated JSON on file descriptors 3 and 4, so no port, no websocket
library and no network are needed. `.ci/run` installs Debian's ``chromium``; set
``TIMELINE_BROWSER`` to use another Chromium-family executable. Without one the tests skip, saying
why. Screenshots go to test-artifacts/ (git-ignored).

The committed page is tested on the real data; the map, the shareable address and the CSV export
are also tested on a small synthetic dataset built here (every where-precision, shared places,
month-precision dates), so that the expected markers and rows can be computed exactly.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from timeline.site import site_data, site_html

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WAIT = 60.0  # seconds: a generous ceiling against hangs, not a timing assertion
PAGE = 100  # events the list shows at a time (PAGE in timeline/site_template.html)


def find_browser() -> str | None:
    env = os.environ.get("TIMELINE_BROWSER")
    if env:
        return shutil.which(env) or (env if Path(env).is_file() else None)
    return next((path for name in CANDIDATES if (path := shutil.which(name))), None)


BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium-family browser found (tried TIMELINE_BROWSER and " + ", ".join(CANDIDATES)
    + "); install one with `apt-get install chromium`, as .ci/run does, to run the browser tests",
)


class Browser:
    """A headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, profile: Path) -> None:
        # The browser reads commands from its fd 3 and writes replies to its fd 4. A small Python
        # launcher moves the pipe ends there and execs the browser (no preexec_fn: safe with threads).
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()
        launcher = ("import fcntl, os, sys\n"
                    "high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
                    "for fd in sys.argv[1:3]: os.close(int(fd))\n"
                    "os.dup2(high[0], 3); os.dup2(high[1], 4); os.close(high[0]); os.close(high[1])\n"
                    "os.execv(sys.argv[3], sys.argv[3:])")
        args = [sys.executable, "-c", launcher, str(cmd_r), str(out_w),
                executable, "--headless", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-features=Translate,OptimizationHints,MediaRouter",
                "--mute-audio", "--hide-scrollbars", f"--user-data-dir={profile}", "about:blank"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, pass_fds=(cmd_r, out_w))
        os.close(cmd_r)
        os.close(out_w)
        self._next = 0
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: queue.Queue = queue.Queue()
        self.log: list[dict[str, Any]] = []  # every protocol event, for console and network checks
        threading.Thread(target=self._read, daemon=True).start()
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=True)

    def _read(self) -> None:
        buf = b""
        with os.fdopen(self._out_r, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    msg = json.loads(raw)
                    if "id" in msg:
                        with self._lock:
                            box = self._replies.get(msg["id"])
                        if box:
                            box.put(msg)
                    else:
                        self.log.append(msg)
                        self.events.put(msg)

    def send(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        with self._lock:
            self._next += 1
            ident = self._next
            box = self._replies[ident] = queue.Queue()
        msg: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        try:
            reply = box.get(timeout=WAIT)
        except queue.Empty:
            raise AssertionError(f"no reply from the browser to {method}") from None
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_for(self, method: str) -> dict[str, Any]:
        while True:
            try:
                msg = self.events.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"the browser never sent {method}") from None
            if msg.get("method") == method:
                return msg.get("params", {})

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} raised {result['exceptionDetails']}")
        return result["result"].get("value")

    def browser_send(self, method: str, **params: Any) -> dict[str, Any]:
        """A command to the browser itself (not to the page)."""
        return self.send(method, **params)

    def reload(self) -> None:
        self.send("Page.reload", session=True)
        self.wait_for("Page.loadEventFired")

    def open(self, url: str, width: int = 1200, height: int = 900, mobile: bool = False) -> None:
        self.send("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=mobile)
        self.send("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=False)["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))

    def console_errors(self) -> list[str]:
        errors = []
        for msg in self.log:
            method, p = msg.get("method"), msg.get("params", {})
            if method == "Runtime.exceptionThrown":
                errors.append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
                errors.append(p["entry"].get("text", ""))
        return errors

    def requested_urls(self) -> list[str]:
        return [m["params"]["request"]["url"] for m in self.log if m.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        with contextlib.suppress(AssertionError, OSError):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._cmd_w)


@pytest.fixture
def browser(tmp_path: Path):
    b = Browser(BROWSER, tmp_path / "profile")
    try:
        yield b
    finally:
        b.close()


def _count(b: Browser) -> int:
    return b.js("document.querySelectorAll('#events li.event').length")


def _set(b: Browser, element_id: str, value: str) -> None:
    """Set a filter as a person would: change the value, then fire the input event the page listens to."""
    b.js(f"(() => {{ const e = document.getElementById({json.dumps(element_id)}); e.value = {json.dumps(value)};"
         " e.dispatchEvent(new Event('input', {bubbles: true})); })()")


def test_committed_explorer_works_offline(browser: Browser, tmp_path: Path) -> None:
    import timeline

    page = REPO / "site" / "index.html"
    assert page.is_file(), "site/index.html is missing; run `timeline site`"
    events = timeline.load("events", path=REPO)
    citations = timeline.load("citations", path=REPO)
    # A copy in a folder of its own proves the page needs nothing beside it.
    alone = tmp_path / "alone" / "index.html"
    alone.parent.mkdir()
    shutil.copy(page, alone)
    browser.open(alone.as_uri())
    assert browser.js("document.documentElement.dataset.ready") == "true"
    assert _count(browser) == min(len(events), PAGE)  # a page at a time
    assert browser.js("document.getElementById('count').textContent").startswith(
        f"Showing {min(len(events), PAGE)} of {len(events)}")
    browser.js("(() => { const m = document.getElementById('more'); while (!m.hidden) m.click(); })()")
    assert _count(browser) == len(events)

    # Every event shows its sources as links, and every link is http(s) and opens safely.
    first = events.sort_values(["date_start", "event_id"]).iloc[0]["event_id"]
    links = browser.js(f"[...document.getElementById({json.dumps(first)}).querySelectorAll('.sources a')]"
                       ".map(a => [a.href, a.rel])")
    assert len(links) == (citations["event_id"] == first).sum() > 0
    assert all(h.startswith(("http://", "https://")) and r == "noopener noreferrer" for h, r in links)
    total_links = browser.js("document.querySelectorAll('#events .sources a').length")
    assert total_links == len(citations)
    assert browser.js("[...document.querySelectorAll('a[href]')].every(a => /^(https?:|#|\\.\\.\\/)/.test("
                      "a.getAttribute('href')))")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "site-desktop.png")

    # Filters narrow the list: by category, by free text, by actor, by date; clearing restores all.
    treaty = int((events["category"] == "treaty").sum())
    _set(browser, "f-category", "treaty")
    assert _count(browser) == treaty
    assert browser.js("[...document.querySelectorAll('#events li.event')].every(e => e.dataset.category"
                      " === 'treaty')")
    browser.js("document.getElementById('reset').click()")
    assert _count(browser) == min(len(events), PAGE)
    _set(browser, "q", "vostochny")
    narrowed = _count(browser)
    assert 0 < narrowed < len(events)
    browser.js("document.getElementById('reset').click()")
    _set(browser, "f-from", "2024-06-01")
    _set(browser, "f-to", "2024-06-30")
    in_june = int(((events["date_start"] <= "2024-06-30")
                   & (events["date_end"].fillna(events["date_start"]) >= "2024-06-01")).sum())
    assert _count(browser) == in_june
    browser.js("document.getElementById('reset').click()")
    browser.js("document.querySelector('button.actor[data-actor=\"kim-jong-un\"]').click()")
    parts = timeline.load("participants", path=REPO)
    assert _count(browser) == parts.loc[parts["actor_id"] == "kim-jong-un", "event_id"].nunique()

    # The estimates view draws the same series as the figures, one mark per estimate.
    browser.js("document.getElementById('tab-estimates').click()")
    assert browser.js("document.querySelectorAll('#estimates-view section.series').length") == 3
    marks = browser.js("document.querySelectorAll('#estimates-view svg a.mark').length")
    rows = browser.js("document.querySelectorAll('#estimates-view tbody tr').length")
    assert marks == rows > 0
    # The real figures (millions of shells) need a wider margin than the synthetic ones: labels stay apart.
    assert no_overlap(browser, "#estimates-view .chart svg")
    browser.screenshot(ARTIFACTS / "site-estimates.png")

    assert browser.console_errors() == []
    assert offline(browser) == [], "the page must not touch the network"


def offline(b: Browser) -> list[str]:
    """Requests that left the machine: anything but the file itself, data: and blob: (the CSV export)."""
    return [u for u in b.requested_urls() if not u.startswith(("file:", "data:", "about:", "blob:"))]


def page_data(path: Path) -> dict:
    import re

    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.S).group(1))


def test_committed_explorer_maps_every_placed_event(browser: Browser) -> None:
    page = REPO / "site" / "index.html"
    data = page_data(page)
    placed = [e for e in data["events"] if e.get("lat") is not None]
    assert placed, "no event of the committed page has coordinates: regenerate it with `timeline site`"
    groups = {(e["lat"], e["lon"], e["where"]) for e in placed}
    browser.open(page.as_uri())
    assert browser.js("document.querySelectorAll('#map .mark').length") == len(groups)
    total = browser.js("[...document.querySelectorAll('#map .mark')].reduce((a, m) => a + +m.dataset.n, 0)")
    assert total == len(placed)
    assert browser.js("document.querySelectorAll('#map .land path').length") > 100
    ARTIFACTS.mkdir(exist_ok=True)
    browser.js("document.getElementById('mapbox').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "site-map-desktop.png")
    assert browser.console_errors() == []
    assert offline(browser) == []


def test_explorer_on_a_narrow_screen(browser: Browser, tmp_path: Path) -> None:
    page = REPO / "site" / "index.html"
    browser.open(page.as_uri(), width=375, height=800, mobile=True)
    assert _count(browser) > 0
    # Nothing wider than the screen: no sideways scrolling in either view.
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / "site-narrow.png")
    browser.js("document.getElementById('tab-estimates').click()")
    assert browser.js("document.querySelectorAll('#estimates-view svg').length") > 0
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_overlap(browser, "#estimates-view .chart svg")
    browser.screenshot(ARTIFACTS / "site-narrow-estimates.png")
    assert browser.console_errors() == []


def test_many_events_are_shown_in_pages(browser: Browser, tmp_path: Path) -> None:
    """With thousands of events the list renders a page at a time; a link to a later event still works."""
    import copy

    import timeline
    from timeline.package import read_descriptor

    data = site_data(timeline.load(path=REPO), read_descriptor(REPO))
    base = data["events"]
    many = []
    for i in range(20):  # 20 x 151 = 3,020 events with distinct ids
        for e in base:
            clone = copy.deepcopy(e)
            clone["id"] = f"{e['id']}-copy{i}"
            many.append(clone)
    data["events"] = many
    page = tmp_path / "many.html"
    page.write_text(site_html(data), encoding="utf-8")
    browser.open(page.as_uri())
    assert _count(browser) == PAGE
    assert browser.js("document.getElementById('count').textContent").startswith(f"Showing {PAGE} of {len(many)}")
    browser.js("document.getElementById('more').click()")
    assert _count(browser) == 2 * PAGE
    last = many[-1]["id"]
    # Resolves after the page's own hashchange listener (registered first) has run.
    browser.js("new Promise(done => { addEventListener('hashchange', () => done(), {once: true}); "
               f"location.hash = {json.dumps('#' + last)}; }})")
    assert browser.js(f"document.getElementById({json.dumps(last)}) !== null")
    _set(browser, "q", "vostochny")
    assert 0 < _count(browser) <= PAGE
    assert browser.console_errors() == []


def test_hostile_text_stays_text(browser: Browser, tmp_path: Path) -> None:
    """Markup, a closing script tag, line separators and a javascript: URL in the data are shown, never run."""
    import timeline
    from timeline.package import read_descriptor

    data = site_data(timeline.load(path=REPO), read_descriptor(REPO))
    event = data["events"][0]
    event["title"] = "</script><script>window.pwned = 1</script><img src=x onerror='window.pwned=2'>"
    event["summary"] = "line\u2028separator\u2029and <b>bold</b> & more"
    event["sources"][0]["url"] = "javascript:window.pwned=3"
    page = tmp_path / "hostile.html"
    page.write_text(site_html(data), encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.js("window.pwned === undefined")
    shown = browser.js(f"document.getElementById({json.dumps(event['id'])}).querySelector('h3').textContent")
    assert shown == event["title"]
    summary = browser.js(f"document.getElementById({json.dumps(event['id'])}).querySelector('.summary')"
                         ".textContent")
    assert summary == event["summary"]
    assert browser.js("[...document.querySelectorAll('a')].every(a => !/^javascript:/i.test(a.getAttribute('href')))")
    assert browser.console_errors() == []



# ---- the map, the address and the export, on a synthetic dataset -------------------------------

PLACES = [  # name, country, lat, lon, where-precision
    ("Pyongyang", "PRK", 39.0339, 125.7543, "exact"), ("Moscow", "RUS", 55.7522, 37.6156, "exact"),
    ("Seoul", "KOR", 37.566, 126.9784, "exact"), ("Washington, D.C.", "USA", 38.8951, -77.0364, "exact"),
    ("Kursk Oblast", "RUS", 51.7373, 36.1874, "admin1"), ("Russia", "RUS", 55.7522, 37.6156, "country"),
    ("Vostochny Cosmodrome", "RUS", 51.8843, 128.3333, "near"), ("Sea of Japan", "RUS", 42.0, 134.0, "sea"),
    None,
]


def synthetic(n: int = 60) -> dict[str, Any]:
    """A site_data-shaped dataset: n events over two years, at the places above (every ninth has none)."""
    from timeline.plot import CATEGORY_COLORS, category_label
    from timeline.site import OKABE_ITO, SHAPES
    from timeline.vocab import CATEGORIES, EVENT_TYPES, MEASURES

    types = {c: [t for t, v in EVENT_TYPES.items() if v.category == c] for c in CATEGORIES}
    cats = [c for c in CATEGORIES if types[c]]
    events, estimates = [], []
    for i in range(n):
        year, month, day = 2023 + i // 30, 1 + (i % 30) // 3 + (i % 30 > 26), 1 + 9 * (i % 3)
        month_only = i % 5 == 4
        start = f"{year}-{month:02d}-{1 if month_only else day:02d}"
        end = f"{year}-{month:02d}-28" if month_only else None
        place = PLACES[i % len(PLACES)]
        cat = cats[i % len(cats)]
        e = {"id": f"{start}-event-{i:03d}", "type": types[cat][i % len(types[cat])], "category": cat,
             "title": f"Event {i:03d} at {place[0] if place else 'no place'}",
             "summary": f"Summary {i} with word w{i % 4}.",
             "start": start, "end": end, "precision": "month" if month_only else "day", "announced": None,
             "place": place[0] if place else None, "country": place[1] if place else None,
             "lat": place[2] if place else None, "lon": place[3] if place else None,
             "where": place[4] if place else None, "treaty": None, "confidence": "medium",
             "notes": 'A note, with "quotes"\nand a second line' if i % 7 == 0 else None,
             "participants": [["vladimir-putin", "host"]] if i % 2 else [["kim-jong-un", "visitor"]],
             "sources": [{"url": f"https://example.org/{i}", "publisher": "Example", "title": f"Story {i}",
                          "date": start, "claim": "It happened."}],
             "estimates": []}
        if i % 6 == 0:
            est = {"id": f"est-{i:03d}", "event": e["id"], "measure": "troops_deployed", "unit": "people",
                   "low": 1000 + 100 * i if i % 12 else None, "best": None if i % 18 == 0 else 2000 + 100 * i,
                   "high": 3000 + 100 * i if i % 4 else None, "as_of": start, "as_of_precision": "day",
                   "estimator": f"Estimator {i % 9}", "scope": None, "basis": None, "note": None}
            e["estimates"].append(est)
            estimates.append(est)
        events.append(e)
    events.sort(key=lambda e: (e["start"], e["id"]))
    order = list(dict.fromkeys(x["estimator"] for x in sorted(estimates, key=lambda x: (x["as_of"], x["id"]))))
    return {
        "name": "synthetic", "title": "Synthetic explorer", "version": "0.0.1", "homepage": None,
        "codebook": "#tab=codebook",
        "categories": [{"id": c, "label": category_label(c), "color": CATEGORY_COLORS.get(c, "#555555"),
                        "definition": d} for c, d in CATEGORIES.items()],
        "types": {t: {"label": t.replace("_", " "), "category": v.category, "definition": v.definition}
                  for t, v in EVENT_TYPES.items()},
        "measures": {m: {"label": m.replace("_", " "), "definition": d} for m, (d, _) in MEASURES.items()},
        "actors": {"kim-jong-un": "Kim Jong Un", "vladimir-putin": "Vladimir Putin"},
        "countries": {"KOR": "South Korea", "PRK": "North Korea", "RUS": "Russia", "USA": "United States"},
        "events": events,
        "series": [{"name": "estimates-troops", "title": "Troops", "note": "Synthetic figures.",
                    "colors": {x: OKABE_ITO[i % len(OKABE_ITO)] for i, x in enumerate(order)},
                    "shapes": {x: SHAPES[i % len(SHAPES)] for i, x in enumerate(order)},
                    "panels": [{"title": "Troops deployed", "ylabel": "troops (people)", "hollow": [],
                                "estimates": sorted(estimates, key=lambda x: (x["as_of"], x["id"]))}]}],
    }


SCREENS = {"desktop": {"width": 1200, "height": 900}, "narrow": {"width": 375, "height": 800, "mobile": True}}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[dict[str, Any], Path]:
    data = synthetic()
    page = tmp_path_factory.mktemp("synthetic") / "index.html"
    page.write_text(site_html(data), encoding="utf-8")
    return data, page


def groups_of(events: list[dict]) -> dict[tuple, list[str]]:
    out: dict[tuple, list[str]] = {}
    for e in events:
        if e["lat"] is not None:
            out.setdefault((e["lat"], e["lon"], e["where"]), []).append(e["id"])
    return out


def markers(b: Browser) -> list[dict]:
    return b.js("[...document.querySelectorAll('#map .mark')].map(m => ({key: m.dataset.key, n: +m.dataset.n,"
                " where: m.dataset.where, ring: m.querySelector('.ring') ?"
                " [...m.querySelector('.ring').classList].join(' ') : '',"
                " title: m.querySelector('title').textContent}))")


def list_ids(b: Browser) -> list[str]:
    return b.js("[...document.querySelectorAll('#events li.event')].map(e => e.id)")


def no_overlap(b: Browser, selector: str) -> bool:
    """No two of the text boxes under ``selector`` (within one svg) intersect, and all lie inside their svg."""
    return b.js("[...document.querySelectorAll(" + json.dumps(selector) + ")].every(svg => {"
                " const s = svg.getBoundingClientRect();"
                " const r = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect());"
                " const inside = r.every(a => a.left >= s.left - 0.5 && a.right <= s.right + 0.5"
                "   && a.top >= s.top - 0.5 && a.bottom <= s.bottom + 0.5);"
                " const apart = r.every((a, i) => r.every((c, j) => j <= i || a.right <= c.left || c.right <= a.left"
                "   || a.bottom <= c.top || c.bottom <= a.top));"
                " return inside && apart; })")


@pytest.mark.parametrize("screen", SCREENS)
def test_map_marks_every_placed_event_and_follows_the_filters(browser: Browser, sample, screen: str) -> None:
    data, page = sample
    browser.open(page.as_uri(), **SCREENS[screen])
    events = data["events"]
    # One marker per place (coordinates and precision), carrying the number of its events.
    want = groups_of(events)
    got = markers(browser)
    assert len(got) == len(want)
    assert sum(m["n"] for m in got) == sum(e["lat"] is not None for e in events)
    assert sorted(m["n"] for m in got) == sorted(len(v) for v in want.values())
    # The where-precision is drawn: no ring for an exact place, a dotted one near a place, dashed for an area.
    rings = {"exact": "", "near": "ring near", "admin1": "ring area", "country": "ring area", "sea": "ring area"}
    assert all(m["ring"] == rings[m["where"]] for m in got)
    assert {m["where"] for m in got} == set(rings)
    # Hovering shows the titles of the events at the place.
    seoul = next(m for m in got if m["key"].startswith("37.566,"))
    assert all(e["title"] in seoul["title"] for e in events if e["place"] == "Seoul")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.js("document.getElementById('mapbox').scrollIntoView()")
    browser.screenshot(ARTIFACTS / f"site-map-{screen}-synthetic.png")

    # The map follows the filters: by category, and by text.
    category = events[0]["category"]
    _set(browser, "f-category", category)
    shown = [e for e in events if e["category"] == category]
    assert len(list_ids(browser)) == len(shown)
    got = markers(browser)
    assert len(got) == len(groups_of(shown)) and sum(m["n"] for m in got) == sum(e["lat"] is not None for e in shown)
    browser.js("document.getElementById('reset').click()")
    _set(browser, "q", "w1")
    shown = [e for e in events if "w1" in e["summary"]]
    assert sorted(list_ids(browser)) == sorted(e["id"] for e in shown)
    assert sum(m["n"] for m in markers(browser)) == sum(e["lat"] is not None for e in shown)
    browser.js("document.getElementById('reset').click()")

    # Every view of the map and the world view show the same markers; a click on a lone event opens it.
    for view in ("korea", "world", "region"):
        browser.js(f"document.querySelector('.views button[data-view={view}]').click()")
        assert len(markers(browser)) == len(want)
    lone = next(k for k, v in want.items() if len(v) == 1) if any(len(v) == 1 for v in want.values()) else None
    if lone is None:  # every place has several events: a click lists them
        key = ",".join(str(x) for x in next(iter(want)))
        browser.js(f"document.querySelector('#map .mark[data-key=\"{key}\"]')"
                   ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        assert browser.js("document.querySelectorAll('#map-pick li a').length") == len(next(iter(want.values())))
        browser.js("document.querySelector('#map-pick li a').click()")
        first = next(iter(want.values()))[0]
        assert browser.js("location.hash") == "#" + first
        assert browser.js(f"document.getElementById({json.dumps(first)}).classList.contains('target')")
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    assert browser.console_errors() == []
    assert offline(browser) == []


@pytest.mark.parametrize("screen", SCREENS)
def test_a_filtered_address_reloads_to_the_same_view(browser: Browser, sample, screen: str) -> None:
    data, page = sample
    browser.open(page.as_uri(), **SCREENS[screen])
    everything = list_ids(browser)
    _set(browser, "f-country", "RUS")
    _set(browser, "f-sort", "newest")
    _set(browser, "q", "word")
    _set(browser, "f-from", "2023-03-01")
    browser.js("document.querySelector('.views button[data-view=korea]').click()")
    ids = list_ids(browser)
    want = [e["id"] for e in reversed(data["events"])
            if e["country"] == "RUS" and (e["end"] or e["start"]) >= "2023-03-01"]
    assert ids == want and len(ids) > 3
    marks = markers(browser)
    url = browser.js("location.href")
    for part in ("country=RUS", "sort=newest", "q=word", "from=2023-03-01", "map=korea"):
        assert part in url
    # Back undoes one step at a time (the tab, the map view, the date, the search text); Forward redoes them.
    browser.js("document.getElementById('tab-estimates').click()")
    assert "tab=estimates" in browser.js("location.hash")
    step = ("new Promise(done => { addEventListener('hashchange', () => setTimeout(done, 0), {once: true});"
            " history.%s(); })")
    for gone in ("tab=", "map=", "from=", "q="):
        browser.js(step % "back")
        assert gone not in browser.js("location.hash")
    assert browser.js("document.getElementById('q').value") == ""
    assert browser.js("document.getElementById('estimates-view').hidden") is True
    assert len(list_ids(browser)) > len(ids)
    for _ in range(4):
        browser.js(step % "forward")
    assert browser.js("document.getElementById('estimates-view').hidden") is False
    browser.js("document.getElementById('tab-events').click()")
    assert browser.js("location.href") == url
    # Reloading the address gives the same view, and so does opening it in a fresh page.
    browser.reload()
    assert browser.js("location.href") == url
    assert list_ids(browser) == ids
    assert markers(browser) == marks
    assert browser.js("[document.getElementById('f-country').value, document.getElementById('f-sort').value,"
                      " document.getElementById('q').value, document.getElementById('f-from').value]") == \
        ["RUS", "newest", "word", "2023-03-01"]
    browser.open("about:blank")
    browser.open(url, **SCREENS[screen])
    assert list_ids(browser) == ids and markers(browser) == marks
    browser.js("document.getElementById('tab-estimates').click()")
    browser.reload()
    assert browser.js("document.getElementById('estimates-view').hidden") is False
    browser.js("document.getElementById('tab-events').click()")
    # Clearing the filters restores the whole list (the order and the map view are not filters).
    browser.js("document.getElementById('reset').click()")
    assert browser.js("location.hash") == "#sort=newest&map=korea"
    _set(browser, "f-sort", "oldest")
    browser.js("document.querySelector('.views button[data-view=region]').click()")
    assert list_ids(browser) == everything and browser.js("location.hash") == ""
    assert browser.console_errors() == []
    assert offline(browser) == []


def _download(b: Browser, folder: Path, button: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    b.browser_send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(folder), eventsEnabled=True)
    b.js(f"document.getElementById({json.dumps(button)}).click()")
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        done = [m["params"] for m in b.log if m.get("method") == "Browser.downloadProgress"
                and m["params"].get("state") == "completed"]
        files = [p for p in folder.iterdir() if p.suffix == ".csv"]
        if done and files:
            return files[0]
        time.sleep(0.05)
    raise AssertionError("the download never completed")


@pytest.mark.parametrize("screen", SCREENS)
def test_export_is_valid_csv_of_the_filtered_rows(browser: Browser, sample, tmp_path: Path, screen: str) -> None:
    data, page = sample
    browser.open(page.as_uri(), **SCREENS[screen])
    _set(browser, "f-actor", "kim-jong-un")
    _set(browser, "f-sort", "newest")
    shown = list_ids(browser)
    path = _download(browser, tmp_path / "events", "export-events")
    assert path.name == "synthetic-v0.0.1-events-filtered.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert [r["event_id"] for r in rows] == shown
    by_id = {e["id"]: e for e in data["events"]}
    for r in rows:
        e = by_id[r["event_id"]]
        assert r["title"] == e["title"] and r["date_start"] == e["start"] and r["notes"] == (e["notes"] or "")
        assert r["latitude"] == ("" if e["lat"] is None else str(e["lat"]).rstrip("0").rstrip("."))
        assert r["where_precision"] == (e["where"] or "")
        assert r["participants"] == "kim-jong-un (visitor)"
    assert any("\n" in r["notes"] for r in rows), "a multi-line note survives the round trip"

    browser.js("document.getElementById('tab-estimates').click()")
    path = _download(browser, tmp_path / "estimates", "export-estimates")
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    every = [x for e in data["events"] for x in e["estimates"]]
    assert sorted(r["estimate_id"] for r in rows) == sorted(x["id"] for x in every)
    for r in rows:
        x = next(x for x in every if x["id"] == r["estimate_id"])
        assert [r["low"], r["best"], r["high"]] == ["" if x[k] is None else str(x[k]) for k in ("low", "best", "high")]
    assert browser.console_errors() == []
    assert offline(browser) == []


@pytest.mark.parametrize("screen", SCREENS)
def test_dates_histogram_estimates_and_codebook(browser: Browser, sample, screen: str) -> None:
    data, page = sample
    browser.open(page.as_uri(), **SCREENS[screen])
    # Month-precision dates read "October 2024", never as a range of one month.
    month = next(e for e in data["events"] if e["precision"] == "month")
    when = browser.js(f"document.getElementById({json.dumps(month['id'])}).querySelector('time').textContent")
    names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]
    assert when == f"{names[int(month['start'][5:7]) - 1]} {month['start'][:4]}"
    # The histogram has a count axis whose top is the busiest month; the columns add up to the events shown.
    counts = browser.js("[...document.querySelectorAll('#bars .col')].map(c => +c.dataset.count)")
    assert sum(counts) == len(data["events"])
    assert browser.js("document.querySelector('#yaxis span').textContent") == str(max(counts))
    # Estimators differ in shape as well as colour; no two share both.
    browser.js("document.getElementById('tab-estimates').click()")
    legend = browser.js("[...document.querySelectorAll('#legend-estimates-troops [data-estimator]')]"
                        ".map(s => s.dataset.estimator)")
    series = data["series"][0]
    assert legend == list(series["colors"])
    pairs = {(series["colors"][x], series["shapes"][x]) for x in legend}
    assert len(pairs) == len(legend) and len({s for _, s in pairs}) > 1
    shapes = browser.js("[...document.querySelectorAll('#estimates-view svg a.mark')].map(a => a.dataset.shape)")
    assert len(shapes) == len(series["panels"][0]["estimates"])
    # Axis labels and titles do not overlap, on a phone too; nothing is wider than the screen.
    assert no_overlap(browser, "#estimates-view .chart svg")
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.screenshot(ARTIFACTS / f"site-estimates-{screen}-synthetic.png")
    # The codebook opens in the page, as HTML.
    browser.js("document.getElementById('tab-codebook').click()")
    assert browser.js("document.getElementById('codebook-view').hidden") is False
    assert browser.js("document.querySelectorAll('#codebook-view table').length") > 5
    assert browser.js("document.getElementById('cb-events') !== null")
    assert "tab=codebook" in browser.js("location.hash")
    assert browser.js("document.documentElement.scrollWidth <= window.innerWidth")
    browser.screenshot(ARTIFACTS / f"site-codebook-{screen}-synthetic.png")
    assert browser.console_errors() == []
    assert offline(browser) == []
