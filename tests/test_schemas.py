"""The generated schemas, descriptor and vocabularies agree with the table definitions."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from tests.conftest import REPO
from timeline import vocab
from timeline.records import ACTOR_KEYS, CITATION_FIELDS, ESTIMATE_KEYS, EVENT_KEYS, OBLIGATION_KEYS
from timeline.schemas import schema_arrow, schema_frictionless, schema_pandera
from timeline.tables import TABLES


def test_committed_table_schemas_match_the_definitions():
    for name in TABLES:
        committed = json.loads((REPO / f"schemas/{name}.json").read_text())
        assert committed == schema_frictionless(name), f"schemas/{name}.json is stale: run timeline build"


def test_descriptor_embeds_the_same_schemas():
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for resource in descriptor["resources"]:
        if resource["name"] in TABLES:
            assert resource["schema"] == schema_frictionless(resource["name"])
            assert resource["hash"].startswith("sha256:")
            assert resource["format"] == "parquet"


def test_parquet_files_use_the_arrow_schema():
    for name in TABLES:
        schema = pq.read_schema(REPO / f"data/{name}.parquet")
        assert schema.equals(schema_arrow(name), check_metadata=False), name


def test_every_field_is_described_and_typed():
    for table in TABLES.values():
        assert table.description and table.primary_key
        for f in table.fields:
            assert f.description.strip(), f"{table.name}.{f.name} has no description"
            assert f.type in {"string", "date", "integer", "boolean"}
            assert set(table.primary_key) <= set(table.field_names)


def test_every_field_can_be_written_or_is_derived():
    """A field no record can set and the build does not derive would always be empty."""
    record_keys = {
        "events": set(EVENT_KEYS.values()) | {"place_name", "place_region", "place_country"},
        "estimates": set(ESTIMATE_KEYS.values()) | {"event_id"},
        "actors": set(ACTOR_KEYS.values()),
        "sources": {"date_published", *CITATION_FIELDS},
        "citations": {"event_id", "source_id", "claim"},
        "participants": {"event_id", "actor_id", "role"},
        "treaty_obligations": set(OBLIGATION_KEYS.values()) | {"treaty_id"},
        "treaty_parties": {"treaty_id", "actor_id"},
    }
    for name, table in TABLES.items():
        keys = record_keys.get(name, set())
        for f in table.fields:
            assert f.derived or f.name in keys or name not in record_keys or f.name in {
                fld.name for fld in table.fields if not fld.derived}, f"{name}.{f.name}"


def test_every_vocabulary_is_used_by_a_field_and_defined():
    used = {f.vocabulary for t in TABLES.values() for f in t.fields if f.vocabulary}
    assert used == set(vocab.VOCABULARIES)
    for name, values in vocab.VOCABULARIES.items():
        assert values, name
        for value in values:
            assert vocab.definition(name, value).strip(), f"{name}.{value} has no definition"


def test_event_types_map_to_categories_and_plover():
    plover = {"AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "INVESTIGATE", "DEMAND",
              "DISAPPROVE", "REJECT", "THREATEN", "SANCTION", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT", "FIGHT"}
    for name, t in vocab.EVENT_TYPES.items():
        assert t.category in vocab.CATEGORIES, name
        assert t.plover in plover or (t.plover is None and t.plover_note), name


def test_measures_use_defined_units():
    for measure, (definition, unit) in vocab.MEASURES.items():
        assert definition and unit in vocab.UNITS, measure


def test_pandera_schema_accepts_the_built_tables():
    from timeline.validate import arrow_frame

    for name in TABLES:
        schema_pandera(name).validate(arrow_frame(pq.read_table(REPO / f"data/{name}.parquet")), lazy=True)
