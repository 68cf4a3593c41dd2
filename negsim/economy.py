"""Trade flows, their response to tariffs, and economic welfare, as numpy arrays.

The world has ``n`` negotiating countries plus the rest of the world (ROW, last),
and ``S`` sectors. Arrays indexed by country pairs are importer-major:
``tariffs[j, i, s]`` is the tariff importer ``j`` charges on exporter ``i`` in
sector ``s`` and ``imports[j, i, s]`` the value (at exporters' prices, USD bn) of
what ``j`` buys from ``i``. A batch of ``K`` tariff states has a leading axis.

Internally the arithmetic runs over *links*, the (importer, exporter, sector)
triples that carry trade, so that the hot path touches only numbers that matter.
Every formula is written out, with its source, in ``docs/model.md#economy``.

This module knows nothing of Mesa, files or the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from negsim.scenarios import Scenario

ROW = "ROW"


@dataclass
class TradeState:
    """Trade in a batch of ``K`` tariff states, per link and per market.

    Attributes:
        tariffs: the link tariffs, shape (K, L).
        imports: value of each link's trade at exporters' prices, (K, L), USD bn.
        price_index: importers' price index P̂ relative to the start, (K, markets).
        exporter_price: exporters' received price p̂* relative to the start, (K, L).
        spending: importers' spending E at buyers' prices per market, (K, markets).
        weight: each link's CES weight w = λ0·τ̂^(−εφ) (model.md E2), (K, L).
    """

    world: World
    tariffs: np.ndarray
    imports: np.ndarray
    price_index: np.ndarray
    exporter_price: np.ndarray
    spending: np.ndarray
    weight: np.ndarray | None = None

    @property
    def consumer(self) -> np.ndarray:
        """Change in consumer surplus per market, (K, markets), USD bn (model.md E5)."""
        w = self.world
        if w._log_consumer:
            return -w.base_spending * np.log(self.price_index)
        return (self.spending - w.base_spending) * w._consumer_factor

    @property
    def revenue(self) -> np.ndarray:
        """Change in tariff revenue per market, (K, markets), USD bn (model.md E6)."""
        return (self.tariffs * self.imports) @ self.world.market_of - self.world.base_revenue

    @property
    def producer(self) -> np.ndarray:
        """Change in exporters' surplus per link, (K, L), USD bn (model.md E7)."""
        w = self.world
        return (
            self.imports * w.link_margin
            + w.base_link_imports * self.exporter_price
            - (w._producer_offset)
        )


@dataclass
class World:
    """The calibrated world: baseline trade, tariffs, GDP and economic parameters.

    Build one with :meth:`World.from_scenario` (or from arrays for tests).

    Attributes:
        codes: country codes, negotiating countries first, ``ROW`` last.
        sectors: sector names.
        gdp: GDP of the negotiating countries, USD bn, shape (n,).
        base_imports: baseline imports[j, i, s] at exporters' prices, USD bn.
        base_tariffs: baseline tariffs[j, i, s], fractions.
        pass_through: share of importer j's tariffs borne by its buyers, shape (n+1,).
        margin: exporters' rent per USD of sales, shape (S,).
        elasticity: trade elasticity ε.
        import_demand_elasticity: aggregate import-demand elasticity η.
    """

    codes: list[str]
    sectors: list[str]
    gdp: np.ndarray
    base_imports: np.ndarray
    base_tariffs: np.ndarray
    pass_through: np.ndarray
    margin: np.ndarray
    elasticity: float = 4.0
    import_demand_elasticity: float = 1.5
    links: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Index the links and markets once and precompute the baseline."""
        m, _, s = self.base_imports.shape
        n = m - 1
        importer, exporter, sector = np.nonzero(self.base_imports[:n] > 0)
        self.links = np.stack([importer, exporter, sector], axis=1)
        self.link_flat = np.ravel_multi_index((importer, exporter, sector), (m, m, s))
        market = importer * s + sector  # market (j, s) as a flat index over n*s
        self.link_market = market
        n_links, n_markets = len(importer), n * s
        # position of each tariff entry among the links (-1: no trade, not a link)
        self.link_of_entry = np.full(m * m * s, -1)
        self.link_of_entry[self.link_flat] = np.arange(n_links)
        self.market_of = np.zeros((n_links, n_markets))  # link -> its market
        self.market_of[np.arange(n_links), market] = 1.0
        # country aggregation: markets -> importer, links -> exporter (negotiators only)
        self.market_country = np.zeros((n_markets, n))
        self.market_country[np.arange(n_markets), np.arange(n_markets) // s] = 1.0
        self.link_exporter = np.zeros((n_links, n))
        own = exporter < n
        self.link_exporter[np.arange(n_links)[own], exporter[own]] = 1.0
        self.link_exporter_sector = np.zeros((n_links, n * s))
        self.link_exporter_sector[np.arange(n_links)[own], exporter[own] * s + sector[own]] = 1.0
        # bilateral balance with negotiating partners: +exports, -imports
        partner = exporter < n
        self.link_balance = np.zeros((n_links, n))
        self.link_balance[np.arange(n_links)[partner], exporter[partner]] += 1.0
        self.link_balance[np.arange(n_links)[partner], importer[partner]] -= 1.0

        self.base_link_imports = self.base_imports.reshape(-1)[self.link_flat]
        self.base_link_tariffs = self.base_tariffs.reshape(-1)[self.link_flat]
        self.log_base_tariff = np.log1p(self.base_link_tariffs)
        self.link_pass_through = self.pass_through[importer]
        self.link_margin = self.margin[sector]
        # value at buyers' prices, its shares λ0 within each market and the market total E0
        spending = self.base_link_imports * (1.0 + self.base_link_tariffs)
        self.base_spending = spending @ self.market_of  # E0, (markets,)
        self.base_share = spending / self.base_spending[market]  # λ0, (L,)
        self.base_revenue = (self.base_link_tariffs * self.base_link_imports) @ self.market_of
        self.n, self.n_sectors = n, s
        # constants of the hot path (docs/model.md#economy)
        eps, eta = self.elasticity, self.import_demand_elasticity
        self._share_slope = -eps * self.link_pass_through
        self._price_slope = self.link_pass_through - 1.0
        with np.errstate(divide="ignore"):
            self._log_base_share = np.log(self.base_share)
        self._index_power = -1.0 / eps
        self._spending_power = 1.0 - eta
        self._log_consumer = abs(1.0 - eta) < 1e-9
        self._consumer_factor = 0.0 if self._log_consumer else -1.0 / (1.0 - eta)
        self._producer_offset = self.base_link_imports * (1.0 + self.link_margin)

    # ------------------------------------------------------------------ building

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> World:
        """Build the world arrays of a validated scenario."""
        codes = scenario.codes
        sectors = scenario.sectors
        index = {c: k for k, c in enumerate(codes)}
        sector_index = {s: k for k, s in enumerate(sectors)}
        m, s = len(codes), len(sectors)
        imports = np.zeros((m, m, s))
        tariffs = np.zeros((m, m, s))
        for code, country in scenario.nations.items():
            for partner, by_sector in country.exports.items():
                for sector, value in by_sector.items():
                    imports[index[partner], index[code], sector_index[sector]] = value
            for partner, by_sector in country.tariffs.items():
                for sector, value in by_sector.items():
                    tariffs[index[code], index[partner], sector_index[sector]] = value
        for partner, by_sector in scenario.row.exports.items():
            for sector, value in by_sector.items():
                imports[index[partner], index[ROW], sector_index[sector]] = value
        pass_through = np.ones(m)
        for code, value in scenario.economy.pass_through.items():
            pass_through[index[code]] = value
        margin = np.array([scenario.economy.margin.get(sec, 0.1) for sec in sectors])
        gdp = np.array([scenario.nations[c].gdp for c in scenario.countries])
        return cls(
            codes=codes,
            sectors=sectors,
            gdp=gdp,
            base_imports=imports,
            base_tariffs=tariffs,
            pass_through=pass_through,
            margin=margin,
            elasticity=scenario.economy.elasticity,
            import_demand_elasticity=scenario.economy.import_demand_elasticity,
        )

    # ------------------------------------------------------------------ evaluation

    def link_tariffs(self, tariffs: np.ndarray) -> np.ndarray:
        """Gather the link tariffs, shape (K, L), from full tensors (K, n+1, n+1, S)."""
        tariffs = np.asarray(tariffs, dtype=float)
        flat = tariffs.reshape(*tariffs.shape[:-3], -1)
        return flat[..., self.link_flat]

    def evaluate(self, link_tariffs: np.ndarray) -> TradeState:
        """Trade and welfare changes for a batch of link tariff vectors (K, L).

        CES (Armington) supplier shares, the import price index and aggregate
        import demand, with incomplete pass-through; see docs/model.md#economy.
        """
        t = link_tariffs if link_tariffs.ndim == 2 else np.atleast_2d(link_tariffs)
        log_gross = np.log1p(t)
        # log τ̂, τ̂ = (1 + t) / (1 + t0)                                     (model.md E1)
        log_tau = log_gross - self.log_base_tariff
        # buyers pay τ̂^φ: CES weight λ0 τ̂^(-εφ); exporters get τ̂^(φ-1)      (model.md E2)
        weight = np.exp(log_tau * self._share_slope + self._log_base_share)
        exporter_price = np.exp(log_tau * self._price_slope)
        # D = Σ_k λ0 τ̂^(-εφ) per market; P̂ = D^(-1/ε)                         (model.md E3)
        denom = weight @ self.market_of
        price_index = denom**self._index_power
        # spending E = E0 P̂^(1-η); supplier value λ E = weight · E / D        (model.md E4)
        spending = self.base_spending * price_index**self._spending_power
        imports = (weight / (1.0 + t)) * ((spending / denom) @ self.market_of.T)
        return TradeState(self, t, imports, price_index, exporter_price, spending, weight)

    def welfare(self, state: TradeState) -> np.ndarray:
        """Economic welfare change of each negotiating country, USD bn, shape (K, n).

        ``W_j = Σ_s (ΔCS + ΔR)[j, s] + Σ ΔPS`` over the links j exports (model.md E8).
        """
        return (state.consumer + state.revenue) @ self.market_country + (
            state.producer @ self.link_exporter
        )

    # ------------------------------------------------------------------ user views

    def trade(self, tariffs: np.ndarray) -> np.ndarray:
        """Imports[.., j, i, s] (USD bn at exporters' prices) under full tariff tensors."""
        tariffs = np.asarray(tariffs, dtype=float)
        batch = tariffs.shape[:-3]
        state = self.evaluate(self.link_tariffs(tariffs).reshape(-1, len(self.link_flat)))
        out = np.zeros((state.imports.shape[0], self.base_imports.size))
        out[:, self.link_flat] = state.imports
        return out.reshape(*batch, *self.base_imports.shape)

    def exports(self, tariffs: np.ndarray) -> np.ndarray:
        """Exports[.., i, j, s] (exporter-major) under full tariff tensors."""
        return np.swapaxes(self.trade(tariffs), -3, -2)

    def balances(self, tariffs: np.ndarray) -> np.ndarray:
        """Goods balance[.., i, j] of i with j, USD bn (negative: i runs a deficit)."""
        exports = self.exports(tariffs).sum(axis=-1)
        return exports - np.swapaxes(exports, -1, -2)

    def network(self, tariffs: np.ndarray | None = None) -> nx.DiGraph:
        """The trade network as a DiGraph: nodes are countries, edges exporter -> importer.

        Edge data: ``exports`` (dict sector -> USD bn), ``tariffs`` (dict sector ->
        fraction charged by the importer), ``total`` (USD bn).
        """
        tariffs = self.base_tariffs if tariffs is None else np.asarray(tariffs)
        flows = self.trade(tariffs)
        graph = nx.DiGraph()
        for k, code in enumerate(self.codes):
            graph.add_node(code, gdp=float(self.gdp[k]) if k < self.n else None)
        for j, i, s in self.links:
            exporter, importer = self.codes[i], self.codes[j]
            if not graph.has_edge(exporter, importer):
                graph.add_edge(exporter, importer, exports={}, tariffs={}, total=0.0)
            edge = graph.edges[exporter, importer]
            edge["exports"][self.sectors[s]] = float(flows[j, i, s])
            edge["tariffs"][self.sectors[s]] = float(tariffs[j, i, s])
            edge["total"] += float(flows[j, i, s])
        return graph


def best_response(
    world: World, tariffs: np.ndarray, importer: int, grid: np.ndarray | None = None
) -> np.ndarray:
    """Importer's welfare-maximising MFN tariff per sector, others' tariffs given.

    Each sector's market is searched over ``grid`` (default 0 to 200% by 0.5 points)
    with the same tariff on every foreign supplier. Markets are separable, so the
    search is sector by sector. Used for trade-war benchmarks (Ossa 2014).

    Returns:
        A copy of ``tariffs`` (n+1, n+1, S) with the importer's row replaced.
    """
    grid = np.arange(0.0, 2.0001, 0.005) if grid is None else np.asarray(grid)
    result = np.array(tariffs, dtype=float, copy=True)
    for s in range(world.n_sectors):
        batch = np.repeat(result[None], len(grid), axis=0)
        batch[:, importer, :, s] = grid[:, None]
        batch[:, importer, importer, s] = 0.0
        state = world.evaluate(world.link_tariffs(batch))
        welfare = world.welfare(state)[:, importer]
        result[importer, :, s] = grid[int(np.argmax(welfare))]
        result[importer, importer, s] = 0.0
    return result


def trade_war(world: World, tariffs: np.ndarray | None = None) -> np.ndarray:
    """Tariffs when every negotiating country plays its unilateral best response.

    In this partial-equilibrium economy a country's own markets are separable from
    its exports, so best responses do not depend on the others' tariffs and one
    pass reaches the Nash equilibrium.
    """
    result = np.array(world.base_tariffs if tariffs is None else tariffs, dtype=float)
    for importer in range(world.n):
        result = best_response(world, result, importer)
    return result
