"""The read-only parts of a scenario that models of it share: world, payoffs, red lines."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from negsim.economy import World
from negsim.payoffs import PayoffModel, RedLines
from negsim.scenarios import Scenario

_SHARED = threading.local()
SHARED_SCENARIOS = 4  # scenarios whose arrays each thread keeps between runs


def shared_parts(
    scenario: Scenario,
) -> tuple[World, PayoffModel, RedLines, dict[str, Any]]:
    """The world, payoff model, red lines and derived parts of a scenario.

    The derived parts, filled on first use, are the table evaluators (keyed by table
    name) and the targets' retaliation rankings (``ranking:<threat>:<depth>``).

    The derived parts also hold the purchase curves of the scenario's commitments
    (``purchases:<name>``, model.md A6).

    They depend on the scenario alone and are read-only during a run, so models of
    the same scenario (same content, compared through its JSON) share them: a
    sweep builds them once. Each thread has its own cache (the evaluators keep
    scratch buffers), holding the last ``SHARED_SCENARIOS`` scenarios.
    """
    cache = getattr(_SHARED, "cache", None)
    if cache is None:
        cache = _SHARED.cache = OrderedDict()
    key = scenario.model_dump_json()
    parts = cache.get(key)
    if parts is None:
        world = World.from_scenario(scenario)
        payoffs = PayoffModel.from_scenario(scenario, world)
        lines = RedLines.from_scenario(scenario)
        parts = cache[key] = (world, payoffs, lines, {})
        while len(cache) > SHARED_SCENARIOS:
            cache.popitem(last=False)
    return parts
