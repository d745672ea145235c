"""Reading a built package safely: descriptor, resource paths, sizes and hashes."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .paths import DESCRIPTOR
from .problems import DuplicateResource, IntegrityError, UnsafePackage

HASH_CHUNK = 1 << 20
MAX_DESCRIPTOR_BYTES = 20_000_000  # ours is ~100 kB; a larger one is not a descriptor we wrote


def check_descriptor_size(where: str, size: int) -> None:
    if size > MAX_DESCRIPTOR_BYTES:
        raise UnsafePackage(f"{where}: {size:,} bytes is too large for a descriptor")


def parse_descriptor(data: bytes, where: str) -> dict[str, Any]:
    """A descriptor's bytes (at most ``MAX_DESCRIPTOR_BYTES``) as JSON holding a list of resources."""
    check_descriptor_size(where, len(data))
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise UnsafePackage(f"{where}: not valid JSON ({type(exc).__name__}: {str(exc)[:200]})") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("resources"), list):
        raise UnsafePackage(f"{where}: a data package needs a list of resources")
    return parsed


def read_descriptor(root: Path) -> dict[str, Any]:
    path = root / DESCRIPTOR
    if not path.is_file():
        raise UnsafePackage(f"{path}: no datapackage.json here")
    check_descriptor_size(str(path), path.stat().st_size)  # before reading it
    return parse_descriptor(path.read_bytes(), str(path))


def resources_by_name(descriptor: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """The descriptor's resources by name; a name listed twice is refused (which file is meant?)."""
    out: dict[Any, dict[str, Any]] = {}
    for r in descriptor["resources"]:
        if isinstance(r, dict):
            if r.get("name") in out:
                raise DuplicateResource(f"resource {r.get('name')}: listed twice in datapackage.json (paths "
                                    f"{out[r.get('name')].get('path')!r} and {r.get('path')!r}); each name "
                                    "names one file")
            out[r.get("name")] = r
    return out


def resource_path(resource: dict[str, Any]) -> str:
    """A resource's relative path, refusing any that could name something outside the package."""
    name = resource.get("name", "?")
    rel = resource.get("path")
    if not isinstance(rel, str) or not rel:
        raise UnsafePackage(f"resource {name}: path must be a single relative file path")
    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in rel):
        raise UnsafePackage(f"resource {name}: path {rel!r} contains a NUL or other control character")
    if "://" in rel or rel.startswith(("/", "\\")) or (len(rel) > 1 and rel[1] == ":"):
        raise UnsafePackage(f"resource {name}: path {rel!r} is absolute or a URL; "
                            "only files inside the package are read")
    parts = rel.replace("\\", "/").split("/")
    if ".." in parts or any(p.startswith(".") for p in parts):
        raise UnsafePackage(f"resource {name}: path {rel!r} leaves the package or names a hidden file")
    return rel


def resource_file(root: Path, resource: dict[str, Any]) -> Path:
    """The file of a resource, refusing anything that could leave the package folder."""
    rel = resource_path(resource)
    name = resource.get("name", "?")
    try:
        real_root = root.resolve()
        target = (root / rel).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a link loop (Python < 3.13)
        raise UnsafePackage(f"resource {name}: path {rel!r} cannot be followed: a link loop or an unreadable "
                            f"link ({type(exc).__name__})") from None
    if os.path.commonpath([real_root, target]) != str(real_root):
        raise UnsafePackage(f"resource {name}: path {rel!r} points outside the package through a link")
    return root / rel


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def recorded(where: str, resource: dict[str, Any]) -> tuple[int, str]:
    """The size and sha256 the descriptor records for a resource's file."""
    expected_size = resource.get("bytes", resource.get("x-bytes"))
    expected = resource.get("hash")
    if not isinstance(expected_size, int) or not isinstance(expected, str) or not expected:
        # Nothing to check against is not a pass: a tampered descriptor could simply drop them.
        raise IntegrityError(f"{where}: datapackage.json records no size and sha256 for it, so it cannot be "
                             "verified (pass verify=False only if you know why)")
    algo, _, value = expected.rpartition(":")
    if algo not in ("", "sha256"):
        raise IntegrityError(f"{where}: unsupported hash algorithm {algo!r}; only sha256 is checked")
    return expected_size, value


def check_size(where: str, size: int, expected: int) -> None:
    if size != expected:
        raise IntegrityError(f"{where}: size is {size} bytes, datapackage.json says {expected}; "
                             "the file was changed or damaged")


def check_sha256(where: str, digest: str, expected: str) -> None:
    if digest != expected:
        raise IntegrityError(f"{where}: sha256 does not match datapackage.json; the file was changed or "
                             "damaged (pass verify=False only if you know why)")


def verify_resource(root: Path, resource: dict[str, Any]) -> Path:
    """Check a resource's size and sha256 against its descriptor; return its path."""
    path = resource_file(root, resource)
    rel = resource["path"]
    if path.is_symlink() and not path.exists():
        raise UnsafePackage(f"resource {resource.get('name', '?')}: path {rel!r} is a link to nothing")
    if not path.is_file():
        raise IntegrityError(f"{rel}: file is missing")
    size, digest = recorded(rel, resource)
    check_size(rel, path.stat().st_size, size)  # before hashing: a wrong size needs no hash
    check_sha256(rel, file_sha256(path), digest)
    return path
