"""``timeline site``: the explorer, one self-contained HTML file (site/index.html) that opens from disk.

The data is embedded as JSON in a ``<script type="application/json">`` block, escaped so that no
value can close the block or start markup; the page's own script and style are pinned by hash in a
Content-Security-Policy that allows nothing external, so the page makes no network request. The
world map's outlines (``basemap.json``, Natural Earth via world-atlas, see ``timeline.basemap``) and
the codebook (rendered from Markdown to HTML here) are written into the page as markup. The output
is deterministic: the same package gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .citation import cite_text
from .plot import CATEGORY_COLORS, SERIES, category_label, estimates_frame, estimator_colors, series_rows
from .vocab import CATEGORIES, EVENT_TYPES, MEASURES

if TYPE_CHECKING:
    import pandas as pd

SITE = Path("site") / "index.html"
CODEBOOK = "#tab=codebook"  # the codebook is a tab of the page (rendered from docs/codebook.md's Markdown)
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
# Estimators are told apart by colour and shape: the Okabe-Ito palette (colour-blind safe, yellow last
# as it is faint on white) and seven shapes; 8 colours x 7 shapes give distinct pairs for 56 estimators.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
SHAPES = ("circle", "square", "diamond", "triangle", "triangle-down", "star", "plus")


def _s(value: Any) -> str | None:
    """A cell as text, or None when missing."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _n(value: Any) -> int | None:
    import pandas as pd

    return None if pd.isna(value) else int(value)


def _url(value: Any) -> str | None:
    """Only http(s) addresses become links; anything else is dropped (the build rejects them anyway)."""
    text = _s(value)
    return text if text and _HTTP.match(text) else None


def _estimate(r: Any) -> dict[str, Any]:
    return {"id": r.estimate_id, "event": r.event_id, "measure": r.measure, "unit": r.unit,
            "low": _n(r.low), "best": _n(r.best), "high": _n(r.high), "as_of": _s(r.as_of),
            "as_of_precision": _s(r.as_of_precision), "estimator": r.estimator, "scope": _s(r.scope),
            "basis": _s(r.basis), "note": _s(r.note)}


def _grouped(frame: pd.DataFrame, key: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in frame.itertuples(index=False):
        out.setdefault(getattr(row, key), []).append(row)
    return out


def _place(places: pd.DataFrame, place_id: object) -> dict[str, Any]:
    """Where an event happened, for the list and the map: name, country, coordinates, precision."""
    if not _s(place_id) or place_id not in places.index:
        return {"place": None, "country": None, "lat": None, "lon": None, "where": None}
    p = places.loc[place_id]
    return {"place": _s(p["name"]), "country": _s(p["country"]), "lat": round(float(p["latitude"]), 4),
            "lon": round(float(p["longitude"]), 4), "where": str(p["where_precision"])}


def site_data(tables: dict[str, pd.DataFrame], descriptor: dict[str, Any]) -> dict[str, Any]:
    """Everything the explorer shows, as plain JSON-ready values in a fixed order."""
    actors = tables["actors"].sort_values("actor_id")
    names = dict(zip(actors["actor_id"], actors["name"], strict=True))
    states = actors[actors["actor_type"].astype(str) == "state"].dropna(subset=["country"])
    countries = dict(zip(states["country"], states["name"], strict=True))
    treaties = dict(zip(tables["treaties"]["treaty_id"], tables["treaties"]["short_name"], strict=True))
    parts = _grouped(tables["participants"].sort_values(["event_id", "role", "actor_id"]), "event_id")
    sources = tables["sources"].set_index("source_id")
    places = tables["places"].set_index("place_id")
    cites = _grouped(tables["citations"].sort_values(["event_id", "source_id"]), "event_id")
    est = estimates_frame(tables)
    by_event = _grouped(est, "event_id")

    events = []
    ev = tables["events"][tables["events"]["status"].astype(str) == "active"]
    for r in ev.sort_values(["date_start", "event_id"]).itertuples(index=False):
        srcs = []
        for c in cites.get(r.event_id, []):
            s = sources.loc[c.source_id]
            srcs.append({"url": _url(s["url"]), "publisher": _s(s["publisher"]), "title": _s(s["title"]),
                         "date": _s(s["date_published"]), "claim": _s(c.claim)})
        events.append({
            "id": r.event_id, "type": str(r.event_type), "category": str(r.category), "title": r.title,
            "summary": r.summary, "start": _s(r.date_start), "end": _s(r.date_end),
            "precision": str(r.date_precision), "announced": _s(r.date_announced),
            **_place(places, r.place_id),
            "treaty": treaties.get(r.treaty_id) if _s(r.treaty_id) else None,
            "confidence": str(r.confidence), "notes": _s(r.notes),
            "participants": [[p.actor_id, str(p.role)] for p in parts.get(r.event_id, [])],
            "sources": srcs,
            "estimates": [_estimate(e) for e in by_event.get(r.event_id, [])],
        })

    used = {a for e in events for a, _ in e["participants"]}
    series = []
    for s in SERIES:
        rows = series_rows(s, est)
        order = list(estimator_colors(rows))  # estimators in order of first appearance, as in the figures
        series.append({
            "name": s.name, "title": s.title, "note": s.note,
            "colors": {e: OKABE_ITO[i % len(OKABE_ITO)] for i, e in enumerate(order)},
            "shapes": {e: SHAPES[i % len(SHAPES)] for i, e in enumerate(order)},
            "panels": [{"title": p.title, "ylabel": p.ylabel, "hollow": list(p.hollow),
                        "estimates": [_estimate(e) for e in rows[rows["measure"].isin(p.measures)]
                                      .itertuples(index=False)]}
                       for p in s.panels],
        })
    homepage = descriptor.get("homepage")
    return {
        "name": str(descriptor.get("name", "russia-dprk-timeline")),
        "title": str(descriptor.get("title", "")),
        "version": str(descriptor.get("version", "")),
        "homepage": homepage if isinstance(homepage, str) and _HTTP.match(homepage) else None,
        "citation": cite_text(descriptor),
        "codebook": CODEBOOK,
        "categories": [{"id": c, "label": category_label(c), "color": CATEGORY_COLORS.get(c, "#555555"),
                        "definition": d} for c, d in CATEGORIES.items()],
        "types": {t: {"label": t.replace("_", " "), "category": v.category, "definition": v.definition}
                  for t, v in EVENT_TYPES.items()},
        "measures": {m: {"label": m.replace("_", " "), "definition": d} for m, (d, _) in MEASURES.items()},
        "actors": {a: names[a] for a in sorted(used) if a in names},
        "countries": {c: countries.get(c, c) for c in sorted({e["country"] for e in events if e["country"]})},
        "events": events,
        "series": series,
    }


def embed_json(data: Any) -> str:
    """JSON that is safe inside a <script> block: no '<', '>' or '&' and no line separators."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


def _slug(text: str) -> str:
    """A heading's anchor, as GitHub makes it: lowercase, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def _inline(text: str, prefix: str) -> str:
    """Inline Markdown (code spans, bold, italic, links) as HTML; every piece of text is escaped."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:
            out.append(f"<code>{html.escape(part[1:-1], quote=False)}</code>")
            continue
        pieces, last = [], 0
        for m in re.finditer(r"\[([^\]]+)\]\(([^)\s]+)\)", part):
            pieces.append(html.escape(part[last:m.start()], quote=False))
            label, href = html.escape(m.group(1), quote=False), m.group(2)
            if href.startswith("#"):
                pieces.append(f'<a href="#{prefix}{html.escape(href[1:])}">{label}</a>')
            elif _HTTP.match(href):
                pieces.append(f'<a href="{html.escape(href)}" rel="noopener noreferrer" target="_blank">{label}</a>')
            else:  # a relative link would not resolve beside the page: keep its text only
                pieces.append(label)
            last = m.end()
        pieces.append(html.escape(part[last:], quote=False))
        chunk = "".join(pieces)
        chunk = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", chunk)
        chunk = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", chunk)
        out.append(chunk)
    return "".join(out)


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row; ``\\|`` is a literal bar."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _table(lines: list[str], i: int, prefix: str, out: list[str]) -> int:
    """The table starting at line ``i`` (its header; the rule follows) appended to ``out``; the next line."""
    head = "".join(f"<th>{_inline(c, prefix)}</th>" for c in _cells(lines[i]))
    rows = []
    i += 2
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        rows.append("<tr>" + "".join(f"<td>{_inline(c, prefix)}</td>" for c in _cells(lines[i])) + "</tr>")
        i += 1
    out.append(f'<div class="tablewrap"><table><thead><tr>{head}</tr></thead>'
               f'<tbody>{"".join(rows)}</tbody></table></div>')
    return i


def _list(lines: list[str], i: int, prefix: str, out: list[str]) -> int:
    """The list (nested by indentation) starting at line ``i`` appended to ``out``; the next line."""
    stack: list[tuple[int, str]] = []  # (indent, tag) of the open lists
    items: list[str] = []
    while i < len(lines) and lines[i].strip():
        m = _ITEM.match(lines[i])
        if m:
            indent, tag = len(m.group(1)), "ol" if m.group(2)[0].isdigit() else "ul"
            while stack and indent < stack[-1][0]:
                items.append(f"</li></{stack.pop()[1]}>")
            if not stack or indent > stack[-1][0]:
                stack.append((indent, tag))
                items.append(f"<{tag}><li>")
            else:
                items.append("</li><li>")
            items.append(_inline(m.group(3), prefix))
        else:  # a continuation line of the item
            items.append(" " + _inline(lines[i].strip(), prefix))
        i += 1
    while stack:
        items.append(f"</li></{stack.pop()[1]}>")
    out.append("".join(items))
    return i


def markdown_html(text: str, prefix: str = "cb-") -> str:
    """The small part of Markdown the codebook uses, as HTML: headings (with anchors, ids prefixed with
    ``prefix`` so that they cannot clash with the page's), paragraphs, lists, tables, fenced code and
    inline code, bold, italic and links. Text is always escaped; only http(s) and in-page links are kept."""
    lines = text.splitlines()
    out: list[str] = []
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            out.append(f"<p>{_inline(' '.join(para), prefix)}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            flush()
            block = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                block.append(lines[i])
                i += 1
            out.append(f"<pre><code>{html.escape(chr(10).join(block), quote=False)}</code></pre>")
        elif m := re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line):
            flush()
            n, title = len(m.group(1)), m.group(2)
            out.append(f'<h{n} id="{prefix}{html.escape(_slug(title))}">{_inline(title, prefix)}</h{n}>')
        elif line.lstrip().startswith("|") and i + 1 < len(lines) and _TABLE_RULE.match(lines[i + 1]):
            flush()
            i = _table(lines, i, prefix, out)
            continue
        elif _ITEM.match(line):
            flush()
            i = _list(lines, i, prefix, out)
            continue
        elif not line.strip():
            flush()
        else:
            para.append(line.strip())
        i += 1
    flush()
    return "\n".join(out)


def _basemap() -> str:
    """The world's outlines as SVG paths, and the attribution the map shows."""
    from .basemap import load

    base = load()
    paths = "".join(f'<path d="{html.escape(c["d"])}"><title>{html.escape(c["name"])}</title></path>'
                    for c in base["countries"])
    return (f'<g class="land" data-parallel="{base["parallel"]}" data-units="{base["units"]}">{paths}</g>'
            f'<!-- {html.escape(base["source"], quote=False).replace("--", "- -")} -->')


def site_html(data: dict[str, Any]) -> str:
    """The explorer page for ``data`` (see ``site_data``)."""
    from .basemap import load
    from .codebook import codebook

    template = resources.files("timeline").joinpath("site_template.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", template, re.S)
    script = re.search(r"<script>(.*?)</script>", template, re.S)
    if not style or not script:  # pragma: no cover - the template ships with the package
        raise RuntimeError("site_template.html needs one <style> and one <script> block")
    csp = (f"default-src 'none'; script-src {_hash(script.group(1))}; style-src {_hash(style.group(1))}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    title = f"{data['title'] or data['name']} v{data['version']}"
    # Placeholders are replaced in one pass so that no inserted value is searched again.
    values = {"CSP": html.escape(csp, quote=False), "TITLE": html.escape(title), "DATA": embed_json(data),
              "BASEMAP": _basemap(), "ATTRIBUTION": html.escape(load()["attribution"]),
              "CODEBOOK": markdown_html(codebook())}
    return re.sub(r"%%(CSP|TITLE|DATA|BASEMAP|ATTRIBUTION|CODEBOOK)%%", lambda m: values[m.group(1)], template)


def build_site(path: str | os.PathLike[str] | None = None) -> str:
    """The explorer page for the package at ``path`` (default: the checkout's)."""
    from .load import frames
    from .reader import open_package

    src = open_package(path)
    return site_html(site_data(frames(src), src.descriptor))
