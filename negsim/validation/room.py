"""How far an outcome can move: the hard bounds the model's rules put on a metric.

A comparative static asks a mechanism to move an outcome by at least a stated size.
Where the baseline already sits at a bound the model's rules impose (a red line's
floor, the highest tariff an offer may hold, a share of runs at 0 or 1), no strength
of the mechanism can reach that size: the check cannot hold, and its failure says
where the outcome sits, not that the mechanism is missing. This module names those
bounds so that a failing check can say so; it never changes a verdict.

Bounds known here (all from the scenario or the record itself, none estimated):

- ``tariff.I.E.s``: from a red line of the scenario on that tariff (its floor or
  ceiling), else from 0 to ``protocol.max_tariff``;
- a metric whose every value is 0 or 1 (an event per run: ``deal16.US-JP``,
  ``escalation.US-CN``, ...): its mean is a share, from 0 to 1.

Any other metric has no bound here, and its checks are never flagged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from negsim.scenarios import Scenario


@dataclass(frozen=True)
class Bound:
    """The lowest and highest value a metric can take, and what sets each."""

    low: float
    high: float
    low_reason: str
    high_reason: str


def tariff_bound(metric: str, scenario: Scenario) -> Bound | None:
    """The bounds of ``tariff.I.E.s`` under the scenario's red lines and highest tariff."""
    parts = metric.split(".")
    if len(parts) != 4 or parts[0] != "tariff":
        return None
    _, importer, exporter, sector = parts
    top = float(scenario.protocol.max_tariff)
    bound = Bound(0.0, top, "zero", f"the highest tariff an offer may hold ({top:.0%})")
    for name, line in scenario.red_lines.items():
        if (line.importer, line.exporter, line.sector) != (importer, exporter, sector):
            continue
        if line.floor is not None and line.floor > bound.low:
            bound = Bound(
                float(line.floor), bound.high, f"red line {name}'s floor", bound.high_reason
            )
        if line.ceiling is not None and line.ceiling < bound.high:
            bound = Bound(
                bound.low, float(line.ceiling), bound.low_reason, f"red line {name}'s ceiling"
            )
    return bound


def share_bound(values: pd.Series) -> Bound | None:
    """Bounds 0 and 1 when every finite value is 0 or 1 (the metric is an event per run)."""
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or not np.isin(finite, (0.0, 1.0)).all():
        return None
    return Bound(0.0, 1.0, "the share of no run", "the share of all runs")


def bound_of(metric: str, values: pd.Series, scenario: Scenario) -> Bound | None:
    """The bound of ``metric`` (values: a sample of it, to recognise a share), or None."""
    return tariff_bound(metric, scenario) or share_bound(values)


def room(baseline: float, sign: int, bound: Bound) -> tuple[float, str]:
    """How far ``baseline`` can move in the direction ``sign`` before the bound, and why.

    Args:
        baseline: the low arm's mean.
        sign: +1 when the outcome should rise, -1 when it should fall.
        bound: the metric's bounds.

    Returns:
        The distance (never below 0) and what stops the move there.
    """
    if sign > 0:
        return max(bound.high - baseline, 0.0), bound.high_reason
    return max(baseline - bound.low, 0.0), bound.low_reason


def out_of_reach(
    metric: str, low_arm: pd.Series, scenario: Scenario, sign: int, minimum: float, unit: str
) -> str:
    """Why no effect of the stated size can be reached from the low arm, or empty.

    Args:
        metric: the outcome's record column.
        low_arm: its values in the low arm (their mean is the baseline).
        scenario: the scenario of the low arm (its red lines and highest tariff).
        sign: the expected sign of the effect.
        minimum: the smallest effect that counts.
        unit: ``"pp"`` (shown x100 in percentage points) or ``""``.

    Returns:
        A phrase such as "at a bound: the low arm's mean is 0.45 pp above red line
        jp_farm_tpp's floor (12.0%), less than the 1.00 pp asked", or "".
    """
    bound = bound_of(metric, low_arm, scenario)
    baseline = float(low_arm.mean())
    if bound is None or not np.isfinite(baseline):
        return ""
    distance, reason = room(baseline, sign, bound)
    if distance >= minimum:
        return ""
    edge = bound.high if sign > 0 else bound.low
    side = "below" if sign > 0 else "above"

    def show(value: float) -> str:
        return f"{100 * value:.2f} pp" if unit == "pp" else f"{value:.2f}"

    level = f"{edge:.1%}" if unit == "pp" else f"{edge:.2f}"
    return (
        f"at a bound: the low arm's mean is {show(distance)} {side} {reason} ({level}), "
        f"less than the {show(minimum)} asked"
    )
