"""Country agents: each makes its own moves; the model holds the state and the rules.

A :class:`CountryAgent` proposes and responds at tables (through its strategy
kind, :mod:`negsim.negotiation.kinds`), signals, walks out, executes or withdraws
its threats, retaliates (how much and where), agrees to truces, watches the deals
it made and snaps them back when that pays (A7), and learns the others' private
types by Bayes' rule from what it sees (:mod:`beliefs`). The model calls these
methods through Mesa's AgentSet in the protocol's order (:meth:`NegotiationModel.step`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import mesa
import numpy as np

from negsim.negotiation import search, strategies
from negsim.negotiation.beliefs import TREMBLE, Beliefs, draw_type
from negsim.negotiation.coercion import DEPTHS, ThreatState, responses
from negsim.negotiation.commitments import put_purchases
from negsim.negotiation.demands import DemandPricing, tie
from negsim.negotiation.timing import ElectionTiming
from negsim.negotiation.wars import AttritionMoves
from negsim.negotiation.watching import DealWatching

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table
    from negsim.scenarios.schema import Strategy


class CountryAgent(DealWatching, DemandPricing, AttritionMoves, ElectionTiming, mesa.Agent):
    """A negotiating country.

    Attributes:
        code: the country code (``US``, ``JP``, ...).
        index: its position in the scenario's country list.
        strategy: its strategy parameters (scenario ``<C>.strategy``).
        kind: its strategy object (``<C>.strategy.kind`` in the registry).
        deadline: the round by which it wants a deal.
        resolve, margin: its private types, drawn from its priors (model.md B1); resolve
            from the prior updated on the answers seen before round 0 (B7).
        costs: its private cost of each demand made on it, by demand index (N11).
        compliance: its private compliance with each demand made on it (N14).
        beliefs: its beliefs about the others' types.
    """

    model: NegotiationModel

    def __init__(
        self, model: NegotiationModel, code: str, index: int, strategy: Strategy, kind: Any
    ) -> None:
        super().__init__(model)
        self.code = code
        self.index = index
        self.strategy = strategy
        self.kind = kind
        self.deadline = strategy.deadline or model.config.horizon
        self.resolve = draw_type(model.rng, *model.priors[index]["resolve"])  # B1, B7
        self.margin = draw_type(model.rng, strategy.margin.values, strategy.margin.weights)
        self.costs = {
            k: draw_type(model.rng, d.costs, d.weights)
            for k, d in enumerate(model.demands)
            if d.on == index
        }
        self.compliance = {  # its private compliance with each demand on it (N14)
            k: draw_type(model.rng, d.compliances, d.compliance_weights)
            if len(d.compliances) > 1
            else float(d.compliances[0])
            for k, d in enumerate(model.demands)
            if d.on == index
        }
        self.beliefs = Beliefs(index, model.priors)
        # committed to its first offer at a table (B8), drawn only where it may be
        self.committed = bool(strategy.commitment > 0 and model.rng.random() < strategy.commitment)
        self.considered: np.ndarray | None = None  # the candidates of its current offer
        self.walking_pays = True  # whether its outside option is its reserve (B6)

    # ------------------------------------------------------------------ tables

    def target(self, table: Table, reserve: float) -> float:
        """Current aspiration at a table (model.md N1), from the round talks opened."""
        best = max(table.best[self.index], reserve)
        elapsed = self.model.round - table.talks_from
        return strategies.aspiration(
            best, reserve, elapsed, self.deadline, self.strategy.concession
        )

    def candidates(
        self, table: Table, current: np.ndarray, bounds: tuple, count: int | None = None
    ) -> np.ndarray:
        """Sample ``count`` candidate packages for its next offer (model.md N2).

        ``count`` defaults to the strategy's ``candidates``; the first three rows are
        the last offers and the state in force.
        """
        own = table.last_offer.get(self.index, current)
        others = [
            table.last_offer[p] for p in table.parties if p != self.index and p in table.last_offer
        ]
        if len(others) > 1:
            other = np.mean(others, axis=0)
        else:  # one other party (the mean of one is itself) or none yet
            other = others[0] if others else current
        offers = strategies.sample_offers(
            self.model.rng,
            own,
            other,
            current,
            self.strategy.candidates if count is None else count,
            self.strategy.step,
            *bounds,
        )
        low, high = bounds
        if table.purchases:  # an amount committed drawn over its whole range (N15)
            put_purchases(self.model.rng, offers, table.purchases, low, high)
        if table.demands:  # a share is drawn over its whole range, then tariffs tied (N10, N12)
            for column in table.demands.values():
                offers[3:, column] = self.model.rng.uniform(
                    low[column], high[column], len(offers) - 3
                )
            self.tie_shares(table, offers, current)
        return offers

    def tie_shares(self, table: Table, offers: np.ndarray, current: np.ndarray) -> None:
        """Raise the tariffs tied to the shares of demands in ``offers``, in place (N12, N16)."""
        model = self.model
        mfn, imports = model.mfn_issues(table), model.issue_imports(table)
        tie(table, model.demands, offers, current, mfn, imports)

    def sampled_count(self) -> int:
        """How many of its candidates are sampled (N2); the rest are directed (N17)."""
        count = self.strategy.candidates
        if self.strategy.search == "directed" and count // 2 >= search.SMALLEST:
            return count // 2
        return count

    def directed(self, table: Table, offers, utilities, reserves, bounds, current):
        """Its directed candidates from the best of the sampled ones (N17), or None."""
        count = self.strategy.candidates - self.sampled_count()
        if count < 1:
            return None
        best, _ = self.pick(table, offers, utilities, reserves)
        responders = [p for p in table.parties if p != self.index]
        low, high = bounds
        extra = search.trade_offs(offers, utilities, self.index, responders, best, low, high, count)
        if extra is not None and table.demands:
            self.tie_shares(table, extra, current)
        return extra

    def weigh_offers(self, table: Table, screened: bool):
        """Its candidates for an offer at ``table`` and what each is worth (N2, N17, B6).

        Returns the candidates (K, n), every party's utility of them with its own
        private costs taken off (K, parties), the reserves (B6) and the outside options.
        """
        model = self.model
        current = model.issue_values(table)
        bounds = model.bounds(table, current)
        offers = self.candidates(table, current, bounds, self.sampled_count())
        payoffs = model.table_payoffs(table, offers, breakdown=True, screened=screened)
        utilities, outside = payoffs.total[:-1], payoffs.total[-1]
        reserves = self.reserves(table, outside)
        utilities[:, self.index] -= self.private_cost(table, offers)
        self.take_timing(table, utilities, payoffs.trade)  # B11, where a party weighs it
        extra = self.directed(table, offers, utilities, reserves, bounds, current)
        if extra is not None:
            extra_payoffs = model.table_payoffs(table, extra, screened=screened)
            more = extra_payoffs.total
            more[:, self.index] -= self.private_cost(table, extra)
            self.take_timing(table, more, extra_payoffs.trade)
            offers, utilities = np.concatenate([offers, extra]), np.concatenate([utilities, more])
        return offers, utilities, reserves, outside

    def pick(self, table: Table, offers, utilities, reserves) -> tuple[int, bool]:
        """Its strategy's choice among ``offers`` (kinds may read them, N11)."""
        self.considered = offers
        try:
            return self.choose(utilities, reserves, table)
        finally:
            self.considered = None

    def reserves(self, table: Table, outside: np.ndarray) -> np.ndarray:
        """Each party's reserve at ``table`` as it sees them (model.md B6), (n,).

        The outside option (N6, B4) unless talks freeze every pending threat between
        the parties (none pending, or all ``suspended``) and the scenario takes the
        inside option into account: then the better of walking away and talking on,
        the payoff of the state in force (Binmore, Rubinstein & Wolinsky 1986).
        """
        model = self.model
        if not model.config.protocol.inside_option:
            return outside
        if any(not threat.suspended for threat in model.pending(table)):
            return outside
        return np.maximum(outside, model.current_payoffs.total[0])

    def choose(self, utilities: np.ndarray, reserves: np.ndarray, table: Table) -> tuple[int, bool]:
        """Pick an offer among candidates' utilities (K, n) by its strategy."""
        return self.kind.choose(self, utilities, reserves, table)

    def accepts(self, utility: float, reserve: float, table: Table) -> bool:
        """Whether it accepts an offer worth ``utility`` against its outside option."""
        return bool(self.kind.accepts(self, utility, reserve, table))

    def propose(self, table: Table) -> None:
        """Make an offer at ``table`` (the model records it as the table's offer).

        Sampled candidates (N2) are screened, then, with ``search = "directed"``,
        the rest of the budget is laid along the trade-offs they reveal (N17); the
        strategy chooses among all of them.
        """
        model = self.model
        war = self.war(table)
        if war is not None and war.ready():  # a war of attrition (B8)
            self.propose_posture(table, war)
            return
        offers, utilities, reserves, outside = self.weigh_offers(table, model.screened)
        self.walking_pays = bool(outside[self.index] >= reserves[self.index] - 1e-9)
        choice, hopeful = self.pick(table, offers, utilities, reserves)
        table.stalled[self.index] = 0 if hopeful else table.stalled[self.index] + 1
        utility = utilities[choice]
        if model.screened:  # chosen on the screen; the offer made is solved exactly (E12)
            exact = model.table_payoffs(table, offers[choice : choice + 1])
            utility = exact.total[0] - self.timing_costs(table, exact.trade, 1)[0]
        # an offer worth less to the proposer than walking away is not on the table
        sincere = utility[self.index] >= reserves[self.index] - 1e-9
        model.put_offer(table, self.index, offers[choice], utility, reserves, sincere)
        self.lay_posture(table, offers[choice])

    def respond(self, table: Table) -> None:
        """Accept or reject the offer on the table."""
        offer = table.offer
        if offer is None or self.index == offer.proposer:
            return
        war = self.war(table)
        if war is not None and war.ready():  # a war of attrition (B8)
            offer.answers[self.index] = self.answer_in_war(table, war)
            return
        own = offer.utility[self.index] - self.private_cost(table, offer.package[None])[0]
        yes = offer.sincere and self.accepts(own, offer.reserve[self.index], table)
        offer.answers[self.index] = yes

    def learn_from_answers(self, table: Table) -> None:
        """Update its beliefs about the responders' margins from their answers (B2)."""
        offer = table.offer
        if offer is None or not offer.sincere:
            return
        war = self.war(table)
        if war is not None and war.ready():  # a rejected posture: a chance passed (B10)
            for p, yes in offer.answers.items():
                if p != self.index and not yes:
                    self.saw_no_concession(war, p)
            return
        self.considered = offer.package[None]
        for p, yes in offer.answers.items():
            if p == self.index:
                continue
            belief = self.beliefs.of(p, "margin")
            worth, weights = self.belief_utilities(table, offer.utility[None], p)
            if len(weights) == 1:
                would = worth[0, 0] >= offer.reserve[p] + belief.values - strategies.TOLERANCE
                belief.update(would if yes else ~would)
                continue
            # margin and cost jointly (B5): each marginal by the likelihood summed over the other
            would = (
                worth[0][None, :]
                >= offer.reserve[p] + belief.values[:, None] - strategies.TOLERANCE
            )
            likelihood = np.where(would == yes, 1.0 - TREMBLE, TREMBLE)
            cost = self.beliefs.of(p, self._cost_belief(table, p))
            margin_weights = belief.weights * (likelihood @ cost.weights)
            cost.weights = _normal(cost.weights * (belief.weights @ likelihood), cost.weights)
            belief.weights = _normal(margin_weights, belief.weights)
        self.considered = None

    def _cost_belief(self, table: Table, other: int) -> str:
        """The belief name of the first demand on ``other`` at ``table``."""
        for k in table.demands:
            if self.model.demands[k].on == other:
                return self.model.demands[k].belief_name
        raise KeyError(other)

    def signal(self, table: Table) -> None:
        """Having rejected, signal weaker commitment to a reliant proposer (model.md N8)."""
        offer = table.offer
        if offer is None or offer.answers.get(self.index, True):
            return
        partner = offer.proposer
        cut = self.strategy.signal * self.model.payoffs.reliance[partner, self.index]
        if cut > 0:
            self.model.cut_health(self.index, partner, cut)

    def walks_out(self, table: Table) -> bool:
        """Walk out after two rounds with no package it expects the others to accept.

        Only if walking away is worth at least talking on to it (B6): a walk-out that
        leaves it worse off than the state in force is not a credible move.
        """
        return table.stalled[self.index] >= 2 and self.walking_pays

    # ------------------------------------------------------------------ coercion

    def execution_values(
        self,
        threat: ThreatState,
        tariffs: np.ndarray | None = None,
        health: np.ndarray | None = None,
    ) -> np.ndarray:
        """Its expected payoff from executing ``threat`` to each depth (N7), resolve excluded.

        One step of look-ahead: for every resolve type its belief allows the target,
        the target's best reply, weighted by the belief. From the state in force, or
        from ``tariffs`` and ``health`` if given (a state it weighs moving to, A7).
        """
        belief = self.beliefs.of(threat.on, "resolve")
        values = []
        for depth in DEPTHS:
            if tariffs is None:
                reply = self.model.responses(threat, depth)
            else:
                at = self.model.health if health is None else health
                reply = responses(self.model, threat, depth, tariffs, at)
            chosen = reply.best_of(threat.on, belief.values)
            values.append(float(belief.weights @ reply.utility[chosen, self.index]))
        return np.array(values)

    def act_on_threats(self) -> None:
        """Execute each of its due threats (to the best depth) or withdraw it (N7)."""
        for threat in self.model.due_threats(self.index):
            values = self.execution_values(threat)
            stay = (
                self.model.current_total(self.index) - self.model.payoffs.audience_cost[self.index]
            )
            best = int(np.argmax(values))
            executes = values[best] + self.resolve >= stay
            self.model.observe_decision(threat, values, stay, executes)
            if executes:
                self.model.execute(threat, DEPTHS[best])
            else:
                self.model.back_down(threat)

    def answer_coercion(self) -> None:
        """Retaliate against each threat executed on it this round, as its payoff says (N5)."""
        for threat in self.model.executed_now(self.index):
            reply = self.model.responses(threat, threat.depth, executed=True)
            option = reply.best(self.index, self.resolve)
            self.model.retaliate(threat, reply, option)

    def truce_vote(self, threat: ThreatState) -> bool:
        """Whether it would agree to postpone ``threat`` at a summit (model.md C3, C4).

        It compares its value of the execution (the coercer: executing to the best depth;
        the target: suffering it with its best reply) with the better of the state in
        force and the talks the truce leaves time for, discounted (C4).
        """
        now = self.model.current_total(self.index)
        if self.index == threat.by:
            executed = float(self.execution_values(threat).max()) + self.resolve
        else:
            reply = self.model.responses(threat, 1.0)
            option = reply.best(self.index, self.resolve)
            executed = reply.utility[option, self.index] + self.resolve * reply.coverage[option]
        talks = self.strategy.discount * self.truce_prospect(threat)
        return max(now, talks) >= executed

    def truce_prospect(self, threat: ThreatState) -> float:
        """Its expected value of talks at the open table of the threat's pair (C4).

        The value of its best offer under its beliefs (B3: accepted with the belief's
        chance, else its outside option, discounted); ``-inf`` with no open table or a
        strategy kind without a ``prospect``.
        """
        model = self.model
        prospect = getattr(self.kind, "prospect", None)
        tables = [t for t in model.tables if t.open and t.involves(threat.by, threat.on)]
        if prospect is None or not tables:
            return -np.inf
        table = tables[0]
        current = model.issue_values(table)
        offers = self.candidates(table, current, model.bounds(table, current))
        payoffs = model.table_payoffs(table, offers, breakdown=True)
        utilities = payoffs.total[:-1]
        reserves = self.reserves(table, payoffs.total[-1])  # B6
        utilities[:, self.index] -= self.private_cost(table, offers)
        self.take_timing(table, utilities, payoffs.trade)  # B11
        self.considered = offers
        value = prospect(self, utilities, reserves, table)
        self.considered = None
        return float(value)

    def retaliates(self, coercer: int) -> bool:
        """Whether it would retaliate against the first scenario threat ``coercer`` makes on it."""
        for threat in self.model.threats:
            if threat.by == coercer and threat.on == self.index:
                reply = self.model.responses(threat, 1.0)
                return reply.best(self.index, self.resolve) > 0
        return False


def _normal(weights: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """``weights`` scaled to sum to 1 (``fallback`` when they sum to 0)."""
    total = weights.sum()
    return weights / total if total > 0 else fallback
