"""Payoffs of many offers at one table, solved as one batch on the state in force.

This module knows nothing of Mesa, files or the command line.
"""

from __future__ import annotations

import numpy as np

from negsim.economy import Equilibrium, kernel, lanes
from negsim.economy.linear import (
    SCREEN_STEPS,
    Linearisation,
    append_rows,
    linearise,
    solve_offers,
)
from negsim.payoffs.model import PayoffModel, Payoffs

MEMO_ROWS = 16  # batches up to this size are remembered by their tariffs (exactly the same)
MEMO_SIZE = 64  # remembered batches per table evaluator
STATES_KEPT = 4  # states in force whose start and linearisation each evaluator keeps
LARGE_PRICES = 100  # above this many factor prices (a chord of 10^4 numbers) it keeps one


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
        m = world.baseline.m
        self._diagonal = np.ravel_multi_index(np.diag_indices(m), shape[:2]) * shape[2]
        self._diagonal = (self._diagonal[:, None] + np.arange(shape[2])).reshape(-1)
        # per state in force (by its tariffs' bytes): the Newton start and the prepared
        # terms of its links, and its linearisation; a few kept, as tables alternate, and
        # the start of a run (every run of the scenario begins there) kept apart
        prices = world.baseline.m * world.n_sectors
        self._kept = STATES_KEPT if prices <= LARGE_PRICES else 1  # memory of large worlds
        self._start_key = np.ascontiguousarray(world.base_tariffs, dtype=float).tobytes()
        self._starts: dict[bytes, tuple[np.ndarray, tuple]] = {}
        self._linears: dict[bytes, Linearisation] = {}
        self._memo: dict[bytes, Equilibrium] = {}
        self._exact_memo: dict[bytes, Equilibrium] = {}

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
        """Whether ``tariffs`` differ from ``current`` only on entries the table sets.

        ``tariffs``: one state (n+1, n+1, S) or a batch (K, n+1, n+1, S) (all of it).
        """
        changed = tariffs.reshape(-1, current.size) != current.reshape(-1)
        return not (changed & self._outside).any()

    # ------------------------------------------------------------------ evaluation

    def states(self, link_tariffs: np.ndarray, current: np.ndarray) -> np.ndarray:
        """Full tariff states (K, n+1, n+1, S): ``current`` with the table's entries set.

        A fresh float batch with zero diagonal (domestic sales pay no tariff), as the
        solver cleans its input: it is solved as it is.
        """
        k = link_tariffs.shape[0]
        flat = np.asarray(current, dtype=float).reshape(-1)
        values = np.asarray(link_tariffs, dtype=float)
        return lanes.lay(flat, self.entries_set, values, self._diagonal).reshape(k, *current.shape)

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
        """The equilibria behind :meth:`evaluate` (exact, or screened rows first).

        With a linearisation the rows are independent (each starts from its linearised
        prices with the state in force's chord), so the exact rows after the screened
        ones are solved apart and remembered by their tariffs: the same numbers.
        """
        k = len(link_tariffs)
        if screened is None or not 0 < screened < k:
            return self._solve_rows(link_tariffs, current, screened, steps)
        head = self._solve_rows(link_tariffs[:screened], current, screened, steps)
        rest = link_tariffs[screened:]
        key = b"|".join([current.tobytes(), rest.tobytes()])
        exact = self._exact_memo.get(key)
        if exact is None:
            exact = self._exact_memo[key] = self._solve_rows(rest, current, 0, steps)
            if len(self._exact_memo) > MEMO_SIZE:
                self._exact_memo.pop(next(iter(self._exact_memo)))
        return append_rows(head, exact)

    def _solve_rows(
        self, link_tariffs: np.ndarray, current: np.ndarray, screened: int | None, steps: int
    ) -> Equilibrium:
        price, reference = self._prepared(current)
        lin = None if screened is None else self.linearisation(current)
        states = self.states(link_tariffs, current)
        baseline = self.model.world.baseline
        values = np.ascontiguousarray(link_tariffs, dtype=float)
        return solve_offers(
            baseline, reference, self.entries_set, states, price, lin, screened, steps, values, True
        )

    def _prepared(self, current: np.ndarray) -> tuple[np.ndarray, tuple]:
        """The state in force's log factor prices and its links' prepared terms."""
        key = current.tobytes()
        found = self._starts.get(key)
        if found is None:
            price = np.log(self.model.world.solve(current).price[0])
            b = self.model.world.baseline
            clean = np.array(current, dtype=float)[None]
            clean[:, np.arange(b.m), np.arange(b.m)] = 0.0  # domestic sales pay none
            prepared = kernel.prepare(clean, b.tariffs, b.share, b.elasticity)
            reference = tuple(np.ascontiguousarray(a[0]) for a in prepared)
            found = self._starts[key] = (price, reference)
            self._evict(self._starts)
        return found

    def _evict(self, cache: dict) -> None:
        """Drop the oldest state in force beyond those kept; the run's start stays."""
        if len(cache) > self._kept + (self._start_key in cache):
            cache.pop(next(key for key in cache if key != self._start_key))

    def start(self, current: np.ndarray) -> np.ndarray:
        """Log factor prices of the state in force: the Newton start of its offers (E6)."""
        return self._prepared(current)[0]

    def linearisation(self, current: np.ndarray) -> Linearisation:
        """The economy linearised at the state in force on the table's entries (E11)."""
        key = current.tobytes()
        lin = self._linears.get(key)
        if lin is None:
            price = self.start(current)
            baseline = self.model.world.baseline
            lin = self._linears[key] = linearise(baseline, current, self.entries_set, price=price)
            self._evict(self._linears)
        return lin
