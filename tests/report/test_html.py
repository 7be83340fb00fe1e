"""The HTML report: written atomically, self-contained, says what was run, escapes scenario text."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest

from moondust import outputs
from moondust.errors import StorageError
from moondust.report.data import pct
from moondust.report.figures.race import race_figure
from moondust.report.figures.timeline import milestone_timeline_figure
from moondust.report.html import write_report
from moondust.results import Results

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RUNS = 30  # the runs of the ``results`` fixture (tests/report/conftest.py)
FIGURES = (
    "timeline",
    "spending",
    "race",
    "he3_energy",
    "he3_market",
    "conflict",
    "crew",
    "sites_map",
)
"""Every figure of the report; the engine records the conflict and crew variables they need."""


def _with_attrs(results: Results, **attrs: str) -> Results:
    ds = results.dataset.copy()
    ds.attrs = {**ds.attrs, **attrs}
    return Results(ds)


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
        "figures/he3_market.png",
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
