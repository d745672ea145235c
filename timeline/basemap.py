"""The explorer's offline world map: country outlines from Natural Earth, shipped as ``basemap.json``.

``basemap.json`` is generated once from the ``countries-110m.json`` TopoJSON of npm's ``world-atlas``
package (Natural Earth 1:110m Admin 0 countries, public domain; world-atlas is ISC-licensed by Mike
Bostock) and committed with the package, so neither the build nor the page fetches anything::

    cd /tmp && npm pack world-atlas && tar xzf world-atlas-*.tgz
    python -m timeline.basemap /tmp/package/countries-110m.json timeline/basemap.json

The outlines are projected ahead of time: an equirectangular projection with standard parallels at
``PARALLEL`` degrees (x = longitude * cos(PARALLEL), y = -latitude), in tenths of a degree, written
as SVG path data with relative integer steps. The page places its markers with the same formula.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

PARALLEL = 40.0  # degrees: the standard parallels, about the middle of the data (Moscow to Seoul)
UNITS = 10  # path units per degree
SKIP = {"010"}  # Antarctica: never a place of the data, and the largest outline
SOURCE = "world-atlas {version} countries-110m.json (Natural Earth 1:110m Admin 0 countries)"
ATTRIBUTION = "Basemap: Natural Earth (public domain), via world-atlas"


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """The topology's arcs as lists of (longitude, latitude), undoing the delta encoding and quantization."""
    t = topology.get("transform")
    out = []
    for arc in topology["arcs"]:
        points, x, y = [], 0, 0
        for dx, dy, *_ in arc:
            if t:
                x, y = x + dx, y + dy
                points.append((x * t["scale"][0] + t["translate"][0], y * t["scale"][1] + t["translate"][1]))
            else:
                points.append((dx, dy))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(arc if not ring else arc[1:])  # consecutive arcs share their end point
    return ring


def _path(rings: list[list[tuple[float, float]]], k: float) -> str:
    """SVG path data for ``rings``, projected, in integer units with relative steps."""
    parts = []
    for ring in rings:
        pts, prev = [], None
        for lon, lat in ring:
            if prev is not None and abs(lon - prev) > 180:  # a ring across the antimeridian (Fiji): keep it whole
                lon += 360 if lon < prev else -360
            prev = lon
            p = (round(lon * k * UNITS), round(-lat * UNITS))
            if not pts or p != pts[-1]:
                pts.append(p)
        if len(pts) < 4:  # a ring too small to see at this resolution
            continue
        if pts[-1] == pts[0]:  # "z" closes the ring
            pts.pop()
        steps = [f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in zip(pts, pts[1:], strict=False)]
        parts.append(f"M{pts[0][0]} {pts[0][1]}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def convert(topology: dict[str, Any], version: str = "") -> dict[str, Any]:
    """The basemap for the page from a world-atlas countries TopoJSON."""
    arcs = _arcs(topology)
    k = math.cos(math.radians(PARALLEL))
    countries = []
    for g in topology["objects"]["countries"]["geometries"]:
        if g.get("id") in SKIP or g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        d = _path([_ring(r, arcs) for poly in polygons for r in poly], k)
        if d:
            countries.append({"id": str(g.get("id", "")), "name": str(g.get("properties", {}).get("name", "")),
                              "d": d})
    countries.sort(key=lambda c: (c["name"], c["id"]))
    return {"source": SOURCE.format(version=version).replace("  ", " "), "attribution": ATTRIBUTION,
            "parallel": PARALLEL, "units": UNITS, "countries": countries}


def load() -> dict[str, Any]:
    """The shipped basemap."""
    from importlib import resources

    return json.loads(resources.files("timeline").joinpath("basemap.json").read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m timeline.basemap COUNTRIES-110M.JSON OUT.json", file=sys.stderr)
        return 2
    src, out = Path(args[0]), Path(args[1])
    meta = src.parent / "package.json"
    version = json.loads(meta.read_text(encoding="utf-8")).get("version", "") if meta.is_file() else ""
    data = convert(json.loads(src.read_text(encoding="utf-8")), version)
    from .outputs import write_outputs

    write_outputs(out.parent, {out.name: (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()})
    print(f"Wrote {out}: {len(data['countries'])} countries, {out.stat().st_size:,} bytes.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
