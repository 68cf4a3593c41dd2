"""Country names for reports, from the scenario the runs came from.

A results folder's manifest names its scenario (a built-in name or a TOML file); the
display names (``Japan``, ``the rest of the world``) come from that scenario through
:class:`negsim.record.schema.RecordSchema`. When the scenario cannot be loaded any more
(a file that moved) the codes themselves are shown.
"""

from __future__ import annotations

from typing import Any

from negsim.analysis.loading import experiment_definition
from negsim.record.schema import RecordSchema
from negsim.scenarios import ScenarioError, load_scenario


def country_names(manifest: dict[str, Any]) -> dict[str, str]:
    """Display name by country code for the scenario a manifest names (``{}`` if none)."""
    names = manifest.get("countries")
    if isinstance(names, dict):
        return {str(k): str(v) for k, v in names.items()}
    scenario = experiment_definition(manifest).get("scenario", manifest.get("scenario"))
    if isinstance(scenario, dict):
        scenario = scenario.get("name")
    if not isinstance(scenario, str) or not scenario:
        return {}
    try:
        loaded = load_scenario(scenario)
    except (ScenarioError, OSError):
        return {}
    return RecordSchema.from_scenario(loaded, []).names
