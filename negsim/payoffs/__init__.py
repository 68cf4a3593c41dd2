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

from negsim.payoffs.model import PayoffModel, Payoffs
from negsim.payoffs.redlines import RedLines
from negsim.payoffs.tables import TableEvaluator

__all__ = ["PayoffModel", "Payoffs", "RedLines", "TableEvaluator"]
