"""`timeline site`: the explorer page is current, self-contained, deterministic and safely escaped.

What the page does in a browser is tested in test_site_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

import timeline
from timeline.package import read_descriptor
from timeline.plot import SERIES, estimates_frame, series_rows
from timeline.site import SITE, build_site, embed_json, render, site_data

REPO = Path(__file__).resolve().parent.parent


def embedded(page: str) -> dict:
    block = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert block, "no data block"
    return json.loads(block.group(1))


@pytest.fixture(scope="module")
def real() -> tuple[dict, dict]:
    return timeline.load(path=REPO), read_descriptor(REPO)


@pytest.fixture(scope="module")
def page() -> str:
    return build_site(REPO)


def test_committed_explorer_is_current(page: str) -> None:
    committed = REPO / SITE
    assert committed.is_file(), "site/index.html is missing: run `timeline site` and commit it"
    assert committed.read_text(encoding="utf-8") == page, "site/index.html is stale: run `timeline site`"


def test_same_package_same_bytes(page: str) -> None:
    assert build_site(REPO) == page


def test_page_is_self_contained(page: str) -> None:
    # No external script, style, font, image or frame: nothing is fetched when the page opens.
    assert not re.search(r"<(link|iframe|img|object|embed)\b", page, re.I)
    assert not re.search(r"<script[^>]*\bsrc=", page, re.I)
    assert "@import" not in page and "url(" not in page
    tags = re.findall(r"<script\b[^>]*>", page)
    assert tags == ['<script type="application/json" id="data">', "<script>"]


def test_csp_allows_only_the_pages_own_script_and_style(page: str) -> None:
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "http" not in csp and "unsafe" not in csp

    def digest(code: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"

    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert f"script-src {digest(script)}" in csp
    assert f"style-src {digest(style)}" in csp


def test_data_holds_every_event_with_its_sources_participants_and_estimates(page: str, real) -> None:
    tables, descriptor = real
    data = embedded(page)
    assert data["version"] == descriptor["version"]
    assert data["codebook"] == "../docs/codebook.md"
    events = tables["events"]
    assert [e["id"] for e in data["events"]] == list(events.sort_values(["date_start", "event_id"])["event_id"])
    assert sum(len(e["sources"]) for e in data["events"]) == len(tables["citations"])
    assert sum(len(e["participants"]) for e in data["events"]) == len(tables["participants"])
    assert sum(len(e["estimates"]) for e in data["events"]) == len(tables["estimates"])
    urls = set(tables["sources"]["url"])
    assert all(s["url"] in urls for e in data["events"] for s in e["sources"])
    signed = next(e for e in data["events"] if e["id"] == "2024-06-19-treaty-signed")
    assert signed["treaty"] == "Comprehensive Strategic Partnership Treaty (2024)"
    assert ["vladimir-putin", "signatory"] in signed["participants"]
    assert data["actors"]["kim-jong-un"] == "Kim Jong Un"
    assert data["countries"]["PRK"] == "North Korea"


def test_estimates_view_has_the_figures_series(page: str, real) -> None:
    est = estimates_frame(real[0])
    data = embedded(page)
    assert [s["name"] for s in data["series"]] == [s.name for s in SERIES]
    for spec, series in zip(SERIES, data["series"], strict=True):
        ids = [e["id"] for p in series["panels"] for e in p["estimates"]]
        assert sorted(ids) == sorted(series_rows(spec, est)["estimate_id"])
        assert set(series["colors"]) == {e["estimator"] for p in series["panels"] for e in p["estimates"]}


def test_embedded_json_cannot_break_out_of_its_block() -> None:
    hostile = {"a": "</script><script>alert(1)</script>", "b": "<!-- x", "c": "line\u2028sep\u2029", "d": "&amp;"}
    text = embed_json(hostile)
    assert json.loads(text) == hostile
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text


def test_hostile_values_are_escaped_in_the_page(real) -> None:
    tables, descriptor = real
    data = site_data(tables, {**descriptor, "title": '<b>"x"</b>', "homepage": "javascript:alert(1)"})
    data["events"][0]["summary"] = "</script><script>alert(1)</script>"
    out = render(data)
    assert embedded(out)["events"][0]["summary"] == "</script><script>alert(1)</script>"
    assert out.count("</script>") == 2
    assert "<title>&lt;b&gt;&quot;x&quot;&lt;/b&gt; v" in out
    assert embedded(out)["homepage"] is None


def test_non_http_urls_are_never_links(real) -> None:
    tables, descriptor = real
    sources = tables["sources"].copy()
    sources.loc[sources.index[0], "url"] = "javascript:alert(1)"
    data = site_data({**tables, "sources": sources}, descriptor)
    urls = [s["url"] for e in data["events"] for s in e["sources"]]
    assert None in urls and not any(u and not u.startswith(("http://", "https://")) for u in urls)


def test_cli_writes_then_reports_up_to_date(cli, built_mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "explorer" / "index.html"
    code, _, err = cli("site", "--package", str(built_mini), "--out", str(out), "--check")
    assert code == 1 and "is stale; run `timeline site`" in err
    assert cli("site", "--package", str(built_mini), "--out", str(out)) == (0, f"Wrote {out}.\n", "")
    assert cli("site", "--package", str(built_mini), "--out", str(out)) == (0, f"{out} already up to date.\n", "")
    assert cli("site", "--package", str(built_mini), "--out", str(out), "--check")[0] == 0
    assert len(embedded(out.read_text(encoding="utf-8"))["events"]) == 7
    # The default target is ROOT/site/index.html.
    copy = tmp_path / "root"
    shutil.copytree(built_mini, copy)
    assert cli("site", "--root", str(copy))[0] == 0
    assert (copy / SITE).read_bytes() == out.read_bytes()
