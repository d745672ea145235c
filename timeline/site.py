"""``timeline site``: the explorer, one self-contained HTML file (site/index.html) that opens from disk.

The data is embedded as JSON in a ``<script type="application/json">`` block, escaped so that no
value can close the block or start markup; the page's own script and style are pinned by hash in a
Content-Security-Policy that allows nothing external, so the page makes no network request. The
output is deterministic: the same package gives the same bytes.
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

from .plot import CATEGORY_COLORS, SERIES, category_label, estimates_frame, estimator_colors, series_rows
from .vocab import CATEGORIES, EVENT_TYPES, MEASURES

if TYPE_CHECKING:
    import pandas as pd

SITE = Path("site") / "index.html"
CODEBOOK = "../docs/codebook.md"  # relative to site/index.html, in a checkout and in a release archive
_HTTP = re.compile(r"^https?://", re.IGNORECASE)


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
        series.append({
            "name": s.name, "title": s.title, "note": s.note,
            "colors": estimator_colors(rows),
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


def render(data: dict[str, Any]) -> str:
    """The explorer page for ``data`` (see ``site_data``)."""
    template = resources.files("timeline").joinpath("site_template.html").read_text(encoding="utf-8")
    style = re.search(r"<style>(.*?)</style>", template, re.S)
    script = re.search(r"<script>(.*?)</script>", template, re.S)
    if not style or not script:  # pragma: no cover - the template ships with the package
        raise RuntimeError("site_template.html needs one <style> and one <script> block")
    csp = (f"default-src 'none'; script-src {_hash(script.group(1))}; style-src {_hash(style.group(1))}; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    title = f"{data['title'] or data['name']} v{data['version']}"
    # Placeholders are replaced in one pass so that no inserted value is searched again.
    values = {"CSP": html.escape(csp, quote=False), "TITLE": html.escape(title), "DATA": embed_json(data)}
    return re.sub(r"%%(CSP|TITLE|DATA)%%", lambda m: values[m.group(1)], template)


def build_site(path: str | os.PathLike[str] | None = None) -> str:
    """The explorer page for the package at ``path`` (default: the checkout's)."""
    from .load import _resolve, load
    from .package import read_descriptor

    return render(site_data(load(path=path), read_descriptor(_resolve(path))))


def write_site(path: str | os.PathLike[str] | None, target: str | os.PathLike[str]) -> bool:
    """Write the explorer to ``target``; return whether its bytes changed."""
    out = Path(target)
    data = build_site(path).encode("utf-8")
    if out.is_file() and out.read_bytes() == data:
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    return True


def site_is_stale(path: str | os.PathLike[str] | None, target: str | os.PathLike[str]) -> bool:
    out = Path(target)
    return not out.is_file() or out.read_bytes() != build_site(path).encode("utf-8")
