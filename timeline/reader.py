"""Opening a package: a folder, its ``datapackage.json``, a release ``.zip`` or a git revision.

Every command and ``timeline.load`` open packages here, so every spec passes the same checks: an
archive is refused before anything in it is read (``archive.extract_cached``); the descriptor is
at most ``package.MAX_DESCRIPTOR_BYTES`` of JSON with a list of resources, none named twice; a
resource path never leaves the package; and unless ``verify=False`` every file read has the size
and sha256 the descriptor records. A git revision is read from git objects (the work tree is not
touched) and its blobs are checked just as files are.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .about import source_of
from .package import (
    check_descriptor_size,
    check_sha256,
    check_size,
    parse_descriptor,
    read_descriptor,
    recorded,
    resource_file,
    resource_path,
    resources_by_name,
    verify_resource,
)
from .paths import DESCRIPTOR, default_package
from .problems import NotFound, NotParquet, TimelineError, UnsafeArchive, UnsafePackage

if TYPE_CHECKING:
    from collections.abc import Collection

    import pyarrow as pa
    import pyarrow.parquet as pq

REVISION = "revision"  # the source of a package read from git (``load`` reads no revisions)


class PackageSource:
    """An opened package: its label, its source, its checked descriptor and its tables on demand."""

    def __init__(self, label: str, source: str, descriptor: dict[str, Any], where: str, verify: bool):
        self.label = label
        self.source = source
        self.descriptor = descriptor
        self.where = where  # the descriptor's location, for messages
        self.verify = verify
        self.resources: dict[Any, dict[str, Any]] = resources_by_name(descriptor)

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", "?"))

    def resource(self, name: str) -> dict[str, Any]:
        if name not in self.resources:
            raise KeyError(f"no table {name!r} in {self.where}; "
                           f"tables: {', '.join(sorted(map(str, self.resources)))}")
        return self.resources[name]

    def parquet_tables(self) -> list[Any]:
        """The names of the resources stored as Parquet."""
        return [n for n, r in self.resources.items()
                if r.get("format") == "parquet" or str(r.get("path", "")).endswith(".parquet")]

    def data(self, name: str) -> Path | bytes:
        """A resource's contents (a file, or a git blob's bytes), checked against the descriptor."""
        raise NotImplementedError

    def _where(self, rel: str) -> str:
        raise NotImplementedError

    def parquet(self, name: str, data: Path | bytes | None = None,
                dictionary: Collection[str] = ()) -> pq.ParquetFile:
        """A table's Parquet file, opened (its footer read); ``dictionary`` names columns to read
        dictionary-encoded, as the file stores them (they must exist)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if data is None:
            data = self.data(name)
        try:
            return pq.ParquetFile(pa.BufferReader(data) if isinstance(data, bytes) else data,
                                  read_dictionary=list(dictionary) or None)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise self._not_parquet(name, exc) from None

    def arrow(self, name: str, columns: list[str] | None = None, data: Path | bytes | None = None,
              dictionary: Collection[str] = ()) -> pa.Table:
        """A table as Arrow; ``data`` is what ``data(name)`` returned, when it was checked already."""
        file = self.parquet(name, data, dictionary)
        try:  # one file: ParquetFile reads what read_table would, without importing pyarrow.dataset
            # (a quarter of a second of a validate at 100,000 events); an empty table keeps one empty
            # chunk per column, as read_table gives it
            table = file.read(columns=columns)
            return table if table.num_rows else table.schema.empty_table()
        except (OSError, ValueError) as exc:
            raise self._not_parquet(name, exc) from None

    def _not_parquet(self, name: str, exc: Exception) -> NotParquet:
        return NotParquet(self._where(str(self.resources[name].get("path"))),
                          f"not a readable Parquet file ({str(exc)[:120]})")


class FolderPackage(PackageSource):
    """A package folder on disk (a release archive is one, once unpacked into the cache)."""

    def __init__(self, root: Path, label: str, source: str, verify: bool):
        self.root = root
        super().__init__(label, source, read_descriptor(root), str(root / DESCRIPTOR), verify)

    def data(self, name: str) -> Path:
        resource = self.resource(name)
        return verify_resource(self.root, resource) if self.verify else resource_file(self.root, resource)

    def _where(self, rel: str) -> str:
        return Path(rel).name


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:  # pathspecs taken literally: a resource path is a file name, never a pattern or magic
        return subprocess.run(["git", "--literal-pathspecs", "-C", str(repo), *args], capture_output=True,
                              check=False)
    except OSError:  # no git: nothing is a revision
        return subprocess.CompletedProcess(args, 127, b"", b"")


def _commit(repo: Path, rev: str) -> str | None:
    if rev.startswith("-"):  # an option, not a revision
        return None
    done = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    return done.stdout.decode().strip() if done.returncode == 0 else None


class RevisionPackage(PackageSource):
    """The package committed at a git revision, read from git objects."""

    def __init__(self, repo: Path, rev: str, commit: str, label: str, verify: bool):
        self.repo, self.rev, self.commit = repo, rev, commit
        self.prefix = _git(repo, "rev-parse", "--show-prefix").stdout.decode().strip()
        where = self._where(DESCRIPTOR)
        oid, size = self._entry(DESCRIPTOR)
        check_descriptor_size(where, size)  # before reading it
        super().__init__(label, REVISION, parse_descriptor(self._blob(oid), where), where, verify)

    def _where(self, rel: str) -> str:
        return f"{self.rev}:{self.prefix}{rel}"

    def _entry(self, rel: str) -> tuple[str, int]:
        """The blob id and size of a file of the package in this revision."""
        done = _git(self.repo, "ls-tree", "-l", "-z", "--full-tree", self.commit, "--", self.prefix + rel)
        line = done.stdout.split(b"\0")[0]
        if done.returncode or not line:
            raise TimelineError(f"{self.rev}: {self.prefix}{rel} is not in that revision")
        mode, kind, oid, size = line.partition(b"\t")[0].decode().split()
        if kind != "blob" or mode not in ("100644", "100755"):
            raise UnsafePackage(f"{self._where(rel)}: a link, folder or submodule, not a file")
        return oid, int(size)

    def _blob(self, oid: str) -> bytes:
        done = _git(self.repo, "cat-file", "blob", oid)
        if done.returncode:
            raise TimelineError(f"{self.rev}: git could not read {oid} ({done.stderr.decode()[:200].strip()})")
        return done.stdout

    def data(self, name: str) -> bytes:
        resource = self.resource(name)
        rel = resource_path(resource)
        where = self._where(rel)
        oid, size = self._entry(rel)
        if not self.verify:
            return self._blob(oid)
        expected_size, digest = recorded(where, resource)
        check_size(where, size, expected_size)  # before reading the blob
        blob = self._blob(oid)
        check_size(where, len(blob), expected_size)
        check_sha256(where, hashlib.sha256(blob).hexdigest(), digest)
        return blob


def open_package(spec: str | os.PathLike[str] | None = None, repo: str | os.PathLike[str] | None = None, *,
                 verify: bool = True, label: str | None = None) -> PackageSource:
    """Open a package folder, its ``datapackage.json``, a release ``.zip`` or, when ``repo`` is given,
    a git revision of ``repo``; by default the checkout's package, else the one bundled in the wheel.

    ``verify=False`` skips the size and hash checks (never the others). ``label`` names the package
    in reports (default: ``spec`` as given).
    """
    label = label or (os.fspath(spec) if spec is not None else None)
    if spec is not None and repo is not None and not _on_disk(Path(spec)):
        commit = _commit(Path(repo), os.fspath(spec))
        if commit is None:
            raise NotFound(spec, "no package folder, datapackage.json or .zip release archive, and not a git "
                                 f"revision of {repo}")
        return RevisionPackage(Path(repo), os.fspath(spec), commit, label or os.fspath(spec), verify)
    root, source = package_folder(spec)
    return FolderPackage(root, label or str(root), source, verify)


def _on_disk(path: Path) -> bool:
    return path.is_dir() or (path.is_file() and (path.name == DESCRIPTOR or path.suffix == ".zip"))


def package_folder(spec: str | os.PathLike[str] | None) -> tuple[Path, str]:
    """The folder a path spec names (a release ``.zip`` is unpacked into the cache) and its source."""
    if spec is None:
        root = default_package()
        return root, source_of(root)
    path = Path(spec)
    if not path.exists():
        raise NotFound(path)
    if path.is_file() and path.suffix == ".zip":
        from .archive import extract_cached

        try:
            return extract_cached(path), source_of(path, archive=True)
        except UnsafePackage as exc:
            raise UnsafeArchive(str(exc)) from None
    if path.is_file() and path.name == DESCRIPTOR:
        path = path.parent
    return path, source_of(path)  # any other file: read_descriptor says it holds no package
