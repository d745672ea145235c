"""The explorer in a real browser: headless Chromium, driven over the DevTools protocol.

Chromium is started with ``--remote-debugging-pipe`` (the transport Puppeteer and Playwright use):
DevTools messages are NUL-terminated JSON on file descriptors 3 and 4, so no port, no websocket
library and no network are needed. `.ci/run` installs Debian's ``chromium``; set
``TIMELINE_BROWSER`` to use another Chromium-family executable. Without one the tests skip, saying
why. Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from timeline.site import render, site_data

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
WAIT = 60.0  # seconds: a generous ceiling against hangs, not a timing assertion


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
    assert _count(browser) == len(events)
    assert browser.js("document.getElementById('count').textContent").startswith(f"Showing {len(events)} of")

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
    assert _count(browser) == len(events)
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
    browser.screenshot(ARTIFACTS / "site-estimates.png")

    assert browser.console_errors() == []
    offsite = [u for u in browser.requested_urls() if not u.startswith(("file:", "data:", "about:"))]
    assert offsite == [], "the page must not touch the network"


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
    page.write_text(render(data), encoding="utf-8")
    browser.open(page.as_uri())
    assert _count(browser) == 300
    assert browser.js("document.getElementById('count').textContent").startswith(f"Showing 300 of {len(many)}")
    browser.js("document.getElementById('more').click()")
    assert _count(browser) == 600
    last = many[-1]["id"]
    # Resolves after the page's own hashchange listener (registered first) has run.
    browser.js("new Promise(done => { addEventListener('hashchange', () => done(), {once: true}); "
               f"location.hash = {json.dumps('#' + last)}; }})")
    assert browser.js(f"document.getElementById({json.dumps(last)}) !== null")
    _set(browser, "q", "vostochny")
    assert 0 < _count(browser) <= 300
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
    page.write_text(render(data), encoding="utf-8")
    browser.open(page.as_uri())
    assert browser.js("window.pwned === undefined")
    shown = browser.js(f"document.getElementById({json.dumps(event['id'])}).querySelector('h3').textContent")
    assert shown == event["title"]
    summary = browser.js(f"document.getElementById({json.dumps(event['id'])}).querySelector('.summary')"
                         ".textContent")
    assert summary == event["summary"]
    assert browser.js("[...document.querySelectorAll('a')].every(a => !/^javascript:/i.test(a.getAttribute('href')))")
    assert browser.console_errors() == []

