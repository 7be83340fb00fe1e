"""The run report: figures show what the results say, the HTML is self-contained and safe."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from moondust import outputs
from moondust.errors import StorageError
from moondust.report import run_report
from moondust.report.data import pct
from moondust.report.run_report import (
    milestone_timeline_figure,
    race_figure,
    spending_figure,
    write_report,
)
from moondust.results import BLOC_CLASSES, Results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUNS = 30  # the runs of the ``results`` fixture (tests/report/conftest.py)
FIGURES = ("timeline", "spending", "race", "he3_energy", "conflict", "crew", "sites_map")
"""Every figure of the report; the engine records the conflict and crew variables they need."""


def _with_attrs(results: Results, **attrs: str) -> Results:
    ds = results.dataset.copy()
    ds.attrs = {**ds.attrs, **attrs}
    return Results(ds)


def _collections(fig: Figure, prefix: str) -> dict[str, PathCollection | LineCollection]:
    ax = fig.axes[0]
    return {
        c.get_gid(): c
        for c in ax.collections
        if isinstance(c.get_gid(), str) and c.get_gid().startswith(prefix)
    }


def _expected_timeline(results: Results) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Independent reading of the spec: default actors and milestones, reach probabilities."""
    ds = results.dataset
    start = int(ds.attrs["start"])
    years = ds["milestone_year"].values  # run, actor, milestone
    later = years > start  # NaN compares False
    actors = [str(a) for a in ds["actor"].values]
    budget = (ds["civil_usd_bn"] + ds["military_usd_bn"]).isel(year=0).median("run").values
    by_budget = [actors[i] for i in np.argsort(-budget, kind="stable")]
    active = {actors[i] for i in np.flatnonzero(later.any(axis=(0, 2)))}
    chosen = [a for a in by_budget if a in active][:8]
    milestones = [
        str(m) for m, hit in zip(ds["milestone"].values, later.any(axis=(0, 1)), strict=True) if hit
    ]
    a_idx = [actors.index(a) for a in chosen]
    m_idx = [list(map(str, ds["milestone"].values)).index(m) for m in milestones]
    p_reached = later[:, a_idx][:, :, m_idx].mean(axis=0)
    held = (years[:, a_idx][:, :, m_idx] <= start).all(axis=0)
    return chosen, milestones, p_reached, held


# --- timeline ------------------------------------------------------------------------------------
def test_timeline_labels_title_and_rows(results: Results) -> None:
    fig = milestone_timeline_figure(results)
    ax = fig.axes[0]
    _, milestones, _, _ = _expected_timeline(results)
    assert ax.get_xlabel() == "year"
    assert "baseline" in ax.get_title() and f"{RUNS} runs" in ax.get_title()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(milestones) > 0
    assert "Crewed landing" in labels  # readable names, not ids
    assert ax.get_xlim()[0] == results.dataset.attrs["start"]


def test_timeline_draws_one_marker_per_reachable_pair(results: Results) -> None:
    actors, _, p_reached, held = _expected_timeline(results)
    fig = milestone_timeline_figure(results)
    likely = _collections(fig, "median:")
    unlikely = _collections(fig, "median-unlikely:")
    bands = _collections(fig, "band:")
    assert set(likely) == {f"median:{a}" for a in actors}
    for k, actor in enumerate(actors):
        drawn = (p_reached[k] > 0) & ~held[k]
        n_likely = len(likely[f"median:{actor}"].get_offsets())
        n_unlikely = len(unlikely[f"median-unlikely:{actor}"].get_offsets())
        assert n_likely == int(np.sum(drawn & (p_reached[k] >= 0.5)))
        assert n_unlikely == int(np.sum(drawn & (p_reached[k] < 0.5)))
        assert len(bands[f"band:{actor}"].get_segments()) == int(drawn.sum())


def test_timeline_hollow_markers_and_shapes_tell_actors_apart(results: Results) -> None:
    fig = milestone_timeline_figure(results)
    likely = _collections(fig, "median:")
    unlikely = _collections(fig, "median-unlikely:")
    styles = set()
    for gid, coll in likely.items():
        actor = gid.split(":", 1)[1]
        colour = tuple(np.round(coll.get_facecolor()[0], 3))
        path = coll.get_paths()[0]
        styles.add((colour, path.vertices.round(3).tobytes()))
        hollow = unlikely[f"median-unlikely:{actor}"]
        if len(hollow.get_offsets()):
            assert np.allclose(hollow.get_facecolor()[0], to_rgba("white"))
    # colour AND shape differ: no two actors share a marker shape in the default (≤ 8) set
    shapes = {s[1] for s in styles}
    assert len(shapes) == len(likely)
    legend_texts = {t.get_text() for t in fig.legends[0].get_texts()}
    assert {"United States", "China"} <= legend_texts
    assert any("< 50 %" in t for t in legend_texts)


def test_timeline_with_chosen_actors_and_milestones(results: Results) -> None:
    fig = milestone_timeline_figure(results, actors=["CHN", "USA"], milestones=["crewed_landing"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Crewed landing"]
    assert set(_collections(fig, "median:")) == {"median:CHN", "median:USA"}
    median_usa = _collections(fig, "median:")["median:USA"].get_offsets()
    years = results.dataset["milestone_year"].sel(actor="USA", milestone="crewed_landing")
    later = years.where(years > results.dataset.attrs["start"]).values
    if np.mean(~np.isnan(later)) >= 0.5:
        assert median_usa[0][0] == pytest.approx(np.nanmedian(later))


def test_timeline_rejects_unknown_ids(results: Results) -> None:
    with pytest.raises(ValueError, match="ATLANTIS"):
        milestone_timeline_figure(results, actors=["ATLANTIS"])
    with pytest.raises(ValueError, match="warp_drive"):
        milestone_timeline_figure(results, milestones=["warp_drive"])


# --- spending ------------------------------------------------------------------------------------
def test_spending_axes_units_and_medians(results: Results) -> None:
    fig = spending_figure(results)
    assert len(fig.axes) == 4
    for ax in fig.axes:
        assert "USD bn per year" in ax.get_ylabel() and "2025 dollars" in ax.get_ylabel()
    assert fig.axes[2].get_xlabel() == "year" and fig.axes[3].get_xlabel() == "year"
    civil_actors = [ln for ln in fig.axes[0].get_lines() if str(ln.get_gid()).startswith("civil:")]
    assert len(civil_actors) == run_report.SPENDING_ACTORS
    usa = next(ln for ln in civil_actors if ln.get_gid() == "civil:USA")
    expected = np.median(results.dataset["civil_usd_bn"].sel(actor="USA").values, axis=0)
    np.testing.assert_allclose(usa.get_ydata(), expected)
    present = set(results.dataset["bloc"].values.tolist())
    bloc_lines = [ln.get_gid() for ln in fig.axes[3].get_lines()]
    assert bloc_lines == [f"military-bloc:{b}" for b in BLOC_CLASSES if b in present]
    bands = [c for c in fig.axes[0].collections if c.get_gid() is None]
    assert len(bands) == run_report.SPENDING_ACTORS  # one 10–90 % band per line


def test_spending_bloc_total_is_sum_over_actors(results: Results) -> None:
    fig = spending_figure(results)
    artemis = next(ln for ln in fig.axes[2].get_lines() if ln.get_gid() == "civil-bloc:artemis")
    ds = results.dataset
    civil = ds["civil_usd_bn"].astype(float)  # the engine records float32; figures sum in float64
    totals = civil.where(ds["bloc"] == "artemis").sum("actor").values
    np.testing.assert_allclose(artemis.get_ydata(), np.median(totals, axis=0))


# --- race ----------------------------------------------------------------------------------------
def test_race_bars_match_summary(results: Results) -> None:
    fig = race_figure(results)
    ax = fig.axes[0]
    summary = results.summary()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Crewed landing" in labels and "Lunar orbiter" not in labels  # orbiter is history
    assert "baseline" in ax.get_title() and f"{RUNS} runs" in ax.get_title()
    assert "probability" in ax.get_xlabel()
    segments = {
        key: [p for p in ax.patches if p.get_gid() == f"race:{key}"]
        for key in (*BLOC_CLASSES, "nobody")
    }
    assert all(len(bars) == len(labels) for bars in segments.values())
    widths = np.array([[bar.get_width() for bar in bars] for bars in segments.values()])
    np.testing.assert_allclose(widths.sum(axis=0), 1.0, atol=1e-9)
    hatches = {bars[0].get_hatch() for key, bars in segments.items() if key != "nobody"}
    assert len(hatches) == len(BLOC_CLASSES)  # hatching, not colour alone
    blocs = summary.blocs.set_index(["bloc", "milestone"])["p_first"]
    # rows are in ladder order; crewed_landing's artemis share equals the summary's
    row = labels.index("Crewed landing")
    assert segments["artemis"][row].get_width() == pytest.approx(
        blocs[("artemis", "crewed_landing")]
    )


# --- nothing reached -----------------------------------------------------------------------------
def test_figures_and_report_when_nothing_is_reached(results: Results, tmp_path: Path) -> None:
    ds = results.dataset.copy()
    start = ds.attrs["start"]
    ds["milestone_year"] = ds["milestone_year"].where(ds["milestone_year"] <= start)
    quiet = Results(ds)
    for fig in (milestone_timeline_figure(quiet), race_figure(quiet)):
        texts = [t.get_text() for t in fig.axes[0].texts]
        assert any("No milestone" in t for t in texts)
    paths = write_report(quiet, tmp_path)
    assert "No milestone" in paths["report"].read_text(encoding="utf-8")


# --- the HTML report -----------------------------------------------------------------------------
def test_write_report_files_and_no_leftovers(report: dict[str, Path]) -> None:
    directory = report["report"].parent
    assert set(report) == {"report", *FIGURES}
    for key in FIGURES:
        assert report[key].parent == directory / "figures"
        assert report[key].read_bytes().startswith(PNG_SIGNATURE)
    every = sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))
    assert every == [
        "figures",
        "figures/conflict.png",
        "figures/crew.png",
        "figures/he3_energy.png",
        "figures/milestone_timeline.png",
        "figures/race.png",
        "figures/sites_map.png",
        "figures/spending.png",
        "report.html",
    ]


def test_html_is_self_contained(results: Results, report: dict[str, Path]) -> None:
    text = report["report"].read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.rstrip().endswith("</html>")
    assert '<meta charset="utf-8">' in text
    assert "http://" not in text and "https://" not in text
    assert "<script" not in text and "<link" not in text and "@import" not in text
    sources = re.findall(r'<img src="([^"]+)"', text)
    assert len(sources) == len(FIGURES)
    on_disk = {report[k].read_bytes() for k in FIGURES}
    for src in sources:
        assert src.startswith("data:image/png;base64,")
        data = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert data.startswith(PNG_SIGNATURE)
        assert data in on_disk  # the embedded image is the saved figure
    assert len(re.findall(r'<img [^>]*alt="[^"]{20,}"', text)) == len(FIGURES)
    assert text.count("<figcaption>") == len(FIGURES)


def test_html_states_what_was_run(results: Results, report: dict[str, Path]) -> None:
    text = report["report"].read_text(encoding="utf-8")
    attrs = results.dataset.attrs
    description = json.loads(attrs["scenario_json"])["description"]
    assert "<title>moondust report — baseline</title>" in text
    assert f"<dd>{attrs['seed']}</dd>" in text
    assert f"<dd>{RUNS}</dd>" in text
    assert f"<dd>{attrs['moondust_version']}</dd>" in text
    assert "Wolf Amendment" in description and "Wolf Amendment" in text
    assert "docs/model.md" in text
    assert "share the credit" in text
    assert text.count("<table>") == 5  # bloc, milestones, spending, sites, race metrics
    # the bloc table carries the summary's probabilities
    summary = results.summary()
    p = float(
        summary.blocs.query("bloc == 'artemis' and milestone == 'crewed_landing'")["p_first"].iloc[
            0
        ]
    )
    row = re.search(r"<th scope='row'>Crewed landing</th>((?:<td>[^<]*</td>)+)", text)
    assert row is not None
    assert row.group(1).startswith(f"<td>{pct(p)}</td>")


def test_html_escapes_scenario_text(results: Results, tmp_path: Path) -> None:
    evil_name = "<script>alert('moon')</script>"
    scenario = json.loads(results.dataset.attrs["scenario_json"])
    scenario["description"] = 'Cheap <img src=x onerror="alert(1)"> & cheerful'
    evil = _with_attrs(results, scenario=evil_name, scenario_json=json.dumps(scenario))
    text = write_report(evil, tmp_path)["report"].read_text(encoding="utf-8")
    assert "<script" not in text
    assert "<img src=x" not in text
    assert "&lt;script&gt;alert(&#x27;moon&#x27;)&lt;/script&gt;" in text
    assert "Cheap &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; cheerful" in text


def test_failed_write_keeps_old_file_and_leaves_no_temp(
    results: Results, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "report.html").write_text("old report", encoding="utf-8")

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(outputs.os, "replace", refuse)
    with pytest.raises(StorageError, match=r"cannot write .*\.png: disk full"):  # one clear error
        write_report(results, tmp_path)
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == "old report"
    leftovers = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert leftovers == ["report.html"]


def test_write_report_replaces_stale_files(results: Results, tmp_path: Path) -> None:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "race.png").write_bytes(b"stale")
    (tmp_path / "report.html").write_text("stale", encoding="utf-8")
    paths = write_report(results, tmp_path)
    assert paths["report"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert paths["race"].read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    ("p", "text"),
    [(0.0, "0 %"), (0.004, "<1 %"), (0.5, "50 %"), (0.996, ">99 %"), (1.0, "100 %")],
)
def test_percentages_never_round_a_possibility_away(p: float, text: str) -> None:
    assert pct(p) == text
