"""Private types and Bayesian beliefs about them (model.md B1-B3).

Every country has two private types drawn per run from the priors in its scenario
section: ``resolve`` (the value, % of own GDP, of standing firm in a
confrontation) and ``margin`` (the gain over its outside option it needs before it
accepts a deal). The others know the priors, not the draws; each holds a belief
(a probability vector over the prior's values) about each other country and
updates it by Bayes' rule after every observed move, with the likelihood that a
country of each type makes that move (B2). A move its own rule rules out for a
type still has probability ``TREMBLE`` (a trembling hand), so no belief collapses
on a mistake.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TREMBLE = 0.05  # chance a move is made by mistake [E]
TYPES = ("resolve", "margin")


@dataclass
class Belief:
    """A belief about one type of one country: probabilities over the prior's values."""

    values: np.ndarray
    weights: np.ndarray

    @property
    def mean(self) -> float:
        """The expected value of the type."""
        return float(self.values @ self.weights)

    def update(self, consistent: np.ndarray) -> None:
        """Bayes' rule after a move each type would (True) or would not (False) make (B2)."""
        likelihood = np.where(consistent, 1.0 - TREMBLE, TREMBLE)
        posterior = self.weights * likelihood
        total = posterior.sum()
        if total > 0:
            self.weights = posterior / total

    def weigh(self, likelihood: np.ndarray) -> None:
        """Bayes' rule after an observation with ``likelihood`` under each type (A4)."""
        posterior = self.weights * likelihood
        total = posterior.sum()
        if total > 0:
            self.weights = posterior / total


class Beliefs:
    """What one country believes about every other country's types."""

    def __init__(self, owner: int, priors: dict[int, dict[str, tuple[list, list]]]) -> None:
        self.owner = owner
        self.about = {
            other: {
                name: Belief(np.asarray(values, float), np.asarray(weights, float))
                for name, (values, weights) in types.items()
            }
            for other, types in priors.items()
            if other != owner
        }

    def of(self, other: int, name: str) -> Belief:
        """The belief about ``other``'s type ``name``."""
        return self.about[other][name]


def draw_type(
    rng: np.random.Generator,
    values: Sequence[float] | np.ndarray,
    weights: Sequence[float] | np.ndarray,
) -> float:
    """One draw of a private type from its prior (the model's stream: part of the run).

    The inverse of the prior's distribution function at one uniform draw (the draw
    ``Generator.choice(p=...)`` makes, without its overhead).
    """
    cdf = np.cumsum(np.asarray(weights, dtype=float))
    cdf /= cdf[-1]
    return float(values[int(np.searchsorted(cdf, rng.random(), side="right"))])
