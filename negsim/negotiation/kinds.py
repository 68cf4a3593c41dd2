"""Strategy kinds: pluggable objects named per country (``<C>.strategy.kind``).

A strategy decides what a country offers at a table and which offers it accepts;
the moves of coercion (execute, withdraw, retaliate, truce) are chosen by
expected payoff for every strategy (:mod:`negsim.negotiation.agents`). Register a
new kind with :func:`register`; an unknown name is refused with one line.

- ``aspiration``: time-dependent concession (model.md N1-N4); the responder's
  margin type raises its acceptance threshold.
- ``screening``: the proposer offers the package that maximises its expected
  payoff given its belief about the responders' margins (accepted with the
  belief's probability, else its discounted reserve: the outside option, or
  the inside option where talks freeze the threats, B6), and learns from each
  rejection by Bayes' rule; delay comes from screening (model.md B3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from negsim.negotiation import strategies
from negsim.scenarios import ScenarioError

if TYPE_CHECKING:
    from negsim.negotiation.agents import CountryAgent
    from negsim.negotiation.protocols import Table
    from negsim.scenarios import Scenario

TOLERANCE = strategies.TOLERANCE


class Aspiration:
    """Time-dependent concession towards the outside option (Faratin et al. 1998)."""

    name = "aspiration"

    def choose(
        self, agent: CountryAgent, utilities: np.ndarray, reserves: np.ndarray, table: Table
    ) -> tuple[int, bool]:
        """Index of the candidate to offer, and whether any looked acceptable (N3)."""
        others = [p for p in table.parties if p != agent.index]
        expected = np.column_stack([_expected(agent, table, utilities, p) for p in others])
        estimate = expected + agent.model.rng.normal(
            0.0, agent.strategy.noise, size=(utilities.shape[0], len(others))
        )
        target = agent.target(table, reserves[agent.index])
        return strategies.choose_offer(
            utilities[:, agent.index], estimate, target, reserves[agent.index], reserves[others]
        )

    def accepts(self, agent: CountryAgent, utility: float, reserve: float, table: Table) -> bool:
        """Accept at least its aspiration, and its outside option plus its margin (N4, B1)."""
        target = agent.target(table, reserve)
        return strategies.accepts(utility, target, reserve + agent.margin)


class Screening:
    """Offers by expected payoff under the belief about the responders' margins (B3)."""

    name = "screening"

    def choose(
        self, agent: CountryAgent, utilities: np.ndarray, reserves: np.ndarray, table: Table
    ) -> tuple[int, bool]:
        """The candidate maximising ``P(accept)·u + (1 - P(accept))·δ·reserve`` (B3).

        ``P`` sums over the responder's margin and, where a demand is on it, its cost
        types (model.md N11).
        """
        value, chance = self.values(agent, utilities, reserves, table)
        own = utilities[:, agent.index]
        hopeful = bool(np.isfinite(value).any() and (chance[np.isfinite(value)] > 0).any())
        if not np.isfinite(value).any():
            return int(np.argmax(own)), False
        return int(np.argmax(value)), hopeful

    def values(
        self, agent: CountryAgent, utilities: np.ndarray, reserves: np.ndarray, table: Table
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's expected value to the proposer (B3), and its chance of acceptance.

        A candidate worth less to the proposer than its outside option is worth ``-inf``.
        """
        own = utilities[:, agent.index]
        chance = np.ones(len(own))
        for p in table.parties:
            if p == agent.index:
                continue
            belief = agent.beliefs.of(p, "margin")
            worth, costs = agent.belief_utilities(table, utilities, p)  # (K, T): N11
            worth = worth + agent.model.rng.normal(0.0, agent.strategy.noise, len(own))[:, None]
            accepted = worth[:, :, None] >= reserves[p] + belief.values[None, None, :] - TOLERANCE
            chance *= np.einsum("ktm,t,m->k", accepted, costs, belief.weights)
        reserve = reserves[agent.index]
        value = chance * own + (1.0 - chance) * agent.strategy.discount * reserve
        return np.where(own >= reserve - TOLERANCE, value, -np.inf), chance

    def prospect(
        self, agent: CountryAgent, utilities: np.ndarray, reserves: np.ndarray, table: Table
    ) -> float:
        """Its expected value of talks at ``table``: the best of :meth:`values` (C4)."""
        value, _ = self.values(agent, utilities, reserves, table)
        return float(value.max()) if np.isfinite(value).any() else -np.inf

    def accepts(self, agent: CountryAgent, utility: float, reserve: float, table: Table) -> bool:
        """Accept at least its outside option plus its margin (B1)."""
        return utility >= reserve + agent.margin - TOLERANCE


def _expected(agent: CountryAgent, table: Table, utilities: np.ndarray, other: int):
    """``other``'s utilities with a private cost of a demand at the belief's mean (N11)."""
    worth, weights = agent.belief_utilities(table, utilities, other)
    return worth @ weights


STRATEGIES: dict[str, Any] = {"aspiration": Aspiration, "screening": Screening}


def register(kind: Any) -> Any:
    """Add a strategy class (with a ``name``, ``choose`` and ``accepts``) to the registry."""
    STRATEGIES[kind.name] = kind
    return kind


def strategy_for(code: str, name: str):
    """The strategy object named ``name`` for country ``code``; unknown: ScenarioError."""
    kind = STRATEGIES.get(name)
    if kind is None:
        raise ScenarioError(_unknown(code, name))
    return kind()


def check_strategies(scenario: Scenario, label: str) -> None:
    """Refuse a scenario naming a strategy not registered, in one line that starts with ``label``.

    Called where a scenario is read from a file or an experiment, before anything runs
    (the scenario layer knows nothing of this registry).
    """
    for code in scenario.countries:
        name = scenario.nations[code].strategy.kind
        if name not in STRATEGIES:
            raise ScenarioError(f"{label}: {_unknown(code, name)}")


def _unknown(code: str, name: str) -> str:
    allowed = ", ".join(STRATEGIES)
    return f"{code}.strategy.kind: unknown strategy {name!r}; allowed: {allowed}"
