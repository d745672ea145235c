"""``timeline new``: a skeleton event record with the right id, file name and folder.

The skeleton holds only what the command knows (id, type, date and its precision, status)
and leaves every fact empty: ``timeline validate`` / ``timeline build`` then list exactly the
fields the contributor must fill, one ``[required]`` line each, and nothing else. The command
never guesses a fact.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from . import paths
from .problems import TimelineError
from .tables import EVENT_ID, SLUG
from .vocab import EVENT_TYPES

# The date as written: a day, a month or a year, with the precision and the first day it stands for.
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

TEMPLATE = """\
id: {id}
type: {type:<24}# {type_help}
title:                        # one line, in our own words
summary:                      # a few sentences, paraphrased, never copied from a source
date_start: '{date_start}'
date_precision: {precision}
# place: an id from data/records/places.yaml (`timeline place NAME` finds a new one); leave out if none
status: active
participants:                 # actors are ids from data/records/actors.yaml
- actor:
  role:                       # see docs/codebook.md, "participants.role"
citations:                    # at least one; the source is written inline
- url:
  publisher:
  # published: 'YYYY-MM-DD'   # leave out if the page shows no date
  # published_precision: day
  language:                   # ISO 639-1, such as en
  kind:                       # see docs/codebook.md, "sources.kind"
  claim:                      # what the page says, in our own words
"""


def parse_date(text: str) -> tuple[dt.date, str]:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``: the first day it stands for and its precision."""
    m = _DATE.match(text)
    try:
        if not m:
            raise ValueError(text)
        year, month, day = m.group(1), m.group(2), m.group(3)
        date = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise TimelineError(f"--date must be written YYYY-MM-DD, YYYY-MM or YYYY (got {text!r})") from None
    return date, "day" if day else "month" if month else "year"


def event_id(date_text: str, slug: str) -> str:
    event = f"{date_text}-{slug}"
    if not re.match(SLUG, slug) or not re.match(EVENT_ID, event):
        raise TimelineError(f"--slug must be lower-case words joined by '-', such as putin-kim-talks (got {slug!r})")
    return event


def new_event(root: str | Path, date_text: str, event_type: str, slug: str) -> Path:
    """Write the skeleton under ``root``'s records; returns its path. Never overwrites a record."""
    if event_type not in EVENT_TYPES:
        raise TimelineError(f"--type {event_type!r} is not an event type; the types: {', '.join(sorted(EVENT_TYPES))}")
    date, precision = parse_date(date_text)
    eid = event_id(date_text, slug)
    events = Path(root) / paths.RECORDS / "events"
    clash = next(iter(events.rglob(f"{eid}.yaml")), None) if events.is_dir() else None
    if clash is not None:
        raise TimelineError(f"{clash}: an event with id {eid} already exists; ids are never reused")
    target = events / f"{date.year}" / f"{eid}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    help_text = EVENT_TYPES[event_type].definition.split(".")[0]
    text = TEMPLATE.format(id=eid, type=event_type, type_help=help_text[:70], date_start=date.isoformat(),
                           precision=precision)
    with open(target, "x", encoding="utf-8") as fh:
        fh.write(text)
    return target
