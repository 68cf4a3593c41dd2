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
    from negsim.scenarios import Scenario

STATES_CACHED = 8  # tariff states whose sums are kept (a run visits a few; the start recurs)
STATE_CACHE_BYTES = 8 << 20  # at most this much per cache: big tables keep fewer states
SPARSE_TERMS = 1024  # a table evaluator with more terms per candidate uses sparse rows


@dataclass
class Payoffs:
    """Payoff components of each country in a batch, each of shape (K, n), % of GDP.

    Attributes:
        econ: economic welfare change.
        security: alliance term minus the rivalry term.
        politics: lobby rents, bilateral balances weighted by salience, audience costs.
        trade: the trade state the payoffs were computed from (``None`` from a
            :class:`TableEvaluator`, which computes only the markets a table touches).
    """

    econ: np.ndarray
    security: np.ndarray
    politics: np.ndarray
    trade: TradeState | None = None

    @property
    def total(self) -> np.ndarray:
        """``U = econ + security + politics``, shape (K, n)."""
        return self.econ + self.security + self.politics


class RecentStates:
    """The values of the last few tariff states, keyed by the states' bytes.

    Looked up by comparing bytes (a memory comparison), not by hashing them: a
    20-country state is 35 kB, whose hash costs more than the comparisons.
    """

    def __init__(self, size: int = STATES_CACHED) -> None:
        self.size = size
        self._items: list[tuple[bytes, object]] = []

    def get(self, key: bytes) -> object | None:
        """The value stored for ``key`` (moved to the front), or ``None``."""
        items = self._items
        for position, (stored, value) in enumerate(items):
            if stored == key:
                if position:
                    items.insert(0, items.pop(position))
                return value
        return None

    def put(self, key: bytes, value: object) -> None:
        """Store a value, forgetting the least recently used beyond ``size``."""
        self._items.insert(0, (key, value))
        del self._items[self.size :]


@dataclass
class MarketSums:
    """Sums of one tariff state per market (j, s), in raw columns [econ | rents | balance].

    Attributes:
        tariffs, weight, unit, prices: per link, t, the CES weight w, w/(1+t) and p̂*.
        everything: each market's whole contribution to the raw sums, (markets, 3n).
        total: the sum of ``everything`` over markets, (3n,).
        prices_part: the part of it from exporter prices p̂*, (markets, 3n).
        per_unit: each market's link sums per unit of E/D: Σ w/(1+t)·(rows of X and
            t X), (markets, 3n).
        weight_sum: Σ w per market, D (model.md E3), (markets,).
    """

    tariffs: np.ndarray
    weight: np.ndarray
    unit: np.ndarray
    prices: np.ndarray
    everything: np.ndarray
    total: np.ndarray
    prices_part: np.ndarray
    per_unit: np.ndarray
    weight_sum: np.ndarray


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
        self._final_cache: dict[int, np.ndarray] = {}
        self._final_base: np.ndarray | None = None
        self._sums = RecentStates()
        self._demand_power = -world.import_demand_elasticity
        # The same sums as one linear map into raw columns [econ | rents | balance]
        # (USD bn, before the % of GDP and the salience), per link and per market, so
        # that a subset of links and markets can be summed on its own (TableEvaluator).
        none = np.zeros((len(world.link_flat), n))
        self.raw_imports = self._from_imports  # X -> ΔPS m X, export rents, balances
        self.raw_revenue = np.hstack([self._revenue_by_country, none, none])  # t X -> ΔR
        self.raw_prices = np.hstack([self._from_prices, none])  # p̂* -> ΔPS, export rents
        no_market = np.zeros((n * s, n))
        self.raw_market = np.hstack([self._consumer_by_country, no_market, no_market])  # ΔCS
        self.raw_demand = np.hstack([no_market, -self.lobby_market, no_market])  # P̂^(-η)
        self.raw_offset = np.concatenate(
            [self._econ_offset, self._lobby_offset, self._base_balance]
        )

        # the raw matrices as (row, market·3n + column, value) triples, for sums per market
        def coo(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            rows, columns = np.nonzero(matrix)
            return rows, world.link_market[rows] * 3 * n + columns, matrix[rows, columns]

        n_links, block = len(world.link_flat), n * s * 3 * n
        # (factor, output block) of each part; factors laid out as in market_sums
        parts = [
            (self.raw_imports, 0, 0),  # X
            (self.raw_revenue, 1, 0),  # t X
            (self.raw_prices, 2, 1),  # p̂*
            (self.raw_imports, 3, 2),  # w/(1+t)
            (self.raw_revenue, 4, 2),  # w/(1+t)·t
        ]
        triples = [coo(matrix) for matrix, _, _ in parts]
        self._sum_rows = np.concatenate(
            [
                rows + factor * n_links
                for (rows, _, _), (_, factor, _) in zip(triples, parts, strict=True)
            ]
        )
        self._sum_keys = np.concatenate(
            [keys + out * block for (_, keys, _), (_, _, out) in zip(triples, parts, strict=True)]
        )
        self._sum_values = np.concatenate([values for _, _, values in triples])

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
        # raw sums in USD bn: welfare ΔCS + ΔR + ΔPS (E8), lobby rents (P4), balances (P5)
        raw = np.empty((len(link_tariffs), 3 * n))
        raw[:, :n] = (
            market @ self._consumer_by_country
            + (state.tariffs * state.imports) @ self._revenue_by_country
            + from_imports[:, :n]
            + from_prices[:, :n]
            - self._econ_offset
        )
        raw[:, n : 2 * n] = (
            -(state.price_index**self._demand_power) @ self.lobby_market
            + from_imports[:, n : 2 * n]
            + from_prices[:, n:]
            - self._lobby_offset
        )
        raw[:, 2 * n :] = from_imports[:, 2 * n :] - self._base_balance
        # to % of GDP: econ (P1), politics (P4-P5), rivalry (P3); then P2 and P6
        out = raw @ self.final_map(round_)
        econ, politics, security = out[:, :n], out[:, n : 2 * n], out[:, 2 * n :]
        if health is not None:
            security += self.alliance(health)
        if backdowns is not None:
            politics -= self.audience_cost * np.asarray(backdowns)
        return Payoffs(econ=econ, security=security, politics=politics, trade=state)

    def market_sums(self, tariffs: np.ndarray, key: bytes | None = None) -> MarketSums:
        """Per-market raw sums of one tariff state (n+1, n+1, S), cached (last few states).

        Shared by every table's evaluator, so a state change costs one pass over the
        links, not one per table.
        """
        key = tariffs.tobytes() if key is None else key
        cached = self._sums.get(key)
        if cached is not None:
            return cached
        world, n_m, cols = self.world, self.n * self.n_sectors, 3 * self.n
        t = tariffs.reshape(-1)[world.link_flat]
        trade = world.evaluate(t[None])
        imports, prices, weight = trade.imports[0], trade.exporter_price[0], trade.weight[0]
        unit = weight / (1.0 + t)  # X per unit of E/D (E4)
        # the three per-market sums in one pass over the raw matrices' nonzeros:
        # [X and t X terms | p̂* terms | w/(1+t) and w/(1+t)·t terms], (3, markets, 3n)
        factors = np.concatenate([imports, t * imports, prices, unit, unit * t])
        blocks = np.bincount(
            self._sum_keys, self._sum_values * factors[self._sum_rows], minlength=3 * n_m * cols
        ).reshape(3, n_m, cols)
        prices_part = blocks[1]
        market = np.log(trade.price_index[0]) if world._log_consumer else trade.spending[0]
        demand = trade.price_index[0] ** self._demand_power
        everything = (
            blocks[0]
            + prices_part
            + market[:, None] * self.raw_market
            + demand[:, None] * self.raw_demand
        )
        sums = MarketSums(
            tariffs=t,
            weight=weight,
            unit=unit,
            prices=prices,
            everything=everything,
            total=everything.sum(axis=0),
            prices_part=prices_part,
            per_unit=blocks[2],
            weight_sum=np.bincount(world.link_market, weight, minlength=n_m),
        )
        self._sums.put(key, sums)
        return sums

    def alliance(self, health: np.ndarray) -> np.ndarray:
        """Alliance term ``Σ_j r[i,j]·V_i·(h[i,j] − 1)`` for health (n, n) or (K, n, n) (P2)."""
        return (self.security_weight * (np.asarray(health) - 1.0)).sum(axis=-1)

    def final_map(self, round_: int) -> np.ndarray:
        """Linear map (3n, 3n) of raw sums ``[econ | rents | balance]`` (USD bn) to payoffs.

        The payoffs are ``[econ | politics | security]`` in % of own GDP, without the
        alliance and audience-cost terms: ``econ = 100·W/Y`` (model.md P1), rivalry
        ``econ @ (diag(Σρ) − ρᵀ)`` (P3), politics ``100·(rents + ω(round)·balance)/Y``
        (P4-P5). Cached per round.
        """
        cached = self._final_cache.get(round_)
        if cached is not None:
            return cached
        n = self.n
        if self._final_base is None:  # everything but the salience, built once
            base = np.zeros((3 * n, 3 * n))
            diagonal = np.arange(n)
            base[diagonal, diagonal] = self.percent
            base[:n, 2 * n :] = self.percent[:, None] * self.rivalry_matrix
            base[n + diagonal, n + diagonal] = self.percent
            self._final_base = base
            self._salience_cells = (2 * n + diagonal, n + diagonal)
        final = self._final_base.copy()
        final[self._salience_cells] = self.salience(round_) * self.percent
        self._final_cache[round_] = final
        return final


class TableEvaluator:
    """Payoffs of many offers at one table, computing only the markets they touch.

    An offer sets some tariff entries (the table's targets). A tariff moves trade
    only in its own market (importer, sector) (model.md E2-E4), and every payoff is
    a sum over markets and links (E5-E8, P1-P6). So the contribution of each market
    the offer does not touch is the same for every candidate: it is computed once
    per tariff state and added. Within the touched markets, the links the table
    does not set (third countries' sales, trade diverted) keep their CES weights;
    only their market's price index and spending move, so their sums fold into one
    row per market, also once per state. Per candidate the work is proportional to
    the table's own links and markets, not to the size of the world.

    The algebra is that of :meth:`PayoffModel.evaluate`, rearranged:
    ``w = exp(ln(1+t)·(−εφ) + c)``, ``w/(1+t)`` and ``p̂*`` come from one
    exponential (E1-E2); ``E``, ``E/D`` and ``P̂^(−η)`` are powers of ``D``, from
    another (E3-E4); the linear sums (E5-E8) are one matrix product per batch, with
    the constant riding on a row of ones, and the conversion to % of GDP, rivalry and
    salience (P1, P3-P5) is a second, small one. The results equal the full
    evaluation up to floating-point rounding (sums are taken in another order; tests
    check ``rtol=1e-12``), so candidates that tie exactly in exact arithmetic may be
    ordered differently.

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
        entries = np.ravel_multi_index((importer, exporter, sector), world.base_tariffs.shape)
        link = world.link_of_entry[entries]
        has_link = link >= 0
        # V: the links an offer sets (in market order), and the issue that sets each
        order = np.argsort(world.link_market[link[has_link]], kind="stable")
        v = self.links_set = link[has_link][order]
        self.issue_of_link = np.asarray(issue_of_target)[has_link][order]
        self.entries_set = entries[has_link][order]
        markets = np.unique(world.link_market[v])  # M': the markets offers touch
        self.markets = markets
        rest = np.ones(world.n * world.n_sectors, dtype=bool)
        rest[markets] = False
        self.rest_markets = np.flatnonzero(rest)
        # tariff entries that are links no offer sets (checked by covers)
        self._outside = np.zeros(world.base_tariffs.size, dtype=bool)
        self._outside[world.link_flat] = True
        self._outside[self.entries_set] = False
        n_m = len(markets)
        local_v = np.searchsorted(markets, world.link_market[v])
        self._market_of_set = local_v
        # V is sorted by market: a market's links are a run starting here (sums by reduceat)
        self._market_starts = np.flatnonzero(np.r_[True, np.diff(local_v) != 0])
        # one exponential gives [w, w/(1+t), p̂*] per link of V (model.md E1-E2)
        slope, price_slope = world._share_slope[v], world._price_slope[v]
        log_base, log_share = world.log_base_tariff[v], world._log_base_share[v]
        self._slopes = np.concatenate([slope, slope - 1.0, price_slope])[:, None]
        self._offsets = np.concatenate(
            [log_share - log_base * slope, log_share - log_base * slope, -log_base * price_slope]
        )[:, None]
        self._issue3 = np.concatenate([self.issue_of_link] * 3)
        self._entries3 = np.concatenate([self.entries_set] * 3)
        # another gives [E/D, E, P̂^(−η)] per market of M' from ln D (model.md E3-E4)
        eps, eta = world.elasticity, world.import_demand_elasticity
        spend = (eta - 1.0) / eps
        self._market_powers = np.repeat([spend - 1.0, spend, eta / eps], n_m)[:, None]
        log_e0 = np.log(world.base_spending[markets])
        self._market_offsets = np.concatenate([log_e0, log_e0, np.zeros(n_m)])[:, None]
        self._market3 = np.concatenate([np.arange(n_m)] * 3)
        self._buffers: dict[int, np.ndarray] = {}
        # raw rows per term, in the order the terms are laid out per candidate:
        # [t X, X, p̂*] per link of V, [E/D, E (or ln D), P̂^(−η)] per market of M'
        self._rows_set = np.vstack(
            [model.raw_revenue[v], model.raw_imports[v], model.raw_prices[v]]
        )
        market_rows = model.raw_market[markets]
        if world._log_consumer:  # ΔCS = -E0 ln P̂ = E0 ln D / ε: the term is ln D
            market_rows = market_rows * (-1.0 / eps)
        self._rows_market = np.vstack([market_rows, model.raw_demand[markets]])
        self._state: bytes | None = None
        self._audience_key: bytes | None = None
        self._audience_cost: np.ndarray | None = None
        row_bytes = 8 * 3 * model.n * (len(self._rows_set) + 3 * len(markets))
        self._states = RecentStates(max(2, min(STATES_CACHED, STATE_CACHE_BYTES // row_bytes)))
        self._set_imports, self._set_revenue = model.raw_imports[v], model.raw_revenue[v]
        self._set_prices = model.raw_prices[v]

    # ------------------------------------------------------------------ tariff views

    def links(self, tariffs: np.ndarray) -> np.ndarray:
        """The tariffs of the links the table sets, from full tensors (.., n+1, n+1, S).

        Laid out as :meth:`evaluate` takes them: ``(.., 3·|V|)``, the |V| link tariffs
        repeated three times (one copy per term computed from them).
        """
        tariffs = np.asarray(tariffs)
        return tariffs.reshape(*tariffs.shape[:-3], -1)[..., self._entries3]

    def offer_links(self, offers: np.ndarray) -> np.ndarray:
        """Link tariffs (K, 3·|V|) that offers (K, n_issues) put in force (as :meth:`links`)."""
        return offers.T[self._issue3].T  # column-major: evaluate reads it by link

    def with_states(self, offers: np.ndarray, *states: np.ndarray) -> np.ndarray:
        """Link tariffs of offers (K, n_issues) followed by those of full tariff states."""
        if not states:
            return offers.T[self._issue3].T
        k = offers.shape[0]
        columns = np.empty((len(self._issue3), k + len(states)))
        columns[:, :k] = offers.T[self._issue3]
        for i, state in enumerate(states):
            columns[:, k + i] = state.reshape(-1)[self._entries3]
        return columns.T

    def covers(self, tariffs: np.ndarray, current: np.ndarray) -> bool:
        """Whether ``tariffs`` differ from ``current`` only on links the table sets."""
        changed = tariffs.reshape(-1) != current.reshape(-1)
        return not (changed & self._outside).any()

    # ------------------------------------------------------------------ the state

    def _prepare(self, current: np.ndarray) -> None:
        """Sums that are constant in the state ``current``, cached for the last few states."""
        key = current.tobytes()
        if key == self._state:
            return
        cached = self._states.get(key)
        if cached is None:
            cached = self._state_sums(current, key)
            self._states.put(key, cached)
        self._fixed_weight, self._rows_t = cached
        self._state = key

    def _state_sums(self, current: np.ndarray, key: bytes) -> tuple[np.ndarray, np.ndarray]:
        """The per-state constants: fixed links' weight per market, and the rows.

        The rows (transposed) map the terms of a candidate to raw sums; their last
        column is the constant, picked up by a row of ones under the terms.

        From the state's sums per market (shared by all tables): the untouched
        markets' whole contribution (all markets' less the touched ones'), plus in
        the touched markets the terms of the links no offer sets (their exporter
        prices; their CES weights and sums per unit of E/D), i.e. the market's sums
        less those of the table's own links.
        """
        model, v, markets = self.model, self.links_set, self.markets
        sums = model.market_sums(current, key)
        t, weight, unit = sums.tariffs[v], sums.weight[v], sums.unit[v]
        constant = (
            sums.total
            - sums.everything[markets].sum(axis=0)
            + sums.prices_part[markets].sum(axis=0)
            - sums.prices[v] @ self._set_prices
            - model.raw_offset
        )
        starts = self._market_starts
        fixed_weight = sums.weight_sum[markets] - np.add.reduceat(weight, starts)
        set_per_unit = unit[:, None] * (self._set_imports + t[:, None] * self._set_revenue)
        fixed_rows = sums.per_unit[markets] - np.add.reduceat(set_per_unit, starts, axis=0)
        rows = np.vstack([self._rows_set, fixed_rows, self._rows_market, constant])
        fixed_weight = fixed_weight[:, None]
        if rows.shape[0] > SPARSE_TERMS:  # big tables: the rows are mostly zeros
            from scipy import sparse  # imported here: only big worlds need it

            return fixed_weight, sparse.csr_array(rows.T)
        return fixed_weight, np.ascontiguousarray(rows.T)

    def _audience(self, backdowns: np.ndarray) -> np.ndarray | None:
        """Audience costs (model.md P6) for backdowns, ``None`` when all are zero."""
        key = np.asarray(backdowns).tobytes()
        if key != self._audience_key:
            cost = self.model.audience_cost * np.asarray(backdowns)
            self._audience_key, self._audience_cost = key, cost if cost.any() else None
        return self._audience_cost

    # ------------------------------------------------------------------ evaluation

    def evaluate(
        self,
        link_tariffs: np.ndarray,
        current: np.ndarray,
        health: np.ndarray | None = None,
        round_: int = 0,
        backdowns: np.ndarray | None = None,
    ) -> Payoffs:
        """Payoffs of the states ``current`` with the table's links set to ``link_tariffs``.

        Args:
            link_tariffs: tariffs of the links the table sets, (K, 3·|V|) as
                :meth:`offer_links` and :meth:`links` lay them out.
            current: the tariffs in force, (n+1, n+1, S).
            health: alliance health, (n, n) or (K, n, n), as for
                :meth:`PayoffModel.evaluate`.
            round_: the round, for the salience of bilateral balances.
            backdowns: threats each country has backed down from, (n,) or (K, n).

        Returns:
            The components, each (K, n), as :meth:`PayoffModel.evaluate` gives for
            the full tariff tensors (``trade`` is ``None``).
        """
        self._prepare(current)
        model, n, n_set = self.model, self.model.n, len(self.links_set)
        t = link_tariffs
        k = t.shape[0]
        # the terms per candidate, one column each (rows contiguous per term)
        terms = self._buffers.get(k)
        if terms is None:  # the last row stays 1: it picks up the constant column of rows
            terms = self._buffers[k] = np.empty((3 * n_set + 3 * len(self.markets) + 1, k))
            terms[-1] = 1.0
        links, markets = terms[: 3 * n_set], terms[3 * n_set : -1]
        # [w, w/(1+t), p̂*] per link of V (model.md E1-E2)
        np.log1p(t.T, out=links)  # t.T is contiguous when t comes from offer_links
        links *= self._slopes
        links += self._offsets
        np.exp(links, out=links)
        # ln D, D = Σ w per market (the fixed links' share precomputed) (E3)
        log_denom = np.add.reduceat(links[:n_set], self._market_starts, axis=0)
        log_denom += self._fixed_weight
        np.log(log_denom, out=log_denom)
        # [E/D, E, P̂^(−η)] = E0·D^((η−1)/ε − 1), E0·D^((η−1)/ε), D^(η/ε)  (E3-E4)
        np.multiply(log_denom[self._market3], self._market_powers, out=markets)
        markets += self._market_offsets
        np.exp(markets, out=markets)
        if model.world._log_consumer:
            markets[len(self.markets) : 2 * len(self.markets)] = log_denom
        # X = w/(1+t)·E/D, then t·X in the place of w (E4, E6)
        imports = links[n_set : 2 * n_set]
        imports *= markets[self._market_of_set]
        np.multiply(imports, t.T[:n_set], out=links[:n_set])
        raw = self._rows_t @ terms  # [econ | rents | balance] sums, USD bn, with the constant
        # -> [econ | politics | security] in % of GDP (P1, P3-P5), then P2 and P6
        out = (model.final_map(round_).T @ raw).T
        if backdowns is not None:
            audience = self._audience(backdowns)
            if audience is not None:
                out[:, n : 2 * n] -= audience
        if health is not None:
            out[:, 2 * n :] += model.alliance(health)
        return Payoffs(econ=out[:, :n], security=out[:, 2 * n :], politics=out[:, n : 2 * n])


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
