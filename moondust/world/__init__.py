"""The world the race starts from: actors, budgets, history, plans, blocs and relations.

``load_world()`` returns a :class:`World` of NumPy arrays in the fixed actor order
(:data:`ACTOR_IDS`) and milestone order (:data:`MILESTONES`), read from the cited tables in
``moondust/data/world/`` (docs/world.md). This package describes; it never runs the race.
"""

from moondust.world.actors import (
    ActorRecord,
    Estimate,
    actor_records,
    derive_aggregates,
    world_total,
)
from moondust.world.blocs import (
    actor_blocs,
    actor_of_state,
    aggregate_members,
    dual_members,
    members,
)
from moondust.world.history import (
    achievements,
    count_landings,
    first_attempt_tally,
    heritage,
)
from moondust.world.ids import (
    ACTOR_IDS,
    AGGREGATE_IDS,
    BLOCS,
    MILESTONES,
    actor_index,
    milestone_index,
)
from moondust.world.relations import relation_records
from moondust.world.roadmaps import plans
from moondust.world.world import World, clear_caches, load_world

__all__ = [
    "ACTOR_IDS",
    "AGGREGATE_IDS",
    "BLOCS",
    "MILESTONES",
    "ActorRecord",
    "Estimate",
    "World",
    "achievements",
    "actor_blocs",
    "actor_index",
    "actor_of_state",
    "actor_records",
    "aggregate_members",
    "clear_caches",
    "count_landings",
    "derive_aggregates",
    "dual_members",
    "first_attempt_tally",
    "heritage",
    "load_world",
    "members",
    "milestone_index",
    "plans",
    "relation_records",
    "world_total",
]
