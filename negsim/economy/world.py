"""The calibrated world and its views: trade, balances and welfare under tariffs.

:class:`World` holds a scenario's baseline and answers, for a batch of tariff
states, with the general equilibrium (:func:`negsim.economy.solver.solve`). Tariff
tensors are importer-major, ``tariffs[j, i, s]``, over the negotiating countries
and ROW (last), as everywhere in negsim. Formulas: ``docs/model.md#economy``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from negsim.economy import calibration
from negsim.economy.solver import Baseline, Equilibrium, solve

SOLVED_KEPT = 16  # single states solved from the baseline that a world remembers

if TYPE_CHECKING:
    import networkx as nx

    from negsim.scenarios import Scenario


@dataclass
class World:
    """A calibrated world economy.

    Build one with :meth:`World.from_scenario`.

    Attributes:
        codes: country codes, negotiating countries first, ``ROW`` last.
        sectors: sector names.
        baseline: the solver's baseline (flows incl. domestic sales, tariffs, ε_s).
        gdp: GDP of the negotiating countries, USD bn, (n,).
        income: GDP (factor income) of every economy, ROW included, (n+1,).
        base_imports: baseline imports[j, i, s] at producers' prices (zero diagonal).
        domestic: baseline domestic sales[j, s].
        base_tariffs: baseline tariffs[j, i, s].
        n, n_sectors: negotiating countries and sectors.
    """

    codes: list[str]
    sectors: list[str]
    baseline: Baseline
    gdp: np.ndarray = field(init=False)
    income: np.ndarray = field(init=False)
    base_imports: np.ndarray = field(init=False)
    domestic: np.ndarray = field(init=False)
    base_tariffs: np.ndarray = field(init=False)
    _solved: dict[bytes, Equilibrium] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        """Derive the views of the baseline."""
        b = self.baseline
        m = b.m
        self.n, self.n_sectors = m - 1, len(self.sectors)
        self.income = b.income.sum(axis=1)
        self.gdp = self.income[: self.n].copy()
        self.base_imports = b.flows.copy()
        self.base_imports[np.arange(m), np.arange(m)] = 0.0
        self.domestic = b.flows[np.arange(m), np.arange(m)].copy()
        self.base_tariffs = b.tariffs.copy()

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> World:
        """The calibrated world of a validated scenario (model.md E1)."""
        return cls(
            codes=scenario.codes, sectors=scenario.sectors, baseline=calibration.baseline(scenario)
        )

    @property
    def elasticity(self) -> np.ndarray:
        """Trade elasticity ε_s per sector, (S,)."""
        return self.baseline.elasticity

    def solve(
        self, tariffs: np.ndarray, start: np.ndarray | None = None, strict: bool = True
    ) -> Equilibrium:
        """The equilibrium of tariff states (K, n+1, n+1, S) or (n+1, n+1, S).

        ``start``: log factor price changes (K, n+1, S) to start Newton from.

        One state solved from the baseline is remembered by its tariffs (the last
        :data:`SOLVED_KEPT`): the state in force is asked for by the model, every
        table evaluator and the record, and the solve is a function of the tariffs
        alone, so the answer is the same numbers. Treat the result as read-only.
        """
        tariffs = np.asarray(tariffs, dtype=float)
        if start is not None or not strict or tariffs.size != self.base_tariffs.size:
            return solve(self.baseline, tariffs, start=start, strict=strict)
        key = tariffs.tobytes()
        eq = self._solved.get(key)
        if eq is None:
            eq = self._solved[key] = solve(self.baseline, tariffs)
            if len(self._solved) > SOLVED_KEPT:
                self._solved.pop(next(iter(self._solved)))
        return eq

    def welfare(self, tariffs: np.ndarray) -> np.ndarray:
        """Real-income change (EV) in % of own GDP of every economy, (K, n+1) (E8)."""
        return 100.0 * self.solve(tariffs).welfare / self.income

    def trade(self, tariffs: np.ndarray) -> np.ndarray:
        """Imports[.., j, i, s] (USD bn at producers' prices; zero diagonal)."""
        tariffs = np.asarray(tariffs, dtype=float)
        batch = tariffs.shape[:-3]
        flows = self.solve(tariffs.reshape(-1, *tariffs.shape[-3:])).flows.copy()
        m = self.n + 1
        flows[:, np.arange(m), np.arange(m)] = 0.0
        return flows.reshape(*batch, *self.base_imports.shape)

    def exports(self, tariffs: np.ndarray) -> np.ndarray:
        """Exports[.., i, j, s] (exporter-major) under full tariff tensors."""
        return np.swapaxes(self.trade(tariffs), -3, -2)

    def balances(self, tariffs: np.ndarray) -> np.ndarray:
        """Goods balance[.., i, j] of i with j, USD bn (negative: i runs a deficit)."""
        exports = self.exports(tariffs).sum(axis=-1)
        return exports - np.swapaxes(exports, -1, -2)

    def network(self, tariffs: np.ndarray | None = None) -> nx.DiGraph:
        """The trade network (see :func:`negsim.economy.network.trade_network`)."""
        from negsim.economy.network import trade_network

        return trade_network(self, tariffs)
