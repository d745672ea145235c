"""The rule registry: every rule the tool can report, declared once.

Each problem names its rule in brackets (``[foreign-key]``). A rule has a name that never changes
once released, where it applies and a one-line meaning; the codebook's rule section is generated
from here, and ``tests/test_rules.py`` fails when any module reports a rule that is not registered.
Imports nothing.
"""

from __future__ import annotations

from typing import NamedTuple


class Rule(NamedTuple):
    name: str
    applies: str  # files | records | tables | package | archive
    meaning: str


# Where a rule applies, in the order a run meets them.
APPLIES = {
    "files": "reading a record file (data/records/**.yaml)",
    "records": "the keys and values of one record",
    "tables": "the tables, whether built from records or read from a package",
    "package": "a built package: its descriptor and files (timeline validate --package, timeline.load)",
}

_RULES = (
    # Reading files
    Rule("missing-file", "files", "A registry file the records need (actors.yaml, places.yaml...) exists."),
    Rule("file-type", "files", "Record files are regular files, not links or folders."),
    Rule("file-name", "files", "Only .yaml files belong under events/."),
    Rule("file-place", "files", "An event file lies in events/<year>/, the year its file name starts with."),
    Rule("stray-file", "files", "Every file under data/records/ is one the tool reads (package, actors, places and "
                                "treaties .yaml, events/<year>/*.yaml); nothing is skipped unread."),
    Rule("file-size", "files", "A record file stays within the size limit."),
    Rule("empty-file", "files", "A record file is not empty."),
    Rule("utf-8", "files", "A record file is UTF-8 text."),
    Rule("no-bom", "files", "A record file has no byte-order mark."),
    Rule("yaml-syntax", "files", "A record file is valid YAML."),
    Rule("duplicate-key", "files", "No key appears twice in one mapping."),
    Rule("yaml-alias", "files", "No YAML anchors or aliases (each value is written where it is used)."),
    Rule("yaml-tag", "files", "No YAML tags (values are plain text, numbers, dates, lists and mappings)."),
    # One record
    Rule("id-matches-file", "records", "An event's id equals its file name."),
    Rule("unknown-field", "records", "Every key is a known field of its record."),
    Rule("type", "records", "A value has its field's type (text, date, whole number, true/false, list, mapping)."),
    Rule("empty", "records", "A text value is not empty."),
    Rule("date", "records", "A date is a real calendar date written YYYY-MM-DD."),
    Rule("integer", "records", "A count is a whole number written with digits only (12000, not 12.000, 12,000 "
                               "or 1.5) that fits in 64 bits."),
    Rule("package", "records", "package.yaml has a name and version of the documented form."),
    Rule("source-conflict", "records", "The same URL is described the same way wherever it is cited."),
    Rule("id-removed", "records", "A published id is never removed: a wrong record is retracted instead."),
    # Column rules (from the table definitions)
    Rule("required", "tables", "A required field has a value."),
    Rule("vocabulary", "tables", "A coded field holds one of the values of its vocabulary."),
    Rule("pattern", "tables", "Identifiers, codes, versions and URLs have the documented form."),
    Rule("minimum", "tables", "Numbers are not below their minimum (counts are not negative)."),
    Rule("maximum", "tables", "Numbers are not above their maximum (latitude 90, longitude 180)."),
    Rule("max-length", "tables", "Text fields stay within their maximum length."),
    Rule("control-characters", "tables", "Text fields: no tab, line break or other control character."),
    Rule("invisible-characters", "tables", "Text fields: no zero-width or direction-changing character "
                                           "(bidirectional marks, embeddings, overrides, isolates, zero-width "
                                           "spaces and joiners, word joiner, byte-order mark)."),
    Rule("whitespace", "tables", "Text fields: no leading or trailing whitespace of any kind (spaces, no-break "
                                 "and other Unicode spaces, line separators)."),
    Rule("double-space", "tables", "Text fields: no repeated spaces."),
    Rule("unicode-nfc", "tables", "Text is in Unicode normal form C."),
    Rule("columns", "tables", "A table has exactly the columns of its definition."),
    # Rules across fields and tables
    Rule("primary-key", "tables", "Primary keys are unique across all files."),
    Rule("foreign-key", "tables", "Every reference (actor, event, source, treaty, place) points to an existing row."),
    Rule("date-order", "tables", "date_end is not before date_start; date_announced is not before date_start; "
                                 "period_end is not before period_start."),
    Rule("date-precision", "tables", "Month precision: starts on the 1st and ends on the last day of a month; "
                                     "year precision: 1 January to 31 December; day precision: any days."),
    Rule("future-date", "tables", "No date lies after the build date."),
    Rule("retraction", "tables", "A retracted event has a retraction_reason; an active one has none."),
    Rule("derived", "tables", "category, plover_category, confidence and the places' gazetteer columns match "
                              "what the build computes."),
    Rule("plover", "tables", "A statement names the PLOVER category of its content (plover); other event types "
                             "take their type's category and do not name one."),
    Rule("estimate-values", "tables", "An estimate states at least one of low, best, high, and low <= best <= high."),
    Rule("percentage", "tables", "A share (an estimate in unit percent) lies within 0-100."),
    Rule("estimate-id", "tables", "An estimate's id is its own event's id followed by -e<number>."),
    Rule("estimator-participant", "tables", "An estimate's estimator is among its event's participants, in its "
                                            "role at the event (any role: estimator, sanctioning_authority, "
                                            "investigator...); the role is not derived from the estimates."),
    Rule("estimate-unit", "tables", "An estimate's unit is the unit its measure is counted in."),
    Rule("estimate-period", "tables", "A period estimate gives period_start and period_end; other estimates give "
                                      "neither."),
    Rule("estimate-derivation", "tables", "A derived estimate says how it was derived; a stated one has no "
                                          "derivation."),
    Rule("estimate-sourced", "tables", "Every estimate names at least one source that states it."),
    Rule("estimate-source", "tables", "An estimate's sources are cited by the estimate's event."),
    Rule("obligation-source", "tables", "A treaty provision's sources are cited by the provision's event."),
    Rule("published-precision", "tables", "A publication date has a precision, and a precision has a date."),
    Rule("state-media-country", "tables", "A state_media source names the state that owns it (country); other "
                                          "sources do not."),
    Rule("country-code", "tables", "A country code is an assigned ISO 3166-1 alpha-3 code."),
    Rule("language-code", "tables", "A language code is an ISO 639-1 two-letter code."),
    Rule("gazetteer", "tables", "A place's geonameid is an entry of the gazetteer."),
    Rule("cited", "tables", "Every event has at least one citation."),
    Rule("orphan", "tables", "Every actor, place, source and treaty is used by some other row."),
    Rule("treaty-party", "tables", "Treaty parties are state actors."),
    Rule("treaty-milestone", "tables", "A treaty's milestone event does not end before the treaty's signature "
                                       "(date_signed)."),
    # A built package
    Rule("descriptor", "package", "datapackage.json is a readable Data Package descriptor."),
    Rule("duplicate-resource", "package", "No two resources of the descriptor share a name."),
    Rule("resource", "package", "Every table is listed among the descriptor's resources."),
    Rule("integrity", "package", "Every file has the size and sha256 hash its descriptor records."),
    Rule("unsafe-path", "package", "Resource paths stay inside the package: relative, no '..', no control "
                                   "characters, no links out or link loops."),
    Rule("archive", "package", "A release archive unpacks safely: no absolute or '..' paths, links, control "
                               "characters, repeated names, a file and a folder of one name, or bombs."),
    Rule("parquet", "package", "Every table is a readable Parquet file."),
    Rule("column-type", "package", "Every column has the Arrow type of its definition."),
)

RULES: dict[str, Rule] = {r.name: r for r in _RULES}


def meaning(name: str) -> str:
    """The one-line meaning of a registered rule."""
    return RULES[name].meaning
