"""The baseline's ASAT restraint follows the packaged pledge list (data/world/asat_pledges.csv)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import moondust
from moondust.datafiles import read_csv
from moondust.world import ACTOR_IDS


def test_pledges_name_known_actors_with_sources() -> None:
    pledges = read_csv("world", "asat_pledges.csv")
    assert set(pledges["actor"]) <= set(ACTOR_IDS)
    assert pledges["source"].str.len().min() > 0
    assert set(pledges["status"]) <= {"sourced", "secondary", "derived", "unconfirmed"}
    assert pledges.loc[pledges["state"] == "United States", "pledged"].item() == "2022-04-18"


def test_baseline_binds_exactly_the_named_actors_that_pledged() -> None:
    path = Path(moondust.__file__).parent / "scenarios" / "baseline.toml"
    actors = tomllib.loads(path.read_text(encoding="utf-8"))["policies"]["actors"]
    bound = {actor for actor, policy in actors.items() if policy.get("asat_allowed") == 0}
    pledges = read_csv("world", "asat_pledges.csv")
    named = {actor for actor in pledges["actor"] if not actor.startswith("ROW_")}
    assert bound == named
