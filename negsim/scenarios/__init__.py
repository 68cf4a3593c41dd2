"""Built-in scenario files (TOML, shipped as package data) and synthetic scenarios.

:func:`synthetic` draws a valid scenario of any size (``negsim.scenarios.synthetic(10, 5,
seed=0)``) for scaling benchmarks and property tests; see :mod:`negsim.scenarios.generator`.
"""

from negsim.scenarios.generator import synthetic, synthetic_dict

__all__ = ["synthetic", "synthetic_dict"]
