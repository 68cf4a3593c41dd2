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

from negsim.economy import Equilibrium, World, kernel, measures
from negsim.economy.linear import SCREEN_STEPS, Linearisation, linearise, solve_offers

if TYPE_CHECKING:
    from negsim.scenarios import Scenario


@dataclass
class Payoffs:
    """Payoff components of each country in a batch, each of shape (K, n), % of GDP.

    Attributes:
        econ: economic welfare change (real income, EV).
        security: alliance term minus the rivalry term.
        politics: lobby rents, bilateral balances weighted by salience, audience costs.
        trade: the equilibrium the payoffs were computed from.
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
        self._proximity_cache: dict[int, np.ndarray] = {}

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
        return self.salience_base + self.salience_peak * self.proximity(round_)

    def lobby_weights(self, round_: int) -> np.ndarray:
        """Lobby weights θ_i,s(r) at a round, shape (n, S) (model.md P7).

        ``θ(r) = θ · (1 + κ · exp(-(e - round) / lead))``: organised sectors weigh more
        as the country's next election approaches (Conconi, Facchini & Zanardi 2014).
        """
        return self.lobby * (1.0 + self.lobby_peak * self.proximity(round_))[:, None]

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
        """Alliance term ``Σ_j r[i,j]·V_i·(h[i,j] − 1)`` for health (n, n) or (K, n, n) (P2)."""
        return (self.security_weight * (np.asarray(health) - 1.0)).sum(axis=-1)

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
        welfare, rents, balance = measures.terms(  # E8, θ(r)·ΔR of E9 (P4, P7), balances (P5)
            eq.spending, eq.price_index, eq.price, eq.flows, b.spending, b.sector_share,
            b.income, self.lobby_weights(round_), self.n,
        )  # fmt: skip
        econ = welfare * self.percent  # EV in % of GDP                          (P1)
        balance -= self.base_balance
        politics = (rents + self.salience(round_) * balance) * self.percent
        security = self.econ_rivalry(econ)  #                                   (P3)
        if health is not None:
            security = security + self.alliance(health)  #                       (P2)
        if backdowns is not None:
            politics = politics - self.audience_cost * np.asarray(backdowns)  #  (P6)
        return Payoffs(econ=econ, security=security, politics=politics, trade=eq)


_NONE = np.zeros(0)
MEMO_ROWS = 8  # batches up to this size are remembered by their tariffs (exactly the same)
MEMO_SIZE = 64  # remembered batches per table evaluator


class TableEvaluator:
    """Payoffs of many offers at one table: the table's entries set on the state in force.

    In general equilibrium every tariff moves every market (through factor prices
    and spending), so each candidate is solved whole; the evaluator lays the offers'
    tariffs into copies of the state in force and solves them as one batch, starting
    Newton from the equilibrium of the state in force (cached). The results equal
    :meth:`PayoffModel.evaluate`'s to the solver's tolerance (model.md E6).

    Args:
        model: the payoff model of the world.
        importer, exporter, sector: the tariff entries the table sets, as index arrays.
        issue_of_target: the issue (column of an offer) that sets each entry.
    """

    def __init__(
        self,
        model: PayoffModel,
        importer: np.ndarray,
        exporter: np.ndarray,
        sector: np.ndarray,
        issue_of_target: np.ndarray,
    ) -> None:
        world = model.world
        self.model = model
        shape = world.base_tariffs.shape
        self.entries_set = np.ravel_multi_index((importer, exporter, sector), shape)
        self.issue_of_link = np.asarray(issue_of_target)
        # tariff entries that carry trade and no offer sets (checked by covers)
        self._outside = (world.base_imports > 0).reshape(-1)
        self._outside[self.entries_set] = False
        self._start_key: bytes | None = None
        self._start: np.ndarray | None = None
        self._linear_key: bytes | None = None
        self._reference: tuple[np.ndarray, np.ndarray, np.ndarray] = (_NONE, _NONE, _NONE)
        self._memo: dict[bytes, Equilibrium] = {}
        self._linear: Linearisation | None = None

    # ------------------------------------------------------------------ tariff views

    def links(self, tariffs: np.ndarray) -> np.ndarray:
        """The tariffs the table sets, (.., |V|), from full tensors (.., n+1, n+1, S)."""
        tariffs = np.asarray(tariffs)
        return tariffs.reshape(*tariffs.shape[:-3], -1)[..., self.entries_set]

    def offer_links(self, offers: np.ndarray) -> np.ndarray:
        """The tariffs (K, |V|) that offers (K, n_issues) put in force (as :meth:`links`)."""
        return offers[:, self.issue_of_link]

    def with_states(self, offers: np.ndarray, *states: np.ndarray) -> np.ndarray:
        """Tariffs of offers (K, n_issues) followed by those of full tariff states."""
        rows = [self.offer_links(offers), *(self.links(state)[None] for state in states)]
        return np.concatenate(rows) if states else rows[0]

    def covers(self, tariffs: np.ndarray, current: np.ndarray) -> bool:
        """Whether ``tariffs`` differ from ``current`` only on entries the table sets."""
        changed = tariffs.reshape(-1) != current.reshape(-1)
        return not (changed & self._outside).any()

    # ------------------------------------------------------------------ evaluation

    def states(self, link_tariffs: np.ndarray, current: np.ndarray) -> np.ndarray:
        """Full tariff states (K, n+1, n+1, S): ``current`` with the table's entries set."""
        k = link_tariffs.shape[0]
        states = np.repeat(current.reshape(1, -1), k, axis=0)
        states[:, self.entries_set] = link_tariffs
        return states.reshape(k, *current.shape)

    def evaluate(
        self,
        link_tariffs: np.ndarray,
        current: np.ndarray,
        health: np.ndarray | None = None,
        round_: int = 0,
        backdowns: np.ndarray | None = None,
        screened: int | None = None,
        steps: int = SCREEN_STEPS,
    ) -> Payoffs:
        """Payoffs of the states ``current`` with the table's entries set to ``link_tariffs``.

        Args:
            link_tariffs: tariffs of the entries the table sets, (K, |V|) as
                :meth:`offer_links` and :meth:`links` lay them out.
            current: the tariffs in force, (n+1, n+1, S).
            health: alliance health, (n, n) or (K, n, n).
            round_: the round, for the salience of bilateral balances.
            backdowns: threats each country has backed down from, (n,) or (K, n).
            screened: the first ``screened`` rows are only screened on the economy
                linearised at ``current`` (model.md E11-E12); the others are solved
                exactly, starting from the linearised prices with its chord. ``None``:
                every row solved exactly from the prices in force (no linearisation).
            steps: chord steps of a screened row (E12; 0: the linearised prices of E11).

        Returns:
            The components, each (K, n), as :meth:`PayoffModel.evaluate` gives for
            the full tariff tensors (to the screen's accuracy in screened rows).
        """
        if len(link_tariffs) <= MEMO_ROWS:  # small batches recur (replies to threats)
            how = repr((screened, steps)).encode()
            key = b"|".join([current.tobytes(), link_tariffs.tobytes(), how])
            eq = self._memo.get(key)
            if eq is None:
                eq = self._memo[key] = self._solve(link_tariffs, current, screened, steps)
                if len(self._memo) > MEMO_SIZE:
                    self._memo.pop(next(iter(self._memo)))
        else:
            eq = self._solve(link_tariffs, current, screened, steps)
        return self.model.from_equilibrium(eq, health=health, round_=round_, backdowns=backdowns)

    def _solve(
        self, link_tariffs: np.ndarray, current: np.ndarray, screened: int | None, steps: int
    ) -> Equilibrium:
        """The equilibria behind :meth:`evaluate` (exact, or screened rows first)."""
        price = self.start(current)
        lin = None if screened is None else self.linearisation(current)
        states = self.states(link_tariffs, current)
        baseline = self.model.world.baseline
        return solve_offers(
            baseline, self._reference, self.entries_set, states, price, lin, screened, steps
        )

    def start(self, current: np.ndarray) -> np.ndarray:
        """Log factor prices of the state in force: the Newton start of its offers (E6)."""
        key = current.tobytes()
        if key != self._start_key or self._start is None:
            self._start = np.log(self.model.world.solve(current).price[0])
            b = self.model.world.baseline
            clean = np.array(current, dtype=float)[None]
            clean[:, np.arange(b.m), np.arange(b.m)] = 0.0  # domestic sales pay none
            prepared = kernel.prepare(clean, b.tariffs, b.share, b.elasticity)
            weight0, net, theta = (np.ascontiguousarray(a[0]) for a in prepared)
            self._reference = (weight0, net, theta)
            self._start_key = key
        return self._start

    def linearisation(self, current: np.ndarray) -> Linearisation:
        """The economy linearised at the state in force on the table's entries (E11)."""
        key = current.tobytes()
        if key != self._linear_key or self._linear is None:
            price = self.start(current)
            baseline = self.model.world.baseline
            self._linear = linearise(baseline, current, self.entries_set, price=price)
            self._linear_key = key
        return self._linear


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
        crossed = (crossed_floor | crossed_ceiling).reshape(*tariffs.shape[:-3], -1)
        return np.asarray(~crossed.any(axis=-1))
