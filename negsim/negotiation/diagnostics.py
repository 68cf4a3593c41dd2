"""Diagnostics of a run, which never draw from the simulation's stream (model.md R1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.record.outcome import nash_solution

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table

DIAGNOSTIC_KEY = 2**31 - 1  # spawn key of the diagnostics' own seed sequence
NASH_EXACT = 8  # screened packages with the highest Nash products, solved exactly (R1)


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
    ``diagnostic_rng``, so the sample size never changes the run. With screening
    (the model's default, E12) the sample is ranked at the linearised prices (E11) and
    the solution is the best, solved exactly, of the :data:`NASH_EXACT` packages
    with the highest screened Nash products and the agreed one.
    """
    low, high = bounds
    high = np.minimum(high, model.config.protocol.max_tariff)
    sample = model.diagnostic_rng.uniform(low, high, size=(model.nash_sample, len(low)))
    parties, disagreement = table.parties, reserves[table.parties]
    if model.screened:
        # ranked at the linearised prices of E11 (no chord step): the best few are exact
        screened = model.table_payoffs(table, sample, screened=True, steps=0).total[:, parties]
        few = np.vstack([offer, sample[_highest_products(screened, disagreement)]])
        payoffs = model.table_payoffs(table, few).total[:, parties]
    else:
        payoffs = model.table_payoffs(table, np.vstack([offer, sample])).total[:, parties]
    point = nash_solution(payoffs, disagreement)
    return float(np.linalg.norm(utility[parties] - point))


def _highest_products(points: np.ndarray, disagreement: np.ndarray) -> np.ndarray:
    """Rows of the :data:`NASH_EXACT` highest Nash products, individually rational first."""
    gains = points - disagreement
    product = np.prod(np.clip(gains, 0.0, None), axis=1)
    # rational points by product, then the others by their worst shortfall
    score = np.where((gains >= 0).all(axis=1), product, gains.min(axis=1))
    return np.argsort(-score, kind="stable")[:NASH_EXACT]
