"""load_world(): shapes, orders, dtypes, read-only arrays and caching."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.world import ACTOR_IDS, AGGREGATE_IDS, MILESTONES, World, load_world

ACTOR_VECTORS = (
    "civil_usd_bn",
    "civil_low",
    "civil_high",
    "military_usd_bn",
    "military_low",
    "military_high",
    "gdp_growth",
    "gdp_growth_low",
    "gdp_growth_high",
    "has_launcher",
    "crewed_capable",
    "landing_attempts",
    "landing_successes",
    "landing_partials",
    "artemis",
    "ilrs",
    "is_aggregate",
)
MILESTONE_MATRICES = ("achieved", "first_year", "roadmap_year", "roadmap_year_late")
PAIR_MATRICES = ("rivalry", "rivalry_low", "rivalry_high", "sanction")


def test_fixed_orders() -> None:
    assert len(ACTOR_IDS) == 18 and len(set(ACTOR_IDS)) == 18
    assert ACTOR_IDS[:4] == ("USA", "CHN", "RUS", "EUR")
    assert ACTOR_IDS[-3:] == AGGREGATE_IDS == ("ROW_ARTEMIS", "ROW_ILRS", "ROW_OTHER")
    assert len(MILESTONES) == 16
    assert MILESTONES[0] == "orbiter" and MILESTONES[-1] == "fusion_power"
    assert MILESTONES.index("crewed_flyby") < MILESTONES.index("crewed_landing")


def test_world_follows_the_orders(world: World) -> None:
    assert world.ids == ACTOR_IDS
    assert world.milestones == MILESTONES
    assert len(world.names) == 18 and world.names[0] == "United States"
    assert world.index("ROW_OTHER") == 17
    assert world.milestone_index("he3_delivered") == 13
    assert world.is_aggregate.tolist() == [a in AGGREGATE_IDS for a in ACTOR_IDS]
    with pytest.raises(KeyError, match="unknown actor 'XYZ'"):
        world.index("XYZ")
    with pytest.raises(KeyError, match="unknown milestone"):
        world.milestone_index("mars_landing")


@pytest.mark.parametrize("name", ACTOR_VECTORS)
def test_actor_vectors_have_one_value_per_actor(world: World, name: str) -> None:
    array = getattr(world, name)
    assert array.shape == (18,)
    if name in ("has_launcher", "crewed_capable", "artemis", "ilrs", "is_aggregate"):
        assert array.dtype == np.bool_
    elif name.startswith("landing_"):
        assert np.issubdtype(array.dtype, np.integer)
    else:
        assert array.dtype == np.float64 and np.isfinite(array).all()


@pytest.mark.parametrize("name", MILESTONE_MATRICES)
def test_milestone_matrices(world: World, name: str) -> None:
    assert getattr(world, name).shape == (18, 16)


@pytest.mark.parametrize("name", PAIR_MATRICES)
def test_pair_matrices(world: World, name: str) -> None:
    assert getattr(world, name).shape == (18, 18)


@pytest.mark.parametrize("name", ACTOR_VECTORS + MILESTONE_MATRICES + PAIR_MATRICES)
def test_arrays_are_read_only(world: World, name: str) -> None:
    array = getattr(world, name)
    with pytest.raises(ValueError, match="read-only"):
        array[0] = array[0]


def test_loading_is_cached_and_budgets_add_up(world: World) -> None:
    assert load_world() is world
    total = world.total_usd_bn()
    np.testing.assert_allclose(total, world.civil_usd_bn + world.military_usd_bn)
    total[0] = 0.0  # a fresh array, not a view into the world
    assert world.civil_usd_bn[0] > 0


def test_growth_is_a_fraction_per_year(world: World) -> None:
    assert ((world.gdp_growth > -0.05) & (world.gdp_growth < 0.10)).all()
    assert world.gdp_growth[world.index("IND")] == pytest.approx(0.06401)
    assert (world.gdp_growth_low <= world.gdp_growth).all()
    assert (world.gdp_growth <= world.gdp_growth_high).all()


def test_effective_landing_successes(world: World) -> None:
    usa = world.index("USA")  # 1 full success, 2 partial
    assert world.landing_effective_successes()[usa] == pytest.approx(2.0)
    assert world.landing_effective_successes(partial_weight=0.0)[usa] == pytest.approx(1.0)
    assert (world.landing_successes + world.landing_partials <= world.landing_attempts).all()
