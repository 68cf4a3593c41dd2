"""The three payoff components (econ, security, politics) and their total.

All payoffs are in percent of the country's own GDP, relative to the calibrated
start, and are evaluated for a batch of ``K`` candidate tariff states in one
vectorised call: tariffs of shape (K, n+1, n+1, S) (or link tariffs (K, L)) in,
arrays of shape (K, n) out. Formulas: ``docs/model.md#payoffs``.

This module knows nothing of Mesa, files or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from negsim.economy import TradeState, World

if TYPE_CHECKING:
    from negsim.config import Scenario


@dataclass
class Payoffs:
    """Payoff components of each country in a batch, each of shape (K, n), % of GDP.

    Attributes:
        econ: economic welfare change.
        security: alliance term minus the rivalry term.
        politics: lobby rents, bilateral balances weighted by salience, audience costs.
        trade: the trade state the payoffs were computed from.
    """

    econ: np.ndarray
    security: np.ndarray
    politics: np.ndarray
    trade: TradeState

    @property
    def total(self) -> np.ndarray:
        """``U = econ + security + politics``, shape (K, n)."""
        return self.econ + self.security + self.politics


class PayoffModel:
    """Payoff functions of all negotiating countries of a scenario.

    Args:
        world: the calibrated world.
        reliance: security reliance r[i, j] of i on j, shape (n, n), 0..1.
        alliance_value: value V_i of a fully healthy alliance, % of GDP, shape (n,).
        rivalry: weight ρ[i, j] of i on j's relative gains, shape (n, n).
        lobby: Grossman-Helpman weights θ[i, s], shape (n, S).
        salience_base, salience_peak, salience_lead: deficit-salience schedule, (n,).
        elections: per country, the rounds of its elections.
        audience_cost: cost of backing down from a public threat, % of GDP, (n,).
    """

    def __init__(
        self,
        world: World,
        reliance: np.ndarray,
        alliance_value: np.ndarray,
        rivalry: np.ndarray,
        lobby: np.ndarray,
        salience_base: np.ndarray,
        salience_peak: np.ndarray,
        salience_lead: np.ndarray,
        elections: list[list[int]],
        audience_cost: np.ndarray,
    ) -> None:
        self.world = world
        self.reliance = np.asarray(reliance, dtype=float)
        self.alliance_value = np.asarray(alliance_value, dtype=float)
        self.rivalry = np.asarray(rivalry, dtype=float)
        self.lobby = np.asarray(lobby, dtype=float)
        self.salience_base = np.asarray(salience_base, dtype=float)
        self.salience_peak = np.asarray(salience_peak, dtype=float)
        self.salience_lead = np.asarray(salience_lead, dtype=float)
        self.elections = [sorted(e) for e in elections]
        self.audience_cost = np.asarray(audience_cost, dtype=float)
        n, s = world.n, world.n_sectors
        self.percent = 100.0 / world.gdp  # USD bn -> % of own GDP
        # security: Σ_j r[i,j] V_i (h[i,j] - 1)                                (model.md P2)
        self.security_weight = self.reliance * self.alliance_value[:, None]
        # rivalry: -Σ_j ρ[i,j] (econ_j - econ_i) = -(econ @ ρᵀ) + econ * Σ_j ρ[i,j]   (P3)
        self.rivalry_matrix = np.diag(self.rivalry.sum(axis=1)) - self.rivalry.T
        # lobby weights laid out per market (j, s) and per link (exporter's sector) (P4)
        # import-competing producers earn the margin m_s on the home demand that
        # imports lose, E0 (1 - P̂^(-η)) (model.md P4)
        market_margin = np.tile(world.margin, n)
        self.lobby_market = (self.lobby.reshape(-1) * market_margin * world.base_spending)[
            :, None
        ] * world.market_country
        exporter_sector = world.link_exporter_sector @ self.lobby.reshape(-1)
        self.lobby_link = exporter_sector[:, None] * world.link_exporter
        # Everything summed per country from the links is linear in the link imports X
        # and exporter prices p̂*, so it is gathered in two matrix products:
        #   producer surplus  m X + X0 p̂* - X0 (1 + m)     (model.md E7), summed per
        #   exporter for welfare and weighted by θ for export rents; balances from X.
        margin = world.link_margin[:, None]
        base = world.base_link_imports[:, None]
        by_exporter, by_lobby = world.link_exporter, self.lobby_link
        self._from_imports = np.hstack(
            [margin * by_exporter, margin * by_lobby, world.link_balance]
        )
        self._from_prices = np.hstack([base * by_exporter, base * by_lobby])
        offset = world._producer_offset
        self._revenue_by_country = world.market_of @ world.market_country
        self._econ_offset = offset @ by_exporter + world.base_revenue @ world.market_country
        self._lobby_offset = offset @ by_lobby - self.lobby_market.sum(axis=0)
        self._base_balance = world.base_link_imports @ world.link_balance
        if world._log_consumer:  # η = 1: ΔCS = -E0 log P̂
            self._consumer_by_country = -world.base_spending[:, None] * world.market_country
        else:  # ΔCS = -(E - E0) / (1 - η)
            self._consumer_by_country = world._consumer_factor * world.market_country
            self._econ_offset = self._econ_offset + world._consumer_factor * (
                world.base_spending @ world.market_country
            )
        self.n, self.n_sectors = n, s
        self._salience_cache: dict[int, np.ndarray] = {}
        self._demand_power = -world.import_demand_elasticity

    @classmethod
    def from_scenario(cls, scenario: Scenario, world: World | None = None) -> PayoffModel:
        """Build the payoff model of a validated scenario."""
        world = world or World.from_scenario(scenario)
        codes, sectors = scenario.countries, scenario.sectors
        n = len(codes)
        nations = [scenario.nations[c] for c in codes]
        reliance = np.zeros((n, n))
        rivalry = np.zeros((n, n))
        for i, country in enumerate(nations):
            for j, partner in enumerate(codes):
                reliance[i, j] = country.security.reliance.get(partner, 0.0)
                rivalry[i, j] = country.security.rivalry.get(partner, 0.0)
        return cls(
            world=world,
            reliance=reliance,
            alliance_value=np.array([c.security.alliance_value for c in nations]),
            rivalry=rivalry,
            lobby=np.array([[c.politics.lobby.get(s, 0.0) for s in sectors] for c in nations]),
            salience_base=np.array([c.politics.salience_base for c in nations]),
            salience_peak=np.array([c.politics.salience_peak for c in nations]),
            salience_lead=np.array([c.politics.salience_lead for c in nations]),
            elections=[list(c.politics.elections) for c in nations],
            audience_cost=np.array([c.politics.audience_cost for c in nations]),
        )

    # ------------------------------------------------------------------ schedule

    def salience(self, round_: int) -> np.ndarray:
        """Weight ω_i on bilateral balances at a round, shape (n,).

        ``ω = base + peak · exp(-(e - round) / lead)`` with ``e`` the next election at
        or after ``round``; after the last election only ``base`` remains (model.md P5).
        """
        cached = self._salience_cache.get(round_)
        if cached is not None:
            return cached
        ahead = np.full(self.n, np.inf)
        for i, rounds in enumerate(self.elections):
            upcoming = [e for e in rounds if e >= round_]
            if upcoming:
                ahead[i] = upcoming[0] - round_
        weight = self.salience_base + self.salience_peak * np.exp(-ahead / self.salience_lead)
        self._salience_cache[round_] = weight
        return weight

    # ------------------------------------------------------------------ evaluation

    def econ_rivalry(self, econ: np.ndarray) -> np.ndarray:
        """Rivalry term ``-Σ_j ρ[i,j] (econ_j - econ_i)`` for econ payoffs (K, n) (model.md P3)."""
        return econ @ self.rivalry_matrix

    def evaluate(
        self,
        tariffs: np.ndarray,
        health: np.ndarray | None = None,
        round_: int = 0,
        backdowns: np.ndarray | None = None,
        links: bool = False,
    ) -> Payoffs:
        """Evaluate every country's payoff for a batch of tariff states.

        Args:
            tariffs: full tensors (K, n+1, n+1, S) or, with ``links=True``, link
                tariffs (K, L) as :meth:`World.link_tariffs` returns.
            health: alliance health h[i, j] in 0..1, shape (n, n) or (K, n, n);
                ``None`` means fully healthy (1).
            round_: the round, for the salience of bilateral balances.
            backdowns: threats each country has backed down from, (n,) or (K, n).
            links: whether ``tariffs`` are link tariffs.

        Returns:
            The components, each (K, n), in % of own GDP relative to the start.
        """
        world, n = self.world, self.n
        link_tariffs = tariffs if links else world.link_tariffs(tariffs)
        state = world.evaluate(link_tariffs)
        from_imports = state.imports @ self._from_imports
        from_prices = state.exporter_price @ self._from_prices
        market = np.log(state.price_index) if world._log_consumer else state.spending
        # econ: ΔCS + ΔR + ΔPS (model.md E8), in % of GDP                   (model.md P1)
        econ = (
            market @ self._consumer_by_country
            + (state.tariffs * state.imports) @ self._revenue_by_country
            + from_imports[:, :n]
            + from_prices[:, :n]
            - self._econ_offset
        ) * self.percent
        # security: alliance term and rivalry on relative gains             (model.md P2, P3)
        security = self.econ_rivalry(econ)
        if health is not None:
            gap = np.asarray(health) - 1.0
            security = security + (self.security_weight * gap).sum(axis=-1)
        # politics: lobby rents, salience-weighted balances, audience costs (model.md P4-P6)
        rents = (
            -(state.price_index**self._demand_power) @ self.lobby_market
            + from_imports[:, n : 2 * n]
            + from_prices[:, n:]
            - self._lobby_offset
        )
        balance_change = from_imports[:, 2 * n :] - self._base_balance
        politics = (rents + self.salience(round_) * balance_change) * self.percent
        if backdowns is not None:
            politics = politics - self.audience_cost * np.asarray(backdowns)
        return Payoffs(econ=econ, security=security, politics=politics, trade=state)


class RedLines:
    """Bounds on tariffs that some country will never ratify a package beyond.

    Args:
        lower, upper: bounds on tariffs[j, i, s], shape (n+1, n+1, S).
    """

    def __init__(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self.lower = lower
        self.upper = upper

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> RedLines:
        """Collect the red lines of a scenario, with ``protocol.max_tariff`` as ceiling."""
        codes, sectors = scenario.codes, scenario.sectors
        m, s = len(codes), len(sectors)
        lower = np.zeros((m, m, s))
        upper = np.full((m, m, s), scenario.protocol.max_tariff)
        for line in scenario.red_lines.values():
            j, i, k = (
                codes.index(line.importer),
                codes.index(line.exporter),
                sectors.index(line.sector),
            )
            if line.floor is not None:
                lower[j, i, k] = max(lower[j, i, k], line.floor)
            if line.ceiling is not None:
                upper[j, i, k] = min(upper[j, i, k], line.ceiling)
        return cls(lower, upper)

    def satisfied(self, tariffs: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
        """Whether each state in a batch (K, n+1, n+1, S) respects every red line, (K,)."""
        crossed_floor = tariffs < self.lower - tolerance
        crossed_ceiling = tariffs > self.upper + tolerance
        return ~(crossed_floor | crossed_ceiling).reshape(*tariffs.shape[:-3], -1).any(axis=-1)
