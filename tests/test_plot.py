"""`timeline plot`: the README figures are current, reproducible, labelled and free of metadata."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from timeline.plot import FIGURE_NAMES, FIGURES, SERIES, estimates_frame, figure_files, figure_series, figure_timeline

REPO = Path(__file__).resolve().parent.parent


def chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) chunks of a PNG file, checking each CRC."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    out, pos = [], 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + data) == crc
        out.append((kind, data))
        pos += 12 + length
    return out


def texts(fig) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """The mini package, built once for this module, and its figures."""
    from timeline.cli import main

    root = tmp_path_factory.mktemp("plot") / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", root)
    assert main(["build", "--root", str(root), "--out", str(root)]) == 0
    return root, figure_files(root)


@pytest.fixture(scope="module")
def real():
    """The checkout's package: tables, estimates and version, loaded once."""
    import timeline

    tables = timeline.load(path=REPO)
    version = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))["version"]
    return tables, estimates_frame(tables), version


def test_committed_figures_are_current() -> None:
    fresh = figure_files(REPO)
    assert sorted(fresh) == sorted(f"{n}.png" for n in FIGURE_NAMES)
    stale = [n for n, data in fresh.items()
             if not (REPO / FIGURES / n).is_file() or (REPO / FIGURES / n).read_bytes() != data]
    assert stale == [], f"stale figures {stale}: run `timeline plot` and commit docs/figures/"


def test_readme_shows_the_first_two_figures() -> None:
    readme = REPO / "README.md"
    if not readme.is_file():
        pytest.skip("no README.md yet")
    text = readme.read_text(encoding="utf-8")
    for name in FIGURE_NAMES[:2]:
        assert f"docs/figures/{name}.png" in text


def test_same_bytes_in_another_process(mini, tmp_path: Path) -> None:
    root, here = mini
    out = tmp_path / "figures"
    subprocess.run([sys.executable, "-m", "timeline", "plot", "--package", str(root), "--out", str(out)],
                   check=True, capture_output=True)
    assert {p.name: p.read_bytes() for p in out.glob("*.png")} == here


def test_pngs_carry_no_metadata_and_fit_readme_width(mini) -> None:
    for name, png in mini[1].items():
        kinds = [k for k, _ in chunks(png)]
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
        # No text (Software, dates), no modification time, no embedded profile: only image data.
        assert set(kinds) <= {b"IHDR", b"IDAT", b"IEND", b"pHYs"}, (name, kinds)
        width, height = struct.unpack(">II", chunks(png)[0][1][:8])
        assert width == 1000 and 400 < height < 2000, (name, width, height)


def test_timeline_labels_treaty_milestones_summits_and_source(real) -> None:
    tables, _, version = real
    labels = texts(figure_timeline(tables, version, "russia-dprk-timeline"))
    assert f"Data: russia-dprk-timeline v{version}" in labels
    events = tables["events"]
    treaty_labels = [t for t in labels if t.startswith(("Treaty signed", "Ratified", "Treaty in force"))]
    milestones = events["treaty_id"].notna() & (events["category"].astype(str) == "treaty")
    assert len(treaty_labels) == milestones.sum() == 6
    assert "Treaty signed, 19 Jun 2024" in labels
    assert "Ratified by State Duma, 24 Oct 2024" in labels
    assert "Treaty in force, 4 Dec 2024" in labels
    # Summits: the meetings and visits with both leaders (Vostochny, Pyongyang, Beijing).
    assert "Vostochny Cosmodrome\n13 Sep 2023" in labels
    assert "Pyongyang\n19 Jun 2024" in labels
    assert "Beijing\n3 Sep 2025" in labels
    # Every category present is a lane, with its count.
    for category, n in events["category"].astype(str).value_counts().items():
        assert any(t.endswith(f"({n})") and t.split(" (")[0] for t in labels), category


def test_estimate_figures_count_every_estimate_of_their_measures(real) -> None:
    tables, est, version = real
    for series in SERIES:
        fig = figure_series(series, est, version, "russia-dprk-timeline")
        labels = texts(fig)
        assert f"Data: russia-dprk-timeline v{version}" in labels
        assert series.title in labels
        for panel in series.panels:
            n = int(est["measure"].isin(panel.measures).sum())
            assert any(t.startswith(f"{panel.title} ({n} estimate") for t in labels), (panel.title, n)
        # One legend entry per estimator, named as in the actors table.
        names = set(est.loc[est["measure"].isin([m for p in series.panels for m in p.measures]), "estimator"])
        legend = [t.replace("\n", " ") for t in labels]
        assert all(name in legend for name in names)
    casualties = SERIES[0]
    assert [p.measures for p in casualties.panels] == [("killed",), ("casualties", "killed_and_wounded")]


def test_version_is_drawn_from_the_descriptor(mini, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(mini[0], copy)
    before = mini[1]
    descriptor = copy / "datapackage.json"
    meta = json.loads(descriptor.read_text(encoding="utf-8"))
    meta["version"] = "9.9.9"
    descriptor.write_text(json.dumps(meta), encoding="utf-8")
    after = figure_files(copy)
    assert all(before[n] != after[n] for n in before)


def test_cli_writes_then_reports_up_to_date(cli, mini, tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(mini[0], root)
    out = root / FIGURES
    code, _, err = cli("plot", "--root", str(root), "--check")
    assert code == 1 and "is stale; run `timeline plot`" in err
    code, stdout, _ = cli("plot", "--root", str(root))
    assert code == 0 and stdout == f"Wrote {', '.join(str(out / name) for name in mini[1])}.\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == mini[1]
    code, stdout, _ = cli("plot", "--package", str(root), "--out", str(out), "--check")
    assert code == 0 and stdout == f"Figures in {out} are up to date.\n"
