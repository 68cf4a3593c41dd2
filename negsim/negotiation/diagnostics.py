"""Diagnostics of a run, which never draw from the simulation's stream (model.md R1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.record.outcome import nash_solution

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table

DIAGNOSTIC_KEY = 2**31 - 1  # spawn key of the diagnostics' own seed sequence


def diagnostic_rng(rng: np.random.Generator) -> np.random.Generator:
    """A generator for diagnostics, derived from the seed of ``rng`` without drawing from it.

    Its seed sequence is the child ``DIAGNOSTIC_KEY`` of ``rng``'s (the same for the
    same seed in any process); the simulation's stream is left untouched.
    """
    parent = rng.bit_generator.seed_seq
    if not isinstance(parent, np.random.SeedSequence):  # a generator built without one
        return np.random.default_rng(DIAGNOSTIC_KEY)
    child = np.random.SeedSequence(
        parent.entropy, spawn_key=(*parent.spawn_key, DIAGNOSTIC_KEY), pool_size=parent.pool_size
    )
    return np.random.default_rng(child)


def nash_gap(model: NegotiationModel, table: Table, offer, utility, reserves, bounds) -> float:
    """Distance (% of GDP) of an agreement's payoffs from the table's Nash solution.

    The Nash solution is found on ``nash_sample`` packages drawn uniformly within
    the issues' bounds, plus the agreed one (model.md R1). They come from
    ``diagnostic_rng``, so the sample size never changes the run.
    """
    low, high = bounds
    high = np.minimum(high, model.config.protocol.max_tariff)
    sample = model.diagnostic_rng.uniform(low, high, size=(model.nash_sample, len(low)))
    packages = np.vstack([offer, sample])
    payoffs = model.table_payoffs(table, packages).total[:, table.parties]
    point = nash_solution(payoffs, reserves[table.parties])
    return float(np.linalg.norm(utility[table.parties] - point))
