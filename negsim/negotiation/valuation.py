"""What offers and the breakdown of talks are worth to each party (model.md N2, N6).

:class:`Valuation` evaluates offers at a table with the alliance health an
agreement brings, and the breakdown state (the outside option): pending threats
between the parties executed, the target replying as the coercer expects.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from negsim.economy.linear import SCREEN_STEPS
from negsim.negotiation.demands import demander_values
from negsim.negotiation.protocols import Table
from negsim.payoffs import Payoffs, TableEvaluator

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel

BEST_FEW = 4  # screened packages solved exactly for a party's best hoped-for utility (E12)


class Valuation:
    """Payoffs of offers and of breakdowns for one model."""

    def __init__(self, model: NegotiationModel) -> None:
        self.model = model
        self._pair_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def best_hopes(self, table: Table) -> list[float]:
        """Each party's best hoped-for utility at ``table``: the best of its own sample.

        The samples are screened at the linearised prices (E11) and their best few
        solved exactly in one batch (E12); each party's private cost of demands on it
        is subtracted (N11).
        """
        model = self.model
        current = model.issue_values(table)
        bounds = model.bounds(table, current)
        agents = [model.country_agents[p] for p in table.parties]
        samples = [agent.candidates(table, current, bounds) for agent in agents]
        packages = np.vstack(samples)
        utilities = self.table_payoffs(table, packages, screened=model.screened, steps=0).total
        starts = np.cumsum([0, *[len(sample) for sample in samples]])
        rows = [np.arange(a, z) for a, z in itertools.pairwise(starts)]
        owns = self._own_net(table, packages, rows, _own_columns(utilities, starts, table.parties))
        if model.screened:  # the best few of the screen, solved exactly in one batch (E12)
            best = [np.argsort(-own, kind="stable")[:BEST_FEW] for own in owns]
            rows = [r[b] for r, b in zip(rows, best, strict=True)]
            exact = self.table_payoffs(table, packages[np.concatenate(rows)]).total
            owns = _own_columns(exact, np.cumsum([0, *map(len, rows)]), table.parties)
            owns = self._own_net(table, packages, rows, owns)
        return [float(own.max()) for own in owns]

    def _own_net(self, table: Table, packages: np.ndarray, rows: list, owns: list) -> list:
        """Each party's own utilities of its rows, less its private cost of demands (N11)."""
        agents = [self.model.country_agents[p] for p in table.parties]
        return [
            own - agent.private_cost(table, packages[r])
            for agent, r, own in zip(agents, rows, owns, strict=True)
        ]

    def evaluator(self, table: Table) -> TableEvaluator:
        """The table's restricted payoff evaluator, shared by models of one scenario."""
        model = self.model
        evaluator = model.evaluators.get(table.name)
        if evaluator is None:
            evaluator = model.evaluators[table.name] = TableEvaluator(
                model.payoffs, table.importer, table.exporter, table.sector, table.issue_of_target
            )
        return evaluator

    def pairs(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Ordered pairs (a, b), a != b, of the table's parties, as index arrays."""
        pairs = self._pair_cache.get(table.name)
        if pairs is None:
            parties = np.array(table.parties)
            a = np.repeat(parties, len(parties))
            b = np.tile(parties, len(parties))
            off = a != b
            pairs = self._pair_cache[table.name] = (a[off], b[off])
        return pairs

    def agreed_health(self, table: Table) -> np.ndarray:
        """Alliance health if the table agreed now."""
        model = self.model
        health = model.health.copy()
        a, b = self.pairs(table)
        health[a, b] = np.minimum(1.0, health[a, b] + model.diplomacy.agreement_boost)
        return health

    def breakdown_state(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Tariffs and health if the table broke down now (the outside option, model.md N6).

        Pending threats between the parties are executed in full and each target
        replies as the coercer's belief expects (its best reply at the mean resolve).
        """
        model = self.model
        tariffs = model.tariffs.copy()
        health = model.health.copy()
        a, b = self.pairs(table)
        health[a, b] -= model.diplomacy.breakdown_damage
        for threat in model.pending(table):
            reply = model.responses(threat, 1.0)
            expected = model.country_agents[threat.by].beliefs.of(threat.on, "resolve").mean
            option = reply.best(threat.on, expected)
            np.maximum(tariffs, reply.tariffs[option], out=tariffs)
            health -= model.health - reply.health[option]
        np.clip(health, 0.0, 1.0, out=health)
        return tariffs, health

    def table_payoffs(
        self,
        table: Table,
        offers: np.ndarray,
        breakdown: bool = False,
        screened: bool = False,
        steps: int = SCREEN_STEPS,
    ) -> Payoffs:
        """Payoffs of offers put in force with the health an agreement brings.

        With ``breakdown=True`` a last row is added: each party's outside option, its
        expected payoff if talks broke down now (N6). With threats pending between the
        parties it mixes the breakdown with the threats executed and the breakdown
        with them withdrawn, by each party's chance that the coercer executes (B4).
        Only the markets the table's tariffs touch are computed per offer
        (:class:`TableEvaluator`) when the breakdown stays on the table's links.
        With ``screened=True`` the offers' rows are screened on the economy linearised
        at the state in force (model.md E11-E12) with ``steps`` chord steps; the
        breakdown rows are always exact.
        """
        model = self.model
        offers = table.effective(offers)  # committed purchases through exclusions (A6)
        evaluator = self.evaluator(table)
        health = self.agreed_health(table)
        alliance = model.payoffs.alliance
        round_, backdowns = model.round, model.backdowns
        # with the model's screening, exact rows start from the linearised prices (E11)
        k = (len(offers) if screened else 0) if model.screened else None
        if not breakdown:
            payoffs = evaluator.evaluate(
                evaluator.with_states(offers),
                model.tariffs,
                round_=round_,
                backdowns=backdowns,
                screened=k,
                steps=steps,
            )
            payoffs.security += alliance(health)
            self._add_demands(table, offers, payoffs)
            return payoffs
        pending = model.pending(table)
        broken = [self.breakdown_state(table)]
        if pending:
            broken.append((model.tariffs, self._broken_health(table)))
        states = [t for t, _ in broken]
        if all(evaluator.covers(t, model.tariffs) for t in states):
            payoffs = evaluator.evaluate(
                evaluator.with_states(offers, *states),
                model.tariffs,
                round_=round_,
                backdowns=backdowns,
                screened=k,
                steps=steps,
            )
            k = len(offers)
            payoffs.security[:k] += alliance(health)
            for row, (_, broken_health) in enumerate(broken):
                payoffs.security[k + row] += alliance(broken_health)
        else:  # a breakdown that moves tariffs off the table: evaluate full tensors
            full = np.concatenate([table.apply(offers, model.tariffs), np.stack(states)])
            healths = np.concatenate(
                [np.repeat(health[None], len(offers), axis=0), np.stack([h for _, h in broken])]
            )
            payoffs = model.payoffs.evaluate(
                full, health=healths, round_=round_, backdowns=backdowns
            )
        self._add_demands(table, offers, payoffs)
        if not pending:
            return payoffs
        for threat in pending:  # withdrawn: the coercer pays its audience cost
            payoffs.politics[-1, threat.by] -= model.payoffs.audience_cost[threat.by]
        chance = self.execution_chances(table, pending)
        mixed = [
            np.concatenate([part[:-2], (chance * part[-2] + (1 - chance) * part[-1])[None]])
            for part in (payoffs.econ, payoffs.security, payoffs.politics)
        ]
        return Payoffs(econ=mixed[0], security=mixed[1], politics=mixed[2], trade=payoffs.trade)

    def _add_demands(self, table: Table, offers: np.ndarray, payoffs: Payoffs) -> None:
        """Add the demanders' values of the offers' shares to their politics (N10).

        The target's cost is private (N11): each country prices its own
        (:meth:`CountryAgent.private_cost`) and the others' by their beliefs.
        """
        if table.demands:
            model = self.model
            expected = [  # a promise is worth the compliance the demander expects (N14)
                model.country_agents[d.by].beliefs.of(d.on, d.compliance_name).mean
                for d in model.demands
            ]
            extra = demander_values(table, model.demands, offers, len(model.codes), expected)
            payoffs.politics[: len(offers)] += extra

    def _broken_health(self, table: Table) -> np.ndarray:
        health = self.model.health.copy()
        a, b = self.pairs(table)
        health[a, b] -= self.model.diplomacy.breakdown_damage
        return np.clip(health, 0.0, 1.0)

    def execution_chances(self, table: Table, pending: list) -> np.ndarray:
        """Each country's chance that the pending threats would be executed (B4), (n,).

        The coercer knows its own resolve; every other country weighs the resolve
        types its belief allows by whether a coercer of that type would execute (N7).
        A party's chance is the mean over the pending threats.
        """
        model = self.model
        n = len(model.codes)
        chance = np.zeros(n)
        for threat in pending:
            coercer = model.country_agents[threat.by]
            best = float(coercer.execution_values(threat).max())
            stay = model.current_total(threat.by) - model.payoffs.audience_cost[threat.by]
            for agent in model.country_agents:
                if agent.index == threat.by:
                    chance[agent.index] += float(best + coercer.resolve >= stay)
                else:
                    belief = agent.beliefs.of(threat.by, "resolve")
                    chance[agent.index] += float(belief.weights @ (best + belief.values >= stay))
        return chance / len(pending)


def _own_columns(utilities: np.ndarray, starts: np.ndarray, parties: list[int]) -> list:
    """Each party's own utility over its block of rows (blocks begin at ``starts``)."""
    return [utilities[starts[k] : starts[k + 1], p] for k, p in enumerate(parties)]
