"""The hindcast's scores against hand-computed cases, and `moondust hindcast` as CI runs it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from moondust.cli import main
from moondust.experiments.hindcast import (
    EVENT_MILESTONES,
    actual_years,
    announced_forecast,
    base_rate_forecast,
    brier_score,
    brier_skill,
    event_pairs,
)


def test_brier_score_by_hand() -> None:
    # (1-1)² + (0-1)² + (0.5-0)² + (0.2-0)² = 0 + 1 + 0.25 + 0.04 → / 4
    assert brier_score(np.array([1.0, 0.0, 0.5, 0.2]), np.array([1, 1, 0, 0])) == pytest.approx(
        1.29 / 4
    )
    assert brier_score(np.array([0.0, 1.0]), np.array([0, 1])) == 0.0
    assert brier_score(np.full(5, 0.5), np.array([0, 1, 0, 1, 1])) == 0.25
    with pytest.raises(ValueError):
        brier_score(np.array([1.2]), np.array([1]))
    with pytest.raises(ValueError):
        brier_score(np.array([0.5]), np.array([2]))


def test_brier_skill_by_hand() -> None:
    assert brier_skill(0.05, 0.1) == pytest.approx(0.5)
    assert brier_skill(0.2, 0.1) == pytest.approx(-1.0)
    assert brier_skill(0.1, 0.1) == 0.0
    assert math.isnan(brier_skill(0.1, 0.0))


def test_events_are_the_pairs_not_held_at_the_start() -> None:
    pairs = event_pairs(2007)
    assert ("USA", "crewed_landing") in pairs  # Apollo lapsed by 2007: must be flown again
    assert ("CHN", "soft_landing") in pairs and ("IND", "orbiter") in pairs
    assert ("CHN", "orbiter") not in pairs  # Chang'e 1, 2007
    assert all(m in EVENT_MILESTONES for _, m in pairs)
    assert not any(a.startswith("ROW_") for a, _ in pairs)
    actual = actual_years(2007)
    assert actual["CHN", "soft_landing"] == 2013 and actual["USA", "orbiter"] == 2009
    assert actual["USA", "soft_landing"] == 2024  # IM-1, a partial landing, counts
    assert ("USA", "crewed_landing") not in actual


def test_announced_plans_at_face_value() -> None:
    pairs = [("USA", "crewed_landing"), ("CHN", "far_side_landing"), ("KOR", "soft_landing")]
    # Constellation 2015-2020: yes; Chang'e 4 was never in a 2007 plan; Korean lander 2025: yes
    assert announced_forecast(pairs, 2007, 2025).tolist() == [1.0, 0.0, 1.0]
    assert announced_forecast(pairs, 2007, 2016).tolist() == [0.0, 0.0, 0.0]


def test_base_rate_by_hand() -> None:
    pairs = event_pairs(2007)
    forecast, hazard = base_rate_forecast(pairs, 2007, 2016, 2025)
    actual = actual_years(2007)
    orbiters = [p for p in pairs if p[1] == "orbiter"]
    k = sum(1 for p in orbiters if actual.get(p, 9999) <= 2016)
    exposure = sum(actual[p] - 2007 if actual.get(p, 9999) <= 2016 else 9 for p in orbiters)
    assert k == 2  # India 2008 (Chandrayaan-1), USA 2009 (LRO)
    assert hazard["orbiter"] == pytest.approx((k + 0.5) / (exposure + 1))
    i = pairs.index(("KOR", "orbiter"))
    assert forecast[i] == pytest.approx(1 - (1 - hazard["orbiter"]) ** 9)
    # no crewed landing 2008-2016: the half-count keeps the rate small but not zero
    assert 0 < hazard["crewed_landing"] < 0.01


def test_hindcast_cli_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "hc"
    code = main(["hindcast", "--runs", "20", "--format", "json", "--out", str(out), "-q"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    data = json.loads(captured.out)
    assert list(data) == ["start", "end", "runs", "events", "brier", "fitted", "debris"]
    assert (data["start"], data["end"], data["runs"]) == (2007, 2025, 20)
    assert set(data["brier"]) == {"model", "announced_plans", "base_rate"}
    assert all(isinstance(v, float) and 0 <= v <= 1 for v in data["brier"].values())
    assert isinstance(data["fitted"], dict) and isinstance(data["debris"], list)
    assert data["debris"], "the debris hindcast belongs to the 2007 hindcast"
    for row in data["debris"]:  # the debris engine's hindcast (empty if it provides none)
        assert set(row) == {"year", "metric", "observed", "model_q05", "model_q50", "model_q95"}
        assert row["model_q05"] <= row["model_q50"] <= row["model_q95"]
    keys = [
        "actor",
        "milestone",
        "p_by_2016",
        "p_by_2025",
        "year_q05",
        "year_q50",
        "year_q95",
        "actual_year",
    ]
    assert data["events"]
    for event in data["events"]:
        assert list(event) == keys
        assert isinstance(event["actor"], str) and isinstance(event["milestone"], str)
        assert 0 <= event["p_by_2016"] <= event["p_by_2025"] <= 1
        for key in ("year_q05", "year_q50", "year_q95", "actual_year"):
            assert event[key] is None or (isinstance(event[key], int) and 2007 < event[key] <= 2025)
        quantiles = [event[k] for k in ("year_q05", "year_q50", "year_q95")]
        finite = [q for q in quantiles if q is not None]
        assert finite == sorted(finite)
    china = next(
        e for e in data["events"] if (e["actor"], e["milestone"]) == ("CHN", "soft_landing")
    )
    assert china["actual_year"] == 2013
    assert (out / "hindcast.html").is_file() and (
        out / "figures" / "hindcast_calibration.png"
    ).is_file()
    assert json.loads((out / "hindcast.json").read_text()) == data


def test_hindcast_cli_refuses_a_year_without_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hindcast", "--start", "2010", "--runs", "2", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no packaged world for start year 2010" in err
    assert main(["hindcast", "--start", "2025", "--runs", "2", "-q"]) == 2
    assert "before the held-out period" in capsys.readouterr().err


def test_capability_lapses_from_the_latest_demonstration() -> None:
    from moondust.engine.simulate import build_setting
    from moondust.world import load_world
    from moondust.world.scenario import load_scenario, parse_scenario

    now = build_setting(load_scenario("baseline"))
    world = load_world()
    usa, orbiter = world.index("USA"), world.milestone_index("orbiter")
    assert now.achieved0[usa, orbiter]  # CAPSTONE 2022 renews the 1966 orbiter
    assert not now.achieved0[usa, world.milestone_index("crewed_landing")]  # Apollo lapsed
    # partial landings (IM-1, IM-2) are half a success and half a failure
    assert now.successes0[usa] == world.landing_successes[usa] + 0.5 * world.landing_partials[usa]
    assert now.successes0[usa] + now.failures0[usa] == world.landing_attempts[usa]
    old = build_setting(parse_scenario({"simulation": {"start": 2007, "end": 2025}}))
    assert old.start == 2007 and old.civil0_usd_bn[usa] == 16.247
    assert not old.achieved0[world.index("RUS"), world.milestone_index("soft_landing")]
