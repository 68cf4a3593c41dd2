"""Welfare, real rents and bilateral balances of a batch of equilibria, compiled.

The same quantities as the :class:`~negsim.economy.solver.Equilibrium` properties
(model.md E7-E9) and the goods balances among the first ``n`` economies that the
payoffs weigh (P5), in one numba call per batch: a payoff evaluation otherwise
costs about thirty numpy calls on arrays of a few dozen numbers.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from negsim.economy import exp_log


@njit(cache=True)
def terms(spending, price_index, price, flows, base_spending, alpha, income, lobby, n):
    """EV (E8), lobby-weighted real rents (E9, P4) and balances (P5) of the first n economies.

    Args:
        spending: E[j], (K, m).
        price_index: P̂[j, s], (K, m, S).
        price: p̂[i, s], (K, m, S).
        flows: X[j, i, s], (K, m, m, S).
        base_spending: E0[j], (m,).
        alpha: α[j, s], (m, S).
        income: Y0[i, s], (m, S).
        lobby: θ[i, s] of the first n economies, (n, S).
        n: the negotiating economies (the first n).

    Returns:
        ``(welfare, rents, balance)``, each (K, n), USD bn: E0 (Ŵ − 1); Σ_s θ ΔR; exports
        to the other n − 1 less imports from them.
    """
    k, _, s = price.shape
    welfare = np.empty((k, n))
    rents = np.empty((k, n))
    balance = np.zeros((k, n))
    for z in range(k):
        for i in range(n):
            log_cost = 0.0
            for r in range(s):
                log_cost += exp_log.log(price_index[z, i, r]) * alpha[i, r]
            cost = exp_log.exp(log_cost)  # P̂[i] (E7)
            welfare[z, i] = base_spending[i] * (spending[z, i] / base_spending[i] / cost - 1.0)
            total = 0.0
            for r in range(s):
                total += (price[z, i, r] / cost - 1.0) * income[i, r] * lobby[i, r]
            rents[z, i] = total
        for j in range(n):
            for i in range(n):
                if i == j:
                    continue
                bought = 0.0
                for r in range(s):
                    bought += flows[z, j, i, r]
                balance[z, i] += bought  # i's exports to j
                balance[z, j] -= bought  # j's imports from i
    return welfare, rents, balance
