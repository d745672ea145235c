"""The table definitions: the one place where tables, fields and their rules are declared.

Everything else is generated from here: Arrow schemas for writing (``schema_arrow``), pandera
schemas for validation (``schema_pandera``), Frictionless Table Schemas (``schemas/*.json``),
``datapackage.json`` and ``docs/codebook.md``. Imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
EVENT_ID = r"^[0-9]{4}(-[0-9]{2}){0,2}(-[a-z0-9]+)+$"
ESTIMATE_ID = r"^[0-9]{4}(-[0-9]{2}){0,2}(-[a-z0-9]+)+-e[0-9]+$"
SOURCE_ID = r"^src-[0-9a-f]{12}$"
ISO3 = r"^[A-Z]{3}$"
LANGUAGE = r"^[a-z]{2}$"
VERSION = r"^[0-9]+\.[0-9]+\.[0-9]+$"
URL = r"^https?://[^\s/$.?#][^\s]*$"
# Patterns whose matches are printable ASCII without spaces, so no text rule can fail on a value
# that matches (tests/test_fast_paths.py checks this): the text rules then need to look only at
# the values that break the pattern.
PLAIN_PATTERNS = frozenset({SLUG, EVENT_ID, ESTIMATE_ID, SOURCE_ID, ISO3, LANGUAGE, VERSION})

MAX_TEXT = 2000  # long enough for any paraphrase, short enough to catch pasted articles


@dataclass(frozen=True)
class Field:
    """One column. ``type`` is a Frictionless type: string, date, integer or boolean."""

    name: str
    type: str
    description: str
    required: bool = False
    vocabulary: str | None = None
    pattern: str | None = None
    minimum: int | None = None
    max_length: int | None = None
    references: tuple[str, str] | None = None  # (table, field)
    derived: bool = False  # computed by the build, never written in records

    @property
    def free_text(self) -> bool:
        """Whether the text rules (control characters, spaces, Unicode form) apply: a string that is
        not a vocabulary code (codes are clean by definition)."""
        return self.type == "string" and not self.vocabulary


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def _provenance() -> tuple[Field, ...]:
    return (
        Field("added_in", "string", "Data-package version in which this row first appeared.",
              required=True, pattern=VERSION, derived=True),
        Field("modified_in", "string", "Data-package version in which this row last changed.",
              required=True, pattern=VERSION, derived=True),
    )


def _text(name: str, description: str, required: bool = False, max_length: int = MAX_TEXT) -> Field:
    return Field(name, "string", description, required=required, max_length=max_length)


EVENTS = Table(
    "events", "Events",
    "One row per dated happening in the Russia-DPRK partnership.",
    (
        Field("event_id", "string", "Stable identifier: the date prefix and a slug. Never renamed or reused.",
              required=True, pattern=EVENT_ID, max_length=100),
        Field("event_type", "string", "What kind of event this is.", required=True, vocabulary="event_type"),
        Field("category", "string", "Broad group of the event type (derived from event_type).",
              required=True, vocabulary="category", derived=True),
        Field("plover_category", "string",
              "PLOVER event category of the event type (derived); null where PLOVER has no single one.",
              derived=True),
        _text("title", "Short headline in our own words.", required=True, max_length=120),
        _text("summary", "What happened, in our own words.", required=True),
        Field("date_start", "date", "First day of the event, or of the window in which it happened.",
              required=True),
        Field("date_end", "date", "Last day of the event or window; null for a single day."),
        Field("date_precision", "string", "How exactly the dates are known.", required=True,
              vocabulary="date_precision"),
        Field("date_announced", "date", "Day the event or figure was made public, where it differs."),
        _text("place_name", "City, site or route where it happened.", max_length=200),
        _text("place_region", "Region or province where known.", max_length=200),
        Field("place_country", "string", "ISO 3166-1 alpha-3 code of the country where it happened.",
              pattern=ISO3),
        Field("treaty_id", "string", "The treaty this event is a milestone of.", pattern=SLUG,
              references=("treaties", "treaty_id")),
        Field("status", "string", "Whether the record is current or retracted.", required=True,
              vocabulary="status"),
        _text("retraction_reason", "Why the record was retracted; required when retracted."),
        Field("confidence", "string", "Confidence in the record, graded from its sources by the documented rule.",
              required=True, vocabulary="confidence", derived=True),
        _text("notes", "Caveats, date conflicts and the reason for the chosen date."),
        *_provenance(),
    ),
    ("event_id",),
)

ACTORS = Table(
    "actors", "Actors",
    "States, people, agencies and groups that take part in events or make estimates.",
    (
        Field("actor_id", "string", "Stable identifier (slug).", required=True, pattern=SLUG, max_length=80),
        _text("name", "Canonical name.", required=True, max_length=200),
        Field("actor_type", "string", "What kind of actor this is.", required=True, vocabulary="actor_type"),
        Field("country", "string", "ISO 3166-1 alpha-3 code; null for international bodies.", pattern=ISO3),
        _text("description", "One line in our own words.", required=True, max_length=400),
        *_provenance(),
    ),
    ("actor_id",),
)

PARTICIPANTS = Table(
    "participants", "Participants",
    "Which actor took part in which event, and in what role.",
    (
        Field("event_id", "string", "The event.", required=True, references=("events", "event_id")),
        Field("actor_id", "string", "The actor.", required=True, references=("actors", "actor_id")),
        Field("role", "string", "The actor's role in the event.", required=True, vocabulary="role"),
        *_provenance(),
    ),
    ("event_id", "actor_id", "role"),
)

ESTIMATES = Table(
    "estimates", "Estimates",
    "One row per stated figure: who estimated what, as of when, and how sure they were.",
    (
        Field("estimate_id", "string", "Stable identifier: the event id and -e<n>.", required=True,
              pattern=ESTIMATE_ID, max_length=110),
        Field("event_id", "string", "The event at which the figure was released.", required=True,
              references=("events", "event_id")),
        Field("measure", "string", "What is counted.", required=True, vocabulary="measure"),
        Field("low", "integer", "Lower bound as stated ('at least X').", minimum=0),
        Field("best", "integer", "Point figure as stated ('about X', 'X').", minimum=0),
        Field("high", "integer", "Upper bound as stated ('up to X').", minimum=0),
        Field("unit", "string", "Unit of low, best and high.", required=True, vocabulary="unit"),
        Field("as_of", "date", "Date the figure refers to (first day of the month at month precision).",
              required=True),
        Field("as_of_precision", "string", "How exactly as_of is known.", required=True,
              vocabulary="date_precision"),
        Field("estimator_id", "string", "The actor who made the estimate.", required=True,
              references=("actors", "actor_id")),
        _text("scope", "Period or population the figure covers, where the source limits it.", max_length=300),
        _text("basis", "How the estimate was made, where stated.", max_length=300),
        _text("note", "Caveats about this figure, in our own words.", max_length=500),
        *_provenance(),
    ),
    ("estimate_id",),
)

SOURCES = Table(
    "sources", "Sources",
    "One row per source document a reader can open.",
    (
        Field("source_id", "string", "Stable identifier derived from the URL.", required=True,
              pattern=SOURCE_ID, derived=True),
        Field("url", "string", "Address of the page (http or https).", required=True, pattern=URL,
              max_length=1000),
        _text("publisher", "The outlet that published the page.", required=True, max_length=200),
        _text("agency", "Underlying agency or original source named by the page, where known.",
              max_length=200),
        _text("title", "Title of the page, where recorded.", max_length=400),
        Field("date_published", "date", "Publication date shown on the page; null if not shown."),
        Field("language", "string", "ISO 639-1 language code of the page.", required=True, pattern=LANGUAGE),
        Field("kind", "string", "What kind of publisher this is.", required=True, vocabulary="source_kind"),
        *_provenance(),
    ),
    ("source_id",),
)

CITATIONS = Table(
    "citations", "Citations",
    "Which source supports which event, with the claim it supports in our own words.",
    (
        Field("event_id", "string", "The event.", required=True, references=("events", "event_id")),
        Field("source_id", "string", "The source.", required=True, references=("sources", "source_id")),
        _text("claim", "What this source supports, in one line of our own words.", required=True,
              max_length=400),
        *_provenance(),
    ),
    ("event_id", "source_id"),
)

TREATIES = Table(
    "treaties", "Treaties",
    "Agreements between the parties; their milestones are events that point here.",
    (
        Field("treaty_id", "string", "Stable identifier (slug).", required=True, pattern=SLUG, max_length=80),
        _text("name", "Full name in English.", required=True, max_length=300),
        _text("short_name", "Short name.", required=True, max_length=100),
        Field("date_signed", "date", "Day of signature.", required=True),
        Field("signing_event_id", "string", "The signing event.", required=True,
              references=("events", "event_id")),
        _text("description", "What the treaty does, in our own words.", required=True),
        *_provenance(),
    ),
    ("treaty_id",),
)

TREATY_PARTIES = Table(
    "treaty_parties", "Treaty parties",
    "The states party to each treaty.",
    (
        Field("treaty_id", "string", "The treaty.", required=True, references=("treaties", "treaty_id")),
        Field("actor_id", "string", "A party (a state actor).", required=True,
              references=("actors", "actor_id")),
        *_provenance(),
    ),
    ("treaty_id", "actor_id"),
)

TREATY_OBLIGATIONS = Table(
    "treaty_obligations", "Treaty obligations",
    "Typed obligations of each treaty, after ATOP and COW.",
    (
        Field("treaty_id", "string", "The treaty.", required=True, references=("treaties", "treaty_id")),
        Field("obligation_id", "string", "Identifier within the treaty (slug).", required=True, pattern=SLUG),
        _text("article", "Article number where the sources state it.", max_length=50),
        Field("obligation_type", "string", "Kind of obligation.", required=True, vocabulary="obligation_type"),
        Field("conditional", "boolean", "Whether the obligation applies only under a condition.",
              required=True),
        _text("summary", "The obligation in our own words.", required=True),
        Field("event_id", "string", "Event whose sources state the obligation.", required=True,
              references=("events", "event_id")),
        *_provenance(),
    ),
    ("treaty_id", "obligation_id"),
)

CHANGES = Table(
    "changes", "Changes",
    "The release log: every row added, modified, retracted or removed by each release after the first.",
    (
        Field("version", "string", "Data-package version that made the change.", required=True, pattern=VERSION),
        Field("table_name", "string", "Table of the changed row.", required=True, pattern=r"^[a-z][a-z_]*$",
              max_length=40),
        Field("record_id", "string", "Primary key of the changed row; a composite key joined with '/' in key order.",
              required=True, max_length=400),
        Field("change", "string", "What happened to the row.", required=True, vocabulary="change"),
        Field("fields", "string", "Fields whose values changed, comma-separated (modified and retracted rows).",
              max_length=MAX_TEXT),
    ),
    ("version", "table_name", "record_id"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (EVENTS, ACTORS, PARTICIPANTS, ESTIMATES, SOURCES, CITATIONS, TREATIES,
              TREATY_PARTIES, TREATY_OBLIGATIONS, CHANGES)
}
# Fields every curated table carries; the build fills them from the release history.
PROVENANCE_FIELDS = ("added_in", "modified_in")
