"""Threats, their execution and the target's retaliation options (model.md N5-N7).

A threat's coercer decides at the deadline whether to execute it (and how far)
or withdraw it; the target then chooses whether to retaliate, how much and on
which sectors. Both choices are made by expected payoff: the coercer looks one
step ahead at the target's best reply for every type its belief allows
(:class:`Responses`), so a target believed resolute and able to hit back deters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel

DEPTHS = (0.5, 1.0)  # how far a threat may be carried out: share of the way to its level [E]
LEVEL_STEP = (
    0.5  # retaliatory rises offered: multiples 0.5, 1, ... of the coercer's, to capacity [E]
)


@dataclass
class ThreatState:
    """A threat and its fate: ``pending``, ``executed``, ``withdrawn`` or ``backed_down``."""

    name: str
    by: int
    on: int
    sectors: np.ndarray
    level: float
    deadline: int
    suspended: bool
    status: str = "pending"
    depth: float = 0.0
    executed_round: int | None = None
    before: tuple = ()


@dataclass
class Responses:
    """The target's options after an execution: none, or the ``k`` best sectors at a rise.

    Options are none, then for each retaliatory rise allowed by the target's capacity
    (N13) the ``k`` best sectors, k = 1..S.

    Attributes:
        tariffs: tariff state after each option, (O, n+1, n+1, S); option 0 is none.
        health: alliance health after each option, (O, n, n).
        utility: every country's total payoff per option, (O, n).
        coverage: trade the option taxes over the trade the threat taxed, capped at 1,
            times the rise over the coercer's mean rise, capped at 1 (matching, N13).
        sectors: the sectors each option retaliates on.
        increments: the retaliatory tariff increase of each option, (O,).
    """

    tariffs: np.ndarray
    health: np.ndarray
    utility: np.ndarray
    coverage: np.ndarray
    sectors: list[np.ndarray]
    increments: np.ndarray

    def best(self, on: int, resolve: float) -> int:
        """The option a target of this resolve chooses: own payoff plus resolve·coverage (N5)."""
        return int(np.argmax(self.utility[:, on] + resolve * self.coverage))

    def best_of(self, on: int, resolves: np.ndarray) -> np.ndarray:
        """The option of each resolve type, as :meth:`best` for each (first best on ties)."""
        scores = self.utility[:, on, None] + self.coverage[:, None] * resolves[None, :]
        return np.argmax(scores, axis=0)


def put_in_force(
    model: NegotiationModel,
    threat: ThreatState,
    depth: float,
    tariffs: np.ndarray,
    health: np.ndarray,
) -> float:
    """Execute a threat to ``depth`` on ``tariffs``/``health`` in place; return the mean rise."""
    by, on = threat.by, threat.on
    old = tariffs[by, on, threat.sectors]
    new = np.maximum(old, old + depth * (threat.level - old))
    tariffs[by, on, threat.sectors] = new
    damage = model.diplomacy.coercion_damage
    health[by, on] -= damage
    health[on, by] -= damage
    return float((new - old).sum() / new.size)


def retaliate(
    model: NegotiationModel,
    on: int,
    by: int,
    sectors: np.ndarray,
    increment: float,
    tariffs: np.ndarray,
    health: np.ndarray,
) -> None:
    """Raise ``on``'s tariffs on ``by`` in ``sectors`` by ``increment`` (capped), in place."""
    cap = model.config.protocol.max_tariff
    tariffs[on, by, sectors] = np.minimum(cap, tariffs[on, by, sectors] + increment)
    damage = model.diplomacy.retaliation_damage
    health[by, on] -= damage
    health[on, by] -= damage


def responses(
    model: NegotiationModel,
    threat: ThreatState,
    depth: float,
    tariffs: np.ndarray,
    health: np.ndarray,
) -> Responses:
    """The target's retaliation options after ``threat`` is executed to ``depth`` (N5).

    Sectors are ranked by the coercer's political loss per unit of the target's own
    loss from a retaliatory tariff there alone (where retaliation hurts the
    coercer's politics most for what it costs), in the state at the start of the
    run (round 0: the ranking rests on lobby weights and trade shares, which do not
    move, and is computed once per scenario); option ``k`` retaliates on the first
    ``k``. Every option's payoffs are computed for every country. The retaliatory
    rise is a choice too: a multiple of the coercer's mean rise up to the target's
    ``capacity`` (model.md N13).
    """
    by, on = threat.by, threat.on
    after, after_health = tariffs.copy(), health.copy()
    increment = put_in_force(model, threat, depth, after, after_health)
    imports = model.world.base_imports
    n_sectors = len(model.config.sectors)
    sectors = np.flatnonzero(imports[on, by] > 0)
    levels = rise_levels(capacity(model, on))
    none = [np.zeros(0, int)]
    if increment <= 0 or not len(sectors) or not len(levels):
        return _evaluate(model, [after], [after_health], none, [0.0], [0.0], threat)
    ranked = _ranking(model, threat, depth, sectors)
    options = [(level, k) for level in levels for k in range(1, min(len(ranked), n_sectors) + 1)]
    chosen = none + [ranked[:k] for _, k in options]
    rises = [0.0] + [level * increment for level, _ in options]
    matched = [0.0] + [min(1.0, level) for level, _ in options]
    # each option is `retaliate` on a copy of the executed state, laid out in one batch
    position = np.full(n_sectors, n_sectors)
    position[ranked] = np.arange(len(ranked))
    hit = position[None, :] < np.array([k for _, k in options])[:, None]  # (options, S)
    now = after[on, by]
    raised = np.minimum(model.config.protocol.max_tariff, now + np.array(rises[1:])[:, None])
    states = np.repeat(after[None], len(options) + 1, axis=0)
    states[1:, on, by] = np.where(hit, raised, now)
    healths = np.repeat(after_health[None], len(options) + 1, axis=0)
    damage = model.diplomacy.retaliation_damage
    healths[1:, by, on] -= damage
    healths[1:, on, by] -= damage
    return _evaluate(model, states, healths, chosen, rises, matched, threat)


def rise_levels(kappa: float) -> list[float]:
    """Retaliatory rises allowed, as multiples of the coercer's: 0.5, 1, ... and κ (N13)."""
    count = int(np.floor(kappa / LEVEL_STEP + 1e-9))
    levels = [LEVEL_STEP * (m + 1) for m in range(count)]
    if kappa > 0 and (not levels or kappa - levels[-1] > 1e-9):
        levels.append(kappa)
    return levels


def capacity(model: NegotiationModel, on: int) -> float:
    """The target's retaliation capacity: its rise over the coercer's mean rise (N13)."""
    return model.config.nations[model.codes[on]].strategy.capacity


def _ranking(model, threat: ThreatState, depth: float, sectors: np.ndarray) -> np.ndarray:
    """The target's sectors ranked at the start of the run (shared by runs of a scenario)."""
    key = f"ranking:{threat.name}:{depth}"
    ranked = model.evaluators.get(key)
    if ranked is None:
        after = model.world.base_tariffs.copy()
        after_health = np.ones_like(model.health)
        increment = put_in_force(model, threat, depth, after, after_health)
        ranked = model.evaluators[key] = _rank(
            model, threat, sectors, increment, after, after_health, round_=0
        )
    return ranked


def _rank(model, threat, sectors, increment, after, after_health, round_) -> np.ndarray:
    """Sectors by the coercer's political loss per unit of the target's own loss."""
    by, on = threat.by, threat.on
    singles, single_health = [after], [after_health]
    for s in sectors:
        state, state_health = after.copy(), after_health.copy()
        retaliate(model, on, by, np.array([s]), increment, state, state_health)
        singles.append(state)
        single_health.append(state_health)
    none = [np.zeros(0, int)] * len(singles)
    zeros = [0.0] * len(singles)
    single = _evaluate(model, singles, single_health, none, zeros, zeros, threat, round_=round_)
    coercer_loss = single.politics[0, by] - single.politics[1:, by]
    own_loss = np.maximum(single.utility[0, on] - single.utility[1:, on], 1e-9)
    return sectors[np.argsort(-coercer_loss / own_loss, kind="stable")]


@dataclass
class _Evaluated(Responses):
    politics: np.ndarray


def _evaluate(model, states, healths, chosen, rises, matched, threat, round_=None) -> _Evaluated:
    tariffs = states if isinstance(states, np.ndarray) else np.stack(states)
    health = np.clip(healths if isinstance(healths, np.ndarray) else np.stack(healths), 0.0, 1.0)
    start = round_ is not None  # the start of the run: round 0, no backdowns
    common = {
        "health": health,
        "round_": 0 if start else model.round,
        "backdowns": np.zeros_like(model.backdowns) if start else model.backdowns,
    }
    table = next(
        (t for t in model.tables if sorted(t.parties) == sorted((threat.by, threat.on))), None
    )
    evaluator = None if table is None else model.valuation.evaluator(table)
    if evaluator is not None and evaluator.covers(tariffs, tariffs[0]):
        # every option differs from the first only on the pair's table: restricted markets
        payoffs = evaluator.evaluate(evaluator.links(tariffs), tariffs[0], **common)
    else:
        payoffs = model.payoffs.evaluate(tariffs, **common)
    imports = model.world.base_imports
    taxed = imports[threat.by, threat.on, threat.sectors].sum()
    sums: dict[bytes, float] = {}  # options of several rises share their sectors
    for s in chosen:
        if s.tobytes() not in sums:
            sums[s.tobytes()] = imports[threat.on, threat.by, s].sum()
    coverage = np.array([sums[s.tobytes()] for s in chosen])
    coverage = np.minimum(1.0, coverage / taxed) if taxed > 0 else np.zeros(len(chosen))
    coverage = coverage * np.asarray(matched)
    return _Evaluated(
        tariffs=tariffs,
        health=health,
        utility=payoffs.total,
        coverage=coverage,
        sectors=chosen,
        increments=np.asarray(rises, dtype=float),
        politics=payoffs.politics,
    )
