"""The contributor's commands of the CLI: ``timeline new`` (a skeleton event) and ``timeline place``."""

from __future__ import annotations

import argparse
import sys

from .cli import command


@command("new")
def _new(args: argparse.Namespace) -> int:
    from .locate import checkout
    from .skeleton import new_event

    target = new_event(checkout(args.root, "new"), args.date, args.type, args.slug)
    print(f"Wrote {target}: fill in the empty fields (`timeline validate --records-only` lists them).")
    return 0


@command("place")
def _place(args: argparse.Namespace) -> int:
    from .gazetteer import search, version

    hits = search(args.name, args.country)
    if not hits:
        print(f"No entry of the gazetteer ({version()}) starts with {args.name!r}; place the event at the "
              "nearest entry or area and say so with where_precision and a note.", file=sys.stderr)
        return 1
    print("geonameid  country  admin1  latitude   longitude  name")
    for gid, e in hits:
        print(f"{gid:<10} {e.country:<8} {e.admin1_code or '':<7} {e.latitude:<10.5f} {e.longitude:<10.5f} {e.name}")
    return 0


def add_record_parsers(sub, root_help: str) -> None:
    n = sub.add_parser("new", help="write a skeleton event record: data/records/events/<year>/<date>-<slug>.yaml")
    n.add_argument("--date", required=True, help="the event's date: YYYY-MM-DD, YYYY-MM or YYYY (sets the precision)")
    n.add_argument("--type", required=True, help="the event type (see docs/codebook.md), such as meeting")
    n.add_argument("--slug", required=True, help="a few lower-case words joined by '-', such as putin-kim-talks")
    n.add_argument("--root", help=root_help)
    g = sub.add_parser("place", help="look a place up in the gazetteer: its geonameid for data/records/places.yaml")
    g.add_argument("name", help="the start of the place's name, such as Kursk")
    g.add_argument("--country", help="ISO 3166-1 alpha-3 code to keep to, such as RUS")
