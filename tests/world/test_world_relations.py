"""Rivalries and sanctions."""

from __future__ import annotations

import numpy as np
import pytest

from moondust.world import World, relation_records
from moondust.world.ids import PROVENANCE


def pair(world: World, matrix: np.ndarray, a: str, b: str) -> float:
    return float(matrix[world.index(a), world.index(b)])


def test_rivalry_is_symmetric_bounded_with_zero_diagonal(world: World) -> None:
    for matrix in (world.rivalry, world.rivalry_low, world.rivalry_high):
        assert np.array_equal(matrix, matrix.T)
        assert (np.diag(matrix) == 0).all()
        assert ((matrix >= 0) & (matrix <= 1)).all()
    assert (world.rivalry_low <= world.rivalry).all() and (
        world.rivalry <= world.rivalry_high
    ).all()


@pytest.mark.parametrize(
    ("a", "b"), [("USA", "CHN"), ("USA", "RUS"), ("IND", "CHN"), ("IND", "PAK"), ("CHN", "JPN")]
)
def test_known_rivalries_are_present(world: World, a: str, b: str) -> None:
    assert pair(world, world.rivalry, a, b) > 0
    assert pair(world, world.rivalry, b, a) == pair(world, world.rivalry, a, b)


def test_no_rivalry_inside_the_closest_partnerships(world: World) -> None:
    assert pair(world, world.rivalry, "CHN", "RUS") == 0
    assert pair(world, world.rivalry, "CHN", "PAK") == 0
    assert pair(world, world.rivalry, "USA", "JPN") == 0


def test_sanctions(world: World) -> None:
    sanction = world.sanction
    assert np.array_equal(sanction, sanction.T) and not np.diag(sanction).any()
    assert pair(world, sanction, "USA", "CHN") and pair(world, sanction, "CHN", "USA")
    assert pair(world, sanction, "USA", "RUS") and pair(world, sanction, "EUR", "RUS")
    assert not pair(world, sanction, "CHN", "RUS")
    wolf = next(r for r in relation_records() if r.kind == "sanction" and r.actor_b == "CHN")
    assert wolf.actor_a == "USA" and wolf.since == 2011
    assert "112-10" in wolf.source and "[wolf2011]" in wolf.source


def test_relations_are_cited() -> None:
    for relation in relation_records():
        assert relation.status in PROVENANCE and relation.source
        if relation.kind == "rivalry":
            assert relation.status == "assumption"  # intensities are modelling choices
            assert relation.low is not None and relation.high is not None
            assert relation.low < relation.high
        else:
            assert relation.intensity is None and relation.since is not None
