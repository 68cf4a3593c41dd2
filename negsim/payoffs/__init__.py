"""Payoffs: what each country gets from a tariff state, in % of its own GDP.

- :mod:`~negsim.payoffs.model`: the three components (econ, security, politics) and
  their total, for a batch of candidate states (docs/model.md P1-P7);
- :mod:`~negsim.payoffs.tables`: the offers of one table solved as one batch on the
  state in force, screened on the linearised economy where asked (E11-E12);
- :mod:`~negsim.payoffs.redlines`: bounds beyond which a package is unratifiable.

This package knows nothing of Mesa, files or the command line.
"""

from negsim.payoffs.model import PayoffModel, Payoffs
from negsim.payoffs.redlines import RedLines
from negsim.payoffs.tables import TableEvaluator

__all__ = ["PayoffModel", "Payoffs", "RedLines", "TableEvaluator"]
