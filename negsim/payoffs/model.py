"""The three payoff components (econ, security, politics) and their total.

All payoffs are in percent of the country's own GDP, relative to the calibrated
start, and are evaluated for a batch of ``K`` candidate tariff states in one
vectorised call: tariffs of shape (K, n+1, n+1, S) in, arrays of shape (K, n) out.
The economy behind them is the general equilibrium of :mod:`negsim.economy`: econ
is the real-income change (EV), lobbies weigh the real rents of their sectors'
specific factors (more as an election nears, P7), and deficit salience weighs
bilateral balances with the other negotiating countries. Formulas: ``docs/model.md#payoffs``.

This module knows nothing of Mesa, files or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from negsim.economy import Equilibrium, World, measures

if TYPE_CHECKING:
    from negsim.scenarios import Scenario

HEALTH_KEPT = 64  # alliance terms of single health matrices a payoff model remembers


@dataclass
class Payoffs:
    """Payoff components of each country in a batch, each of shape (K, n), % of GDP.

    Attributes:
        econ: economic welfare change (real income, EV).
        security: alliance term minus the rivalry term.
        politics: lobby rents, bilateral balances weighted by salience, audience costs.
        trade: the equilibrium the payoffs were computed from (where a last row mixes
            breakdown states, B4, its rows are the offers' first, then those states).
    """

    econ: np.ndarray
    security: np.ndarray
    politics: np.ndarray
    trade: Equilibrium | None = None

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
        lobby: Grossman-Helpman weights θ[i, s] on sector rents, shape (n, S).
        salience_base, salience_peak, salience_lead: deficit-salience schedule, (n,).
        elections: per country, the rounds of its elections.
        audience_cost: cost of backing down from a public threat, % of GDP, (n,).
        lobby_peak: extra share κ_i of the lobby weights at an election (P7), (n,);
            ``None`` means no electoral cycle in lobby weights.
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
        lobby_peak: np.ndarray | None = None,
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
        n = world.n
        self.lobby_peak = np.zeros(n) if lobby_peak is None else np.asarray(lobby_peak, float)
        self.n, self.n_sectors = n, world.n_sectors
        self.percent = 100.0 / world.gdp  # USD bn -> % of own GDP
        # security: Σ_j r[i,j] V_i (h[i,j] - 1)                                (model.md P2)
        self.security_weight = self.reliance * self.alliance_value[:, None]
        # rivalry: -Σ_j ρ[i,j] (econ_j - econ_i) = -(econ @ ρᵀ) + econ * Σ_j ρ[i,j]   (P3)
        self.rivalry_matrix = np.diag(self.rivalry.sum(axis=1)) - self.rivalry.T
        self.base_balance = self.balance(world.baseline.flows[None])[0]
        self._proximity_cache: dict[int, np.ndarray] = {}  # per round (read-only arrays)
        self._salience_cache: dict[int, np.ndarray] = {}
        self._lobby_cache: dict[int, np.ndarray] = {}
        self._alliance_cache: dict[bytes, np.ndarray] = {}  # by one health matrix (n, n)

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
            lobby_peak=np.array([c.politics.lobby_peak for c in nations]),
        )

    # ------------------------------------------------------------------ schedule

    def proximity(self, round_: int) -> np.ndarray:
        """Election proximity ``exp(-(e - round) / lead)`` of each country, shape (n,).

        ``e`` is the country's next election at or after ``round``; 1 in an election
        round, 0 with no election ahead (the time shape of model.md P5 and P7).
        """
        cached = self._proximity_cache.get(round_)
        if cached is not None:
            return cached
        ahead = np.full(self.n, np.inf)
        for i, rounds in enumerate(self.elections):
            upcoming = [e for e in rounds if e >= round_]
            if upcoming:
                ahead[i] = upcoming[0] - round_
        closeness = np.exp(-ahead / self.salience_lead)
        self._proximity_cache[round_] = closeness
        return closeness

    def salience(self, round_: int) -> np.ndarray:
        """Weight ω_i on bilateral balances at a round, shape (n,).

        ``ω = base + peak · exp(-(e - round) / lead)`` with ``e`` the next election at
        or after ``round``; after the last election only ``base`` remains (model.md P5).
        """
        cached = self._salience_cache.get(round_)
        if cached is None:
            cached = self._salience_cache[round_] = (
                self.salience_base + self.salience_peak * self.proximity(round_)
            )
        return cached

    def lobby_weights(self, round_: int) -> np.ndarray:
        """Lobby weights θ_i,s(r) at a round, shape (n, S) (model.md P7).

        ``θ(r) = θ · (1 + κ · exp(-(e - round) / lead))``: organised sectors weigh more
        as the country's next election approaches (Conconi, Facchini & Zanardi 2014).
        """
        cached = self._lobby_cache.get(round_)
        if cached is None:
            cached = self._lobby_cache[round_] = (
                self.lobby * (1.0 + self.lobby_peak * self.proximity(round_))[:, None]
            )
        return cached

    def election_lift(self, round_: int, discount: np.ndarray) -> np.ndarray:
        """How far each country's election proximity rises over waiting to sign (B11), (n,).

        ``max_d Σ_{k<d} δ^k π(r + k) / Σ_{k<d} δ^k − π(r)`` over the windows that end at
        or before its next election (beyond it π falls, so no later window is higher):
        signing a deal whose politics falls as π rises costs the country that much
        proximity, times the fall, against signing the same deal after the election.
        0 with no election ahead or in an election round. ``discount``: δ per country.
        """
        lift = np.zeros(self.n)
        for i, rounds in enumerate(self.elections):
            upcoming = [e for e in rounds if e >= round_]
            if not upcoming or upcoming[0] == round_:
                continue
            ahead = np.arange(upcoming[0] - round_ + 1)
            weights = float(discount[i]) ** ahead
            path = np.exp(-(upcoming[0] - round_ - ahead) / self.salience_lead[i])
            lift[i] = np.max(np.cumsum(weights * path) / np.cumsum(weights)) - path[0]
        return lift

    def electoral_slope(self, eq: Equilibrium) -> np.ndarray:
        """∂politics/∂π of solved states, % of GDP per unit of election proximity, (K, n) (B11).

        Politics is affine in the proximity π (P5, P7): ``κ·θ`` on the real rents plus
        the salience peak on the balances' change, so the politics of any round is
        that of another plus (π − π')·slope.
        """
        b = self.world.baseline
        _, slope = _econ_politics(
            eq.spending, eq.price_index, eq.price, eq.flows, b.spending, b.sector_share,
            b.income, self.lobby * self.lobby_peak[:, None], self.n, self.percent,
            self.base_balance, self.salience_peak,
        )  # fmt: skip
        return slope

    # ------------------------------------------------------------------ evaluation

    def balance(self, flows: np.ndarray) -> np.ndarray:
        """Goods balance of each negotiating country with the others, (K, n), USD bn (P5).

        Exports to the other negotiating countries less imports from them, from flows
        (K, n+1, n+1, S); trade with ROW and domestic sales are not counted.
        """
        n = self.n
        among = flows[:, :n, :n].sum(axis=-1)  # [j, i]: j buys from i
        diagonal = np.diagonal(among, axis1=1, axis2=2)
        return among.sum(axis=1) - diagonal - (among.sum(axis=2) - diagonal)

    def econ_rivalry(self, econ: np.ndarray) -> np.ndarray:
        """Rivalry term ``-Σ_j ρ[i,j] (econ_j - econ_i)`` for econ payoffs (K, n) (model.md P3)."""
        return econ @ self.rivalry_matrix

    def alliance(self, health: np.ndarray) -> np.ndarray:
        """Alliance term ``Σ_j r[i,j]·V_i·(h[i,j] − 1)`` for health (n, n) or (K, n, n) (P2).

        That of one health matrix is remembered by its bytes (the last
        :data:`HEALTH_KEPT`; a pure function of them): treat it as read-only.
        """
        health = np.asarray(health)
        if health.ndim != 2:
            return (self.security_weight * (health - 1.0)).sum(axis=-1)
        key = health.dtype.str.encode() + health.tobytes()
        found = self._alliance_cache.get(key)
        if found is None:
            found = self._alliance_cache[key] = (self.security_weight * (health - 1.0)).sum(axis=-1)
            if len(self._alliance_cache) > HEALTH_KEPT:
                self._alliance_cache.pop(next(iter(self._alliance_cache)))
        return found

    def evaluate(
        self,
        tariffs: np.ndarray,
        health: np.ndarray | None = None,
        round_: int = 0,
        backdowns: np.ndarray | None = None,
    ) -> Payoffs:
        """Evaluate every country's payoff for a batch of tariff states.

        Args:
            tariffs: full tensors (K, n+1, n+1, S).
            health: alliance health h[i, j] in 0..1, shape (n, n) or (K, n, n);
                ``None`` means fully healthy (1).
            round_: the round, for the salience of bilateral balances.
            backdowns: threats each country has backed down from, (n,) or (K, n).

        Returns:
            The components, each (K, n), in % of own GDP relative to the start.

        Raises:
            negsim.economy.SolverError: the equilibrium of some state was not found.
        """
        return self.from_equilibrium(self.world.solve(tariffs), health, round_, backdowns)

    def from_equilibrium(
        self,
        eq: Equilibrium,
        health: np.ndarray | None = None,
        round_: int = 0,
        backdowns: np.ndarray | None = None,
    ) -> Payoffs:
        """The payoffs of solved states (see :meth:`evaluate`)."""
        b = self.world.baseline
        econ, politics = _econ_politics(  # P1; lobby rents (P4, P7) and balances (P5)
            eq.spending, eq.price_index, eq.price, eq.flows, b.spending, b.sector_share,
            b.income, self.lobby_weights(round_), self.n, self.percent, self.base_balance,
            self.salience(round_),
        )  # fmt: skip
        security = self.econ_rivalry(econ)  #                                   (P3)
        if health is not None:
            security = security + self.alliance(health)  #                       (P2)
        if backdowns is not None:
            politics = politics - self.audience_cost * np.asarray(backdowns)  #  (P6)
        return Payoffs(econ=econ, security=security, politics=politics, trade=eq)


@njit(cache=True)
def _econ_politics(
    spending, price_index, price, flows, base_spending, alpha, income, lobby, n, percent,
    base_balance, salience,
):  # fmt: skip
    """Econ (P1) and the politics of rents and balances (P4, P5), % of GDP, each (K, n).

    ``econ = EV·percent`` and ``politics = (rents + ω·(balance − balance0))·percent``
    from :func:`~negsim.economy.measures.terms`, elementwise in numpy's order (the
    same numbers), in one compiled call with the terms.
    """
    welfare, rents, balance = measures.terms(
        spending, price_index, price, flows, base_spending, alpha, income, lobby, n
    )
    k = welfare.shape[0]
    econ = np.empty((k, n))
    politics = np.empty((k, n))
    for z in range(k):
        for i in range(n):
            econ[z, i] = welfare[z, i] * percent[i]
            politics[z, i] = (rents[z, i] + salience[i] * (balance[z, i] - base_balance[i])) * (
                percent[i]
            )
    return econ, politics
