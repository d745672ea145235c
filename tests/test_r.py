"""R: the generated readr recipe (docs/read-tables.R) and the README's first ``r`` block.

The recipe is checked for staleness without R. With Rscript and readr (Debian's ``r-base-core``
and ``r-cran-readr``, which `.ci/run` installs when missing) the README block is run from the
repository root and its output compared with the Parquet tables and the table definitions;
without them those tests skip and say why.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO
from timeline import paths
from timeline.rrecipe import RECIPE, recipe
from timeline.tables import TABLES
from timeline.vocab import VOCABULARIES

README = REPO / "README.md"
R_CLASS = {"string": "character", "date": "Date", "integer": "integer", "number": "numeric", "boolean": "logical"}
MARK = "----- checks -----"
# Appended to the README block: every column's class, NA count, factor levels, and a sum or range.
CHECKS = r'''
cat("''' + MARK + r'''\n")
for (name in names(tables)) for (col in names(tables[[name]])) {
  x <- tables[[name]][[col]]
  extra <- if (is.factor(x)) paste(levels(x), collapse = "|") else
    if (inherits(x, "Date")) paste(format(range(x, na.rm = TRUE)), collapse = "|") else
    if (is.integer(x)) format(sum(as.numeric(x), na.rm = TRUE), scientific = FALSE) else ""
  cat(name, col, class(x)[1], sum(is.na(x)), extra, sep = "\t")
  cat("\n")
}
'''


def rscript_missing() -> str | None:
    exe = shutil.which("Rscript")
    if exe is None:
        return "Rscript not found: install Debian's r-base-core and r-cran-readr (as .ci/run does) to run it"
    done = subprocess.run([exe, "-e", "library(readr)"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return "R has no readr package: install Debian's r-cran-readr (as .ci/run does) to run it"
    return None


MISSING = rscript_missing()
needs_r = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")


def readme_block() -> tuple[str, str]:
    """The README's first ``r`` block and the ``text`` block that shows its output."""
    m = re.search(r"```r\n(.*?)```\n\n```text\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert m, "the README has no ```r block followed by its output"
    return m.group(1), m.group(2)


def rscript(code: str, tmp_path: Path, cwd: Path = REPO) -> subprocess.CompletedProcess:
    script = tmp_path / "block.R"
    script.write_text(code, encoding="utf-8")
    return subprocess.run(["Rscript", str(script)], cwd=cwd, capture_output=True, text=True, check=False,
                          timeout=300)


def test_committed_recipe_is_up_to_date():
    assert (REPO / RECIPE).read_text(encoding="utf-8") == recipe(), \
        "docs/read-tables.R is stale: run `timeline codebook` and commit it"


def test_recipe_declares_every_column_of_every_table():
    text = recipe()
    for name, table in TABLES.items():
        body = text.split(f"  {name} = cols(\n", 1)[1].split("\n  )", 1)[0]
        declared = re.findall(r"^    (\w+) = col_", body, re.M)
        assert declared == table.field_names, name


@needs_r
def test_readme_r_block_reads_every_table_with_its_types(tmp_path: Path):
    code, shown = readme_block()
    assert "library(arrow)" not in code and "arrow::" not in code
    done = rscript(code + CHECKS, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    printed, checks = done.stdout.split(MARK + "\n")
    assert printed == shown, "the README shows other output than its R block prints: paste the real output"
    counts = dict(re.findall(r"^(\w+) +(\d+) rows$", printed, re.M))
    assert list(counts) == list(TABLES)
    for name in TABLES:
        assert int(counts[name]) == pq.read_metadata(REPO / paths.table_path(name)).num_rows, name
    assert "\nevents:\n" in printed and "\nestimates:\n" in printed

    got = {(t, c): rest for t, c, *rest in (line.split("\t") for line in checks.splitlines())}
    assert set(got) == {(t.name, f.name) for t in TABLES.values() for f in t.fields}
    for name, table in TABLES.items():
        data = pq.read_table(REPO / paths.table_path(name))
        for f in table.fields:
            cls, nas, extra = got[name, f.name]
            column = data.column(f.name)
            assert cls == ("factor" if f.vocabulary else R_CLASS[f.type]), (name, f.name)
            assert int(nas) == column.null_count, f"{name}.{f.name}: NA is not exactly the empty cells"
            if f.vocabulary:
                assert extra.split("|") == list(VOCABULARIES[f.vocabulary]), (name, f.name)
            elif f.type == "date" and column.null_count < len(column):
                values = [v for v in column.to_pylist() if v is not None]
                assert extra == f"{min(values).isoformat()}|{max(values).isoformat()}", (name, f.name)
            elif f.type == "integer":
                assert int(extra) == sum(v for v in column.to_pylist() if v is not None), (name, f.name)


@needs_r
def test_recipe_keeps_text_na_and_stops_on_a_value_outside_the_codebook(tmp_path: Path):
    folder = tmp_path / "csv"
    shutil.copytree(REPO / paths.csv_folder(), folder)
    actors = folder / "actors.csv"
    rows = list(csv.reader(io.StringIO(actors.read_text(encoding="utf-8"), newline="")))
    assert rows[0][1] == "name"
    rows[1][1] = "NA"  # an actor named "NA" must stay a name
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    actors.write_text(out.getvalue(), encoding="utf-8")
    source = f'source("{(REPO / RECIPE).as_posix()}")\n'
    done = rscript(source + f'x <- read_timeline_table("actors", "{folder.as_posix()}")\n'
                   'cat(is.na(x$name[1]), x$name[1], sep = " ")\n', tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "FALSE NA"

    events = folder / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",meeting,", ",meetin,", 1), encoding="utf-8")
    done = rscript(source + f'read_timeline_table("events", "{folder.as_posix()}")\n', tmp_path)
    assert done.returncode != 0
    assert "1 value(s) do not fit their column types" in done.stderr and "meetin" in done.stdout + done.stderr
