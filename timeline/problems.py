"""Problems found in records or packages, and the errors that carry them."""

from __future__ import annotations

import re
import reprlib
from dataclasses import asdict, dataclass

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _one_line(text: str) -> str:
    """Escape line breaks and other control characters so one problem stays one line."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong, located as precisely as we can: file, line, record, field."""

    file: str
    line: int
    record: str
    field: str
    rule: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else self.file]
        parts += [p for p in (self.record, self.field) if p]
        val = f" (got {self.value})" if self.value else ""
        return _one_line(": ".join(parts) + f": [{self.rule}] {self.message}{val}")

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 2, 4, 4, 200, 60


def show(value: object, limit: int = 60) -> str:
    """A short, printable rendering of an offending value; never walks a huge structure."""
    text = repr(value[:200]) if isinstance(value, str) else _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class TimelineError(Exception):
    """Base class of every error the library raises on purpose."""


class ValidationFailed(TimelineError):
    """Raised with every problem of a run, never just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s)")


class IntegrityError(TimelineError):
    """A file does not match the size or hash its descriptor records."""


class NotParquet(IntegrityError):
    """A table's file is not readable Parquet (whatever its recorded hash says)."""

    def __init__(self, where: str, reason: str):
        self.reason = reason
        super().__init__(f"{where}: {reason}")


class UnsafePackage(TimelineError):
    """A descriptor or archive tries to reach outside its package."""


class UnsafeArchive(UnsafePackage):
    """A release archive refused before anything in it is read."""


class DuplicateResource(UnsafePackage):
    """A descriptor lists one resource name twice."""


class BuildLocked(TimelineError):
    """Another build holds the lock."""


class NotFound(TimelineError, FileNotFoundError):
    """A path the user named does not exist."""

    def __init__(self, path: object, detail: str = ""):
        self.path = path
        super().__init__(f"{path}: not found" + (f" ({detail})" if detail else ""))


class NotACheckout(TimelineError):
    """A command that needs the curated records ran outside a checkout of the repository."""
