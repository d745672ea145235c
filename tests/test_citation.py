"""Citation: CITATION.cff, .zenodo.json and `timeline cite` from one metadata set; a DOI once recorded."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import REPO
from timeline.build import build
from timeline.citation import cite_bibtex, cite_text
from timeline.site import site_data

DOI = "10.5555/example.1"  # 10.5555 is a test prefix; no real DOI is recorded yet
TITLE = "Russia-North Korea military partnership timeline"
HOME = "https://github.com/russia-dprk-timeline/russia-dprk-timeline"


def descriptor(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))




def test_cite_prints_the_plain_text_and_bibtex_of_the_checkout(cli):
    code, out, _ = cli("cite")
    assert code == 0
    assert out == f"russia-dprk-timeline contributors (2026). {TITLE} (Version 2.0.0) [Data set]. {HOME}\n"
    code, out, _ = cli("cite", "--bibtex")
    assert code == 0 and out == (
        "@misc{russia-dprk-timeline-2.0.0,\n"
        "  author   = {{russia-dprk-timeline contributors}},\n"
        f"  title    = {{{TITLE}}},\n"
        "  year     = {2026},\n"
        "  month    = dec,\n"
        "  version  = {2.0.0},\n"
        f"  url      = {{{HOME}}},\n"
        "  note     = {Data set}\n"
        "}\n")


def test_cite_names_the_version_the_package_holds(cli):
    code, out, _ = cli("cite", "--package", str(REPO / "data/releases/1.0.0"))
    assert code == 0 and "(Version 1.0.0)" in out
    meta = {**descriptor(REPO), "version": "2.1.0.dev0"}
    assert "(Version 2.1.0.dev0, an unreleased build)" in cite_text(meta)
    assert "note     = {Data set, an unreleased build}" in cite_bibtex(meta)


def test_the_committed_citation_files_are_those_of_release_2_0_0(cli):
    code, out, _ = cli("cite", "--check", "--root", str(REPO))
    assert code == 0, out
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert (cff["version"], cff["date-released"]) == ("2.0.0", "2026-12-01")
    preferred = cff["preferred-citation"]
    assert [preferred[k] for k in ("title", "version", "year", "month")] == [TITLE, "2.0.0", 2026, 12]
    assert preferred["authors"] == cff["authors"] == [{"name": "russia-dprk-timeline contributors"}]
    zenodo = json.loads((REPO / ".zenodo.json").read_text(encoding="utf-8"))
    assert (zenodo["title"], zenodo["version"], zenodo["publication_date"]) == (TITLE, "2.0.0", "2026-12-01")
    assert zenodo["upload_type"] == "dataset" and zenodo["license"] == "cc-by-4.0"
    assert "doi" not in cff  # none has been issued


def test_check_finds_a_stale_citation_and_write_mends_it(released: Path, cli):
    assert cli("cite", "--check", "--root", str(released))[0] == 0
    (released / ".zenodo.json").write_text("{}\n")
    code, _, err = cli("cite", "--check", "--root", str(released))
    assert code == 1 and ".zenodo.json is stale; run `timeline cite --write`" in err and "CITATION.cff" not in err
    assert cli("cite", "--write", "--root", str(released))[0] == 0
    assert cli("cite", "--check", "--root", str(released))[0] == 0


def test_a_release_writes_both_files_for_its_version(released: Path):
    zenodo = json.loads((released / ".zenodo.json").read_text(encoding="utf-8"))
    cff = yaml.safe_load((released / "CITATION.cff").read_text(encoding="utf-8"))
    assert zenodo["version"] == cff["version"] == cff["preferred-citation"]["version"] == "1.0.0"
    assert zenodo["publication_date"] == cff["date-released"] == descriptor(released)["created"][:10]


def test_a_recorded_doi_is_cited_and_goes_out_with_the_next_release(released: Path, cli):
    package = released / "data/records/package.yaml"
    package.write_text(package.read_text() + f"doi: {DOI}\n")
    build(released)
    meta = descriptor(released)
    assert meta["doi"] == DOI and meta["version"] == "1.0.1.dev0"  # package metadata changed: a patch
    assert cite_text(meta).endswith(f"[Data set]. https://doi.org/{DOI}")
    assert f"  doi      = {{{DOI}}},\n  url      = {{https://doi.org/{DOI}}}," in cite_bibtex(meta)
    assert cli("cite", "--check", "--root", str(released))[0] == 1  # CITATION.cff should now cite it
    cli("cite", "--write", "--root", str(released))
    cff = yaml.safe_load((released / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["doi"] == cff["preferred-citation"]["doi"] == DOI and cff["version"] == "1.0.0"


def test_a_malformed_doi_is_a_package_problem(released: Path, cli):
    package = released / "data/records/package.yaml"
    package.write_text(package.read_text() + f"doi: https://doi.org/{DOI}\n")
    code, out, _ = cli("validate", "--root", str(released), "--records-only")
    assert code == 1 and "doi: [package] doi must be a DOI such as" in out


def test_the_explorer_footer_shows_the_citation():
    from timeline.load import load

    text = cite_text(descriptor(REPO))
    assert site_data(load(), descriptor(REPO))["citation"] == text
    page = (REPO / "site/index.html").read_text(encoding="utf-8")
    assert json.dumps(text)[1:-1] in page and '"Cite as: " + D.citation' in page
