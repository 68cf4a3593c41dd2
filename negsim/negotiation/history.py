"""Beliefs that start from the answers to coercion seen before round 0 (model.md B7).

A scenario's ``[history.<name>]`` entries say how a country answered coercion before
the run starts (tag2018: China retaliated against each of the three US lists of
2018). Before any type is drawn, the prior of that country's resolve is updated by
Bayes' rule on those answers with B2's likelihood: a type whose best reply (N5) to
the entry's threat, executed to its depth in the state at the start, is the answer
seen gives it with probability 1 − ε, any other type with ε (the tremble), each time
independently. The posterior is both the distribution the country's resolve is drawn
from and every other country's first belief about it: a common prior updated on
public moves. Nothing here draws from the run's generator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.negotiation import coercion
from negsim.negotiation.beliefs import TREMBLE

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel


def start_from_history(model: NegotiationModel) -> None:
    """Update ``model.priors`` of resolve on the scenario's history (B7), in place."""
    for name, seen in model.config.history.items():
        on = model.codes.index(seen.by)
        values, weights = model.priors[on]["resolve"]
        key = f"history:{name}"
        posterior = model.evaluators.get(key)
        if posterior is None:
            retaliates = would_retaliate(model, seen.threat, seen.depth, np.asarray(values))
            consistent = retaliates == seen.retaliated
            likelihood = np.where(consistent, 1.0 - TREMBLE, TREMBLE) ** seen.times
            posterior = np.asarray(weights, float) * likelihood
            posterior = model.evaluators[key] = posterior / posterior.sum()
        model.priors[on]["resolve"] = (values, posterior)


def would_retaliate(
    model: NegotiationModel, threat_name: str, depth: float, resolves: np.ndarray
) -> np.ndarray:
    """Whether a target of each resolve retaliates if the threat is executed now (N5)."""
    threat = next(t for t in model.threats if t.name == threat_name)
    reply = coercion.responses(model, threat, depth, model.tariffs, model.health)
    return reply.best_of(threat.on, resolves) > 0
