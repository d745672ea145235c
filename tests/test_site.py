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
from timeline.site import OKABE_ITO, SHAPES, SITE, _place, build_site, embed_json, markdown_html, site_data, site_html

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
    assert data["codebook"] == "#tab=codebook"
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
    out = site_html(data)
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


def test_events_carry_their_place(page: str, real) -> None:
    tables, _ = real
    data = embedded(page)
    places = tables["places"].set_index("place_id")
    ev = tables["events"].set_index("event_id")
    placed = 0
    for e in data["events"]:
        assert set(e) >= {"place", "country", "lat", "lon", "where"}
        pid = ev.loc[e["id"], "place_id"]
        if not isinstance(pid, str):
            assert e["place"] is e["lat"] is e["lon"] is e["where"] is None
            continue
        placed += 1
        p = places.loc[pid]
        assert (e["place"], e["country"], e["where"]) == (p["name"], p["country"], p["where_precision"])
        assert e["lat"] == round(float(p["latitude"]), 4) and e["lon"] == round(float(p["longitude"]), 4)
        assert -90 <= e["lat"] <= 90 and -180 <= e["lon"] <= 180
    assert placed > 0


def test_place_fields_from_the_places_table() -> None:
    import pandas as pd

    places = pd.DataFrame([{"place_id": "kursk", "name": "Kursk Oblast", "country": "RUS", "latitude": 51.730_123,
                            "longitude": 36.193_456, "where_precision": "admin1"}]).set_index("place_id")
    assert _place(places, "kursk") == {"place": "Kursk Oblast", "country": "RUS", "lat": 51.7301, "lon": 36.1935,
                                       "where": "admin1"}
    empty = {"place": None, "country": None, "lat": None, "lon": None, "where": None}
    assert _place(places, None) == empty and _place(places, float("nan")) == empty and _place(places, "x") == empty


def test_estimators_differ_in_colour_and_shape(page: str) -> None:
    for series in embedded(page)["series"]:
        assert list(series["colors"]) == list(series["shapes"])
        assert set(series["colors"].values()) <= set(OKABE_ITO) and set(series["shapes"].values()) <= set(SHAPES)
        pairs = [(series["colors"][e], series["shapes"][e]) for e in series["colors"]]
        assert len(set(pairs)) == len(pairs)


def test_page_has_the_map_and_the_codebook(page: str) -> None:
    from timeline.basemap import load

    base = load()
    assert page.count("<path d=") == len(base["countries"]) > 150
    assert base["attribution"] in page and "Natural Earth" in base["attribution"]
    assert '<h1 id="cb-codebook">Codebook</h1>' in page
    assert '<h2 id="cb-events">events</h2>' in page and 'href="#cb-events"' in page
    assert "docs/codebook.md" not in page.split('id="codebook-view"')[0]  # no raw Markdown link


def test_markdown_converter() -> None:
    md = "\n".join([
        "# The *codebook*", "", "Some `a|b <x>` text, **bold** and [a link](https://example.org/?a=1&b=2),",
        "[in page](#events), [relative](../README.md) and <script>.", "",
        "| field | meaning |", "|---|---|", "| `x\\|y` | one \\| two |", "",
        "- first item", "  continued", "- second", "", "1. one", "2. two", "", "```", "<raw> & code", "```",
    ])
    out = markdown_html(md)
    assert out.startswith('<h1 id="cb-the-codebook">The <em>codebook</em></h1>')
    assert "<code>a|b &lt;x&gt;</code>" in out and "<strong>bold</strong>" in out
    assert '<a href="https://example.org/?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">a link</a>' in out
    assert '<a href="#cb-events">in page</a>' in out and "relative" in out and "README" not in out
    assert "&lt;script&gt;" in out and "<script>" not in out
    assert "<thead><tr><th>field</th><th>meaning</th></tr></thead>" in out
    assert "<td><code>x|y</code></td><td>one | two</td>" in out
    assert "<ul><li>first item continued</li><li>second</li></ul>" in out
    assert "<ol><li>one</li><li>two</li></ol>" in out
    assert "<pre><code>&lt;raw&gt; &amp; code</code></pre>" in out


def test_basemap_from_topojson(tmp_path, capsys) -> None:
    from timeline.basemap import convert

    # Two squares sharing an edge (arc 1, reversed in the second), quantized and delta-encoded.
    topo = {"type": "Topology", "transform": {"scale": [1, 1], "translate": [0, 0]},
            "arcs": [[[10, 10], [0, 10], [10, 0]], [[20, 20], [0, -10]], [[20, 10], [-10, 0], [0, 10]],
                     [[20, 20], [10, 0], [0, -10], [-10, 0]]],
            "objects": {"countries": {"type": "GeometryCollection", "geometries": [
                {"type": "Polygon", "arcs": [[0, 1, 2]], "id": "001", "properties": {"name": "West"}},
                {"type": "Polygon", "arcs": [[3, -2]], "id": "002", "properties": {"name": "East"}},
                {"type": "Polygon", "arcs": [[0, 1, 2]], "id": "010", "properties": {"name": "Antarctica"}}]}}}
    base = convert(topo, "9.9.9")
    # The maintainers' entry point writes the same basemap, through the one writer.
    import json

    from timeline.basemap import main

    src = tmp_path / "countries-110m.json"
    src.write_text(json.dumps(topo))
    (tmp_path / "package.json").write_text('{"version": "9.9.9"}')
    assert main([str(src), str(tmp_path / "out" / "basemap.json")]) == 0
    assert json.loads((tmp_path / "out" / "basemap.json").read_text()) == base
    assert [c["name"] for c in base["countries"]] == ["East", "West"]
    assert "world-atlas 9.9.9" in base["source"]
    west = base["countries"][1]["d"]
    k = 10 * 0.766_044
    assert west.startswith(f"M{round(10 * k)}-100l") and west.endswith("z")
