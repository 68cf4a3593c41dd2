"""Theory checks: the equilibrium strategy and the reference points against closed forms.

Each check runs the model's bargaining machinery on a game whose answer is known in
closed form (Rubinstein 1982, Stahl 1972, the stationary n-party SPE, the Nash and
Kalai-Smorodinsky points of a known frontier) and fails if the error exceeds the
tolerance stated in the check.
"""

from __future__ import annotations

import itertools

import numpy as np

from negsim.validation.check import Check, verdict

GROUP = "Bargaining theory"


def _shares(deltas: list[float], horizon: int) -> np.ndarray:
    """Equilibrium shares of a divide-the-gains game played by the model's agents."""
    from negsim.negotiation.bargaining import DivisionModel, divide_the_gains

    shares = DivisionModel(divide_the_gains(deltas, horizon=horizon)).run()
    if shares is None:
        raise RuntimeError("the divide-the-gains game ended without an agreement")
    return np.asarray(shares)


def rubinstein_check() -> Check:
    """First-proposer share against (1-d2)/(1-d1 d2) on 25 discount pairs."""
    check = Check(
        GROUP,
        "first-proposer share, infinite horizon",
        "(1-d2)/(1-d1 d2)",
        "Rubinstein 1982",
        "0.01",
    )
    grid = [0.5, 0.7, 0.9, 0.95, 0.99]
    errors = []
    for d1, d2 in itertools.product(grid, grid):
        shares = _shares([d1, d2], 3000)
        errors.append(abs(shares[0] - (1 - d2) / (1 - d1 * d2)))
    check.simulated = (
        f"max error {max(errors):.1e} over 25 pairs in {{0.5, 0.7, 0.9, 0.95, 0.99}}^2"
    )
    check.verdict = verdict(max(errors) <= 0.01)
    return check


def stahl_check() -> Check:
    """First-proposer share with horizons 1-4 against backward induction by hand."""
    check = Check(
        GROUP,
        "first-proposer share, horizons 1-4",
        "backward induction by hand",
        "Stahl 1972",
        "1e-9",
    )
    errors = []
    for d1, d2 in [(0.9, 0.8), (0.5, 0.95), (0.7, 0.7)]:
        closed = {1: 1.0, 2: 1 - d2, 3: 1 - d2 * (1 - d1), 4: 1 - d2 * (1 - d1 * (1 - d2))}
        for horizon, share in closed.items():
            shares = _shares([d1, d2], horizon)
            errors.append(abs(shares[0] - share))
    check.simulated = f"max error {max(errors):.1e}"
    check.verdict = verdict(max(errors) <= 1e-9)
    return check


def n_party_check() -> Check:
    """Shares of n parties under unanimity with a rotating proposer."""
    check = Check(
        GROUP,
        "n parties, unanimity, rotating proposer",
        "d^(k-1)(1-d)/(1-d^n)",
        "stationary SPE",
        "0.01",
    )
    errors = []
    for n, delta in [(3, 0.9), (4, 0.8), (5, 0.95)]:
        shares = _shares([delta] * n, 4000)
        stationary = [delta ** (k - 1) * (1 - delta) / (1 - delta**n) for k in range(1, n + 1)]
        errors.append(float(np.max(np.abs(shares - stationary))))
    check.simulated = f"max error {max(errors):.1e} (n = 3, 4, 5)"
    check.verdict = verdict(max(errors) <= 0.01)
    return check


def reference_point_check() -> Check:
    """Nash and Kalai-Smorodinsky points of the frontier u2 = 1 - u1^2."""
    from negsim.record.outcome import kalai_smorodinsky, nash_solution

    check = Check(
        GROUP,
        "Nash and Kalai-Smorodinsky points on u2 = 1 - u1^2",
        "Nash (1/sqrt 3, 2/3); K-S ((sqrt 5 - 1)/2, same)",
        "closed form",
        "1e-4",
    )
    u1 = np.linspace(0.0, 1.0, 200001)
    curve = np.column_stack([u1, 1 - u1**2])
    golden = (np.sqrt(5) - 1) / 2
    nash_error = np.abs(nash_solution(curve, np.zeros(2)) - [1 / np.sqrt(3), 2 / 3]).max()
    ks_error = np.abs(kalai_smorodinsky(curve, np.zeros(2)) - golden).max()
    check.simulated = f"errors {nash_error:.1e}, {ks_error:.1e}"
    check.verdict = verdict(max(nash_error, ks_error) <= 1e-4)
    return check


def theory_checks() -> list[Check]:
    """All theory checks."""
    return [rubinstein_check(), stahl_check(), n_party_check(), reference_point_check()]
