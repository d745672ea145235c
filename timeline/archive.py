"""Release archives: written byte-reproducibly, read back safely.

An archive holds the package flat (no top folder): ``datapackage.json`` with the Parquet tables
under ``data/``, a CSV mirror of every table under ``csv/`` described by ``datapackage-csv.json``
(for R, spreadsheets and ``frictionless validate``), and the codebook, README, LICENSE and
CITATION.cff. Entries are sorted, dated 1980-01-01 and stored uncompressed (the Parquet files
are compressed already), so the same inputs give the same bytes on any machine and zlib.

Reading refuses entries with absolute paths, ``..``, control characters, links, encryption, duplicate
names or a file that is also a folder, and
archives that would unpack to more than ``MAX_TOTAL`` bytes or ``MAX_RATIO`` times their size.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from .csvmirror import csv_mirror
from .problems import UnsafePackage

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
MAX_ENTRIES = 10_000
MAX_TOTAL = 4 << 30  # 4 GiB unpacked
MAX_RATIO = 200  # an entry may unpack to at most this many times its compressed size
CHUNK = 1 << 20


def archive_name(name: str, version: str) -> str:
    return f"{name}-{version}.zip"


# ---------------------------------------------------------------- writing


def build_archive(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` (relative path -> bytes) plus the CSV mirror, the same bytes every time."""
    members = {**files, **csv_mirror(files)}
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w") as zf:
        for path in sorted(members):
            info = zipfile.ZipInfo(path, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3  # unix, so the permissions below are read
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, members[path])
    return sink.getvalue()


# ---------------------------------------------------------------- reading


def _check_name(name: str) -> None:
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or ":" in parts[0] or "\x00" in name
            or any(p in ("..", ".") for p in parts) or "" in parts[:-1]):
        raise UnsafePackage(f"archive entry {name!r} is an absolute path or leaves the folder")
    if any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in name):
        raise UnsafePackage(f"archive entry {name!r} contains a control character")


def check_archive(zf: zipfile.ZipFile, size: int, max_total: int = MAX_TOTAL, max_ratio: int = MAX_RATIO) -> None:
    """Refuse an archive before unpacking anything from it."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise UnsafePackage(f"archive has {len(infos)} entries; at most {MAX_ENTRIES} are read")
    seen: set[str] = set()
    total = 0
    for info in infos:
        _check_name(info.filename)
        key = info.filename.rstrip("/").lower()
        if key in seen:
            raise UnsafePackage(f"archive entry {info.filename!r} appears twice")
        seen.add(key)
        kind = stat.S_IFMT(info.external_attr >> 16)
        if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
            raise UnsafePackage(f"archive entry {info.filename!r} is a link or special file")
        if info.flag_bits & 0x1:
            raise UnsafePackage(f"archive entry {info.filename!r} is encrypted")
        total += info.file_size
        if info.file_size > 1 << 20 and info.file_size > max_ratio * max(info.compress_size, 1):
            raise UnsafePackage(f"archive entry {info.filename!r} would unpack to {info.file_size} bytes from "
                                f"{info.compress_size}: refused as a decompression bomb")
    # A file 'data' and an entry 'data/x' cannot both be unpacked: refused before anything is written.
    folders = {"/".join(parts[:i]) for info in infos for parts in [info.filename.lower().rstrip("/").split("/")]
               for i in range(1, len(parts))}
    for info in infos:
        if not info.is_dir() and info.filename.lower() in folders:
            raise UnsafePackage(f"archive entry {info.filename!r} is both a file and a folder of other entries")
    if total > max_total:
        raise UnsafePackage(f"archive would unpack to {total} bytes; the limit is {max_total}")
    if total > max_ratio * max(size, 1) and total > 1 << 20:
        raise UnsafePackage(f"archive would unpack to {total} bytes from {size}: refused as a decompression bomb")


def extract(path: str | os.PathLike[str], target: str | os.PathLike[str], max_total: int = MAX_TOTAL) -> Path:
    """Unpack a release archive into the empty or new folder ``target``, refusing anything unsafe."""
    path, target = Path(path), Path(target)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsafePackage(f"{path}: not a readable zip archive ({exc})") from None
    with zf:
        check_archive(zf, path.stat().st_size, max_total)
        target.mkdir(parents=True, exist_ok=True)
        for info in zf.infolist():
            dest = target / info.filename
            written = 0
            try:
                if info.is_dir():
                    dest.mkdir(parents=True, exist_ok=True)
                    continue
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(dest, "xb") as out:
                    while chunk := src.read(CHUNK):
                        written += len(chunk)
                        if written > info.file_size:  # the header lied about the size
                            raise UnsafePackage(f"archive entry {info.filename!r} is larger than it declares")
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, zlib.error) as exc:  # zipfile stops at the declared size
                raise UnsafePackage(f"archive entry {info.filename!r} is damaged or lies about its size "
                                    f"({exc})") from None
            except (FileExistsError, NotADirectoryError):
                raise UnsafePackage(f"archive entry {info.filename!r} clashes with another entry") from None
    return target


def cache_root() -> Path:
    """Where archives are unpacked: $TIMELINE_CACHE_DIR, else the user's cache folder."""
    if os.environ.get("TIMELINE_CACHE_DIR"):
        return Path(os.environ["TIMELINE_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "russia-dprk-timeline"


def _package_dir(folder: Path) -> Path:
    """The folder holding datapackage.json: the top, or a single top folder (archives made by hand)."""
    if (folder / "datapackage.json").is_file():
        return folder
    subdirs = [p for p in folder.iterdir() if p.is_dir()]
    if len(subdirs) == 1 and (subdirs[0] / "datapackage.json").is_file():
        return subdirs[0]
    raise UnsafePackage(f"{folder}: the archive holds no datapackage.json")


def extract_cached(path: str | os.PathLike[str]) -> Path:
    """The package folder of a release archive, unpacked once into the cache (keyed by its sha256).

    Files are still checked against ``datapackage.json`` each time they are loaded.
    """
    path = Path(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    final = cache_root() / digest.hexdigest()[:32]
    if final.is_dir():
        return _package_dir(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=final.parent))
    try:
        extract(path, staging / "x")
        try:
            os.rename(staging / "x", final)
        except OSError:  # another process unpacked it first
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return _package_dir(final)


def members(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Name -> size of each entry, for reports and tests."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: i.file_size for i in zf.infolist()}
