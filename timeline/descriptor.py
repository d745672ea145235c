"""The Data Package (v2) descriptor, generated from package metadata and the table definitions."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .paths import table_path
from .schemas import schema_frictionless
from .tables import TABLES

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
BYTES_KEY = "x-bytes"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
# ``doi`` last and only once recorded, so that descriptors released without one keep their bytes.
METADATA_KEYS = ("name", "title", "description", "version", "created", "homepage", "keywords",
                 "contributors", "licenses", "doi")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def descriptor(meta: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
    """Build datapackage.json: ``files`` maps each resource path to the bytes written there."""
    out: dict[str, Any] = {"$schema": PROFILE}
    out.update({k: meta[k] for k in METADATA_KEYS if meta.get(k) is not None})
    resources = []
    for name, table in TABLES.items():
        path = table_path(name)
        data = files[path]
        resources.append({
            "name": name,
            "type": "table",
            "title": table.title,
            "description": table.description,
            "path": path,
            "format": "parquet",
            "mediatype": PARQUET_MEDIATYPE,
            # frictionless 5 reads Parquet through pandas and cannot measure its size, so a standard
            # `bytes` would fail `frictionless validate`; the size is kept under our own key.
            BYTES_KEY: len(data),
            "hash": f"sha256:{sha256(data)}",
            "schema": schema_frictionless(name),
        })
    out["resources"] = resources
    return out


def dumps(obj: Any) -> bytes:
    """Stable JSON: fixed key order as built, two-space indent, trailing newline."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
