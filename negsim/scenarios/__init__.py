"""The scenario layer: schema, loading, dotted-path overrides, built-in and synthetic worlds.

- :mod:`negsim.scenarios.schema`: the typed scenario (pydantic), units and ranges;
- :mod:`negsim.scenarios.loading`: built-in names or TOML files, validated;
- :mod:`negsim.scenarios.overrides`: dotted paths (``JP.security.reliance.US=0.9``);
- :mod:`negsim.scenarios.generator`: :func:`synthetic` worlds of any size
  (``negsim.scenarios.synthetic(10, 5, seed=0)``) for benchmarks and property tests;
- ``*.toml``: the built-in scenarios (package data).
"""

from __future__ import annotations

from negsim.scenarios.generator import synthetic, synthetic_dict
from negsim.scenarios.loading import (
    builtin_scenarios,
    load_scenario,
    read_toml,
    scenario_from_dict,
)
from negsim.scenarios.overrides import parameters, parse_assignment, set_path
from negsim.scenarios.schema import MAX_TARIFF, ROW, Scenario, ScenarioError, did_you_mean

__all__ = [
    "MAX_TARIFF",
    "ROW",
    "Scenario",
    "ScenarioError",
    "builtin_scenarios",
    "did_you_mean",
    "load_scenario",
    "parameters",
    "parse_assignment",
    "read_toml",
    "scenario_from_dict",
    "set_path",
    "synthetic",
    "synthetic_dict",
]
