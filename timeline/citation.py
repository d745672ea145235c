"""How to cite the package: ``CITATION.cff``, ``.zenodo.json`` and ``timeline cite``, from one metadata set.

The metadata is ``data/records/package.yaml`` (title, contributors, licence, homepage, and ``doi``
once Zenodo has issued one) with the version and date of a release. ``timeline release`` writes both
files; ``timeline cite --check`` says whether the committed ones still match the last release.
A built package's descriptor carries the same keys, so ``timeline cite`` prints the citation of
the version any package holds: a checkout, the wheel's copy, a release folder or archive.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import paths
from .diff import is_release

CITATION = "CITATION.cff"
ZENODO = ".zenodo.json"
GENERATED = "# Written by `timeline release` from data/records/package.yaml; do not edit by hand.\n"
DOI = r"^10\.[0-9]{4,9}/\S+$"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _authors(meta: dict[str, Any]) -> list[str]:
    names = [str(c.get("title")) for c in meta.get("contributors", []) if isinstance(c, dict) and c.get("title")]
    return names or [str(meta.get("name"))]


def _licenses(meta: dict[str, Any]) -> list[str]:
    return [str(x.get("name")) for x in meta.get("licenses", []) if isinstance(x, dict) and x.get("name")]


def _date(meta: dict[str, Any]) -> dt.date | None:
    """The release date: the descriptor's ``created`` (a release sets it to its day)."""
    try:
        return dt.date.fromisoformat(str(meta.get("created", ""))[:10])
    except ValueError:
        return None


def _doi(meta: dict[str, Any]) -> str | None:
    doi = meta.get("doi")
    return doi if isinstance(doi, str) and re.match(DOI, doi) else None


def citation_cff(meta: dict[str, Any], date: dt.date) -> str:
    """CITATION.cff for ``meta`` (its ``version`` is the release's) released on ``date``."""
    from .yamlio import dump_yaml

    authors = [{"name": a} for a in _authors(meta)]
    licenses = _licenses(meta)
    doi = _doi(meta)
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": meta.get("title"),
        "version": meta.get("version"),
        "date-released": date.isoformat(),
        "doi": doi,
        "abstract": " ".join(str(meta.get("description", "")).split()),
        "authors": authors,
        "license": licenses[0] if len(licenses) == 1 else licenses,
        "repository-code": meta.get("homepage"),
        "keywords": list(meta.get("keywords", [])),
        "preferred-citation": {k: v for k, v in {
            "type": "data", "title": meta.get("title"), "authors": [dict(a) for a in authors],
            "version": meta.get("version"),
            "date-released": date.isoformat(), "year": date.year, "month": date.month, "doi": doi,
            "url": f"https://doi.org/{doi}" if doi else meta.get("homepage"),
        }.items() if v},
    }
    return GENERATED + dump_yaml({k: v for k, v in data.items() if v})


def zenodo_json(meta: dict[str, Any], date: dt.date) -> str:
    """``.zenodo.json``: what the GitHub-Zenodo integration records for the release (and its DOI)."""
    licenses = _licenses(meta)
    data: dict[str, Any] = {
        "upload_type": "dataset",
        "title": meta.get("title"),
        "version": meta.get("version"),
        "publication_date": date.isoformat(),
        "description": " ".join(str(meta.get("description", "")).split()),
        "creators": [{"name": a} for a in _authors(meta)],
        "access_right": "open",
        "license": licenses[0].lower() if licenses else None,
        "keywords": list(meta.get("keywords", [])),
        "related_identifiers": [{"identifier": meta["homepage"], "relation": "isSupplementTo", "scheme": "url"}]
        if meta.get("homepage") else None,
    }
    return json.dumps({k: v for k, v in data.items() if v}, indent=2, ensure_ascii=False) + "\n"


def citation_files(meta: dict[str, Any], date: dt.date) -> dict[str, bytes]:
    return {CITATION: citation_cff(meta, date).encode(), ZENODO: zenodo_json(meta, date).encode()}


def expected_files(root: str | Path = ".") -> dict[str, bytes]:
    """The citation files for the last release recorded under ``root``: package.yaml as it is now
    (a DOI recorded after the release is cited), with the release's version and date."""
    from .history import last_release
    from .problems import TimelineError
    from .yamlio import read_file

    root = Path(root)
    rel = last_release(root)
    if rel is None:
        raise TimelineError(f"{root / 'data' / 'releases'}: no release recorded yet; `timeline release` "
                            "writes the citation files")
    doc, problems = read_file(root / paths.RECORDS / "package.yaml", "package.yaml")
    if problems or not isinstance(doc, Mapping):
        raise TimelineError("data/records/package.yaml cannot be read; run `timeline validate`")
    date = dt.date.fromisoformat(str(rel.manifest.get("created", ""))[:10])
    return citation_files({**dict(doc), "version": rel.version}, date)


def cite_text(meta: dict[str, Any]) -> str:
    """One plain-text reference, in the manner of APA's for data sets."""
    version = str(meta.get("version", ""))
    date = _date(meta)
    doi = _doi(meta)
    where = f"https://doi.org/{doi}" if doi else meta.get("homepage")
    tag = f"Version {version}" if is_release(version) else f"Version {version}, an unreleased build"
    parts = [f"{' & '.join(_authors(meta))} ({date.year if date else 'n.d.'}).",
             f"{meta.get('title') or meta.get('name')} ({tag}) [Data set].", where or ""]
    return " ".join(p for p in parts if p)


def cite_bibtex(meta: dict[str, Any]) -> str:
    """A BibTeX ``@misc`` entry (BibTeX has no data-set type; biblatex users may change it to @dataset)."""
    version = str(meta.get("version", ""))
    date = _date(meta)
    doi = _doi(meta)
    fields = [("author", "{" + " and ".join("{" + a + "}" for a in _authors(meta)) + "}"),
              ("title", "{" + str(meta.get("title") or meta.get("name")) + "}"),
              ("year", "{" + str(date.year) + "}" if date else None),
              ("month", MONTHS[date.month - 1] if date else None),
              ("version", "{" + version + "}"),
              ("doi", "{" + doi + "}" if doi else None),
              ("url", "{" + (f"https://doi.org/{doi}" if doi else str(meta.get("homepage") or "")) + "}"),
              ("note", "{Data set" + ("" if is_release(version) else ", an unreleased build") + "}")]
    key = f"{meta.get('name') or 'dataset'}-{version}"
    body = ",\n".join(f"  {k:<8} = {v}" for k, v in fields if v and v != "{}")
    return f"@misc{{{key},\n{body}\n}}"
