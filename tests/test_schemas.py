"""The generated schemas, descriptor and vocabularies agree with the table definitions."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from tests.conftest import REPO
from timeline import vocab
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
            assert f.type in {"string", "date", "integer", "number", "boolean"}
            assert set(table.primary_key) <= set(table.field_names)


# Fields the curated data may leave empty everywhere, each with why (PUDL's "defined fields are used").
MAY_BE_EMPTY = {
    ("events", "retraction_reason"): "no event is retracted",
    ("changes", "fields"): "the first release logs no modified rows",
    ("estimates", "derivation"): "every current figure is stated by a source; none is curator-derived",
}


def test_every_defined_field_is_used_by_the_data():
    """A field that no row fills is either dead or unreachable from the records: both are bugs."""
    for name, table in TABLES.items():
        frame = pq.read_table(REPO / f"data/{name}.parquet")
        if frame.num_rows == 0:
            continue
        for f in table.fields:
            filled = frame.num_rows - frame.column(f.name).null_count
            assert filled or (name, f.name) in MAY_BE_EMPTY, f"{name}.{f.name} is never filled"


def test_relations_name_real_tables_and_fields():
    from timeline.tables import children, stable_ids, users

    for table in TABLES.values():
        names = set(table.field_names)
        if table.parent:
            parent, column = table.parent
            assert parent in TABLES and column in names, table.name
            assert column in TABLES[parent].field_names or column in TABLES[parent].primary_key, table.name
        if table.stable_id:
            assert table.stable_id in table.primary_key, table.name
        if table.record_file:
            assert (REPO / "data/records" / table.record_file).is_file(), table.record_file
        for f in table.fields:
            if f.references:
                ref, col = f.references
                assert ref in TABLES and col in TABLES[ref].field_names, f"{table.name}.{f.name}"
        if table.orphan_check:
            assert users(table.name), f"{table.name} is checked for orphans but nothing refers to it"
        for child in children(table.name):
            assert child.parent[0] == table.name
    assert set(stable_ids()) == {"events", "places", "actors", "estimates", "treaties"}


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
    from timeline.arrowops import arrow_frame

    for name in TABLES:
        schema_pandera(name).validate(arrow_frame(pq.read_table(REPO / f"data/{name}.parquet")), lazy=True)
