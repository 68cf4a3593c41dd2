"""The model the dashboard plays, rebuilt from scalar keyword arguments, and its sliders.

SolaraViz's Reset rebuilds the model as ``model.__class__(**model_params)``, so the page
needs a model class whose keyword arguments are scalars: :class:`DashboardModel` takes
a scenario name, a protocol, a seed and overrides by dotted path
(``DashboardModel(scenario_name="tag2018", **{"JP.security.reliance.US": 0.9})``).
The scenario's keyword is ``scenario_name`` because Mesa 3.5's Reset passes a
``scenario`` of its own (a ``mesa.experimental.scenarios.Scenario``), which is dropped.

The sliders are derived from the scenario, never from fixed country codes: for every
pair of countries sharing a table, each one's security reliance on the other; for
every country with elections, its salience of bilateral balances at an election and
the round of its first election; every country's retaliation resolve (its most
resolved type) and the weight of its strongest lobby; and the trade elasticity. A
slider whose path the scenario does not accept is left out.

This module needs Mesa only (not Solara), so it can be tested without the extra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from negsim import NegotiationModel, ScenarioError, load_scenario
from negsim.scenarios import parameters

DEFAULT_SCENARIO = "tag2018"
DEFAULT_PROTOCOL = "bilateral"
MESA_SCENARIO = "scenario"  # the keyword Mesa 3.5's Reset adds, holding its own Scenario


class DashboardModel(NegotiationModel):
    """A :class:`~negsim.NegotiationModel` built from scalar keyword arguments.

    Args:
        scenario_name: a built-in scenario name or the path of a TOML file.
        protocol: the negotiation protocol (``"bilateral"`` or ``"multilateral"``).
        seed: the model's seed (Mesa's ``rng=``).
        **kwargs: overrides, parameter values by dotted path, as ``negsim run --set``
            takes them (Mesa's parameter check wants the name ``kwargs``). An override
            the scenario does not accept (a path of another scenario) is ignored, so
            one set of sliders can serve every scenario.

    Attributes:
        settings: the scenario name, protocol and seed as given.
        played: the validated scenario being played, overrides applied.
        overrides: the overrides that were applied.
        ignored: the overrides that were not (their paths do not fit the scenario).
        changed: the applied overrides whose value differs from the scenario's own.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        protocol: str = DEFAULT_PROTOCOL,
        seed: int = 0,
        **kwargs: Any,
    ) -> None:
        scenario = scenario_name
        kwargs = {k: v for k, v in kwargs.items() if k != MESA_SCENARIO}
        applied, ignored = usable_overrides(scenario, kwargs)
        played = load_scenario(scenario, applied)
        super().__init__(played, protocol=protocol, rng=int(seed))
        self.settings = {"scenario": scenario, "protocol": protocol, "seed": int(seed)}
        self.played = played
        self.overrides = applied
        self.ignored = ignored
        self.changed = changed_overrides(scenario, applied)


def usable_overrides(
    scenario: str, overrides: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split overrides into those ``scenario`` accepts and those it does not.

    All are tried at once first; when that fails, one at a time, so one bad path does
    not discard the rest.
    """
    try:
        load_scenario(scenario, overrides)
    except ScenarioError:
        pass
    else:
        return dict(overrides), {}
    applied: dict[str, Any] = {}
    ignored: dict[str, Any] = {}
    for path, value in overrides.items():
        try:
            load_scenario(scenario, {**applied, path: value})
        except ScenarioError:
            ignored[path] = value
        else:
            applied[path] = value
    return applied, ignored


def scenario_values(scenario: str) -> dict[str, Any]:
    """Every parameter of ``scenario`` by dotted path, list items too (``...elections.0``)."""
    values: dict[str, Any] = {}
    for path, value, _ in parameters(load_scenario(scenario)):
        values[path] = value
        if isinstance(value, list):
            values.update({f"{path}.{i}": item for i, item in enumerate(value)})
    return values


def changed_overrides(scenario: str, overrides: dict[str, Any]) -> dict[str, Any]:
    """The overrides whose value differs from the scenario's (a new mapping key counts as 0)."""
    values = scenario_values(scenario)
    return {p: v for p, v in overrides.items() if v != values.get(p, 0.0)}


@dataclass(frozen=True)
class Slider:
    """One slider of the negotiation page: a parameter path and its range."""

    path: str
    label: str
    value: float
    low: float
    high: float
    step: float
    integer: bool = False

    def spec(self) -> dict[str, Any]:
        """The slider as a SolaraViz ``model_params`` entry."""
        value = int(self.value) if self.integer else float(self.value)
        return {
            "type": "SliderInt" if self.integer else "SliderFloat",
            "value": value,
            "label": self.label,
            "min": int(self.low) if self.integer else self.low,
            "max": int(self.high) if self.integer else self.high,
            "step": int(self.step) if self.integer else self.step,
        }


def sliders(scenario: str = DEFAULT_SCENARIO) -> list[Slider]:
    """The sliders for the parameters users tweak most, derived from ``scenario``.

    Args:
        scenario: a built-in scenario name or the path of a TOML file.
    """
    played = load_scenario(scenario)
    values = scenario_values(scenario)
    found: list[Slider] = []
    pairs = {(a, b) for a, b in played.tables} | {(b, a) for a, b in played.tables}
    for a, b in sorted(pairs, key=lambda p: (played.countries.index(p[0]), p[1])):
        path = f"{a}.security.reliance.{b}"
        found.append(Slider(path, f"{a} reliance on {b}", values.get(path, 0.0), 0.0, 1.0, 0.05))
    for code in played.countries:
        if f"{code}.politics.elections.0" in values:
            peak = f"{code}.politics.salience_peak"
            value = float(values.get(peak, 0.0))
            found.append(
                Slider(peak, f"{code} deficit salience", value, 0.0, max(1.0, 2 * value), 0.05)
            )
            found.append(
                Slider(
                    f"{code}.politics.elections.0",
                    f"{code} election round",
                    values[f"{code}.politics.elections.0"],
                    0,
                    played.horizon + 2,
                    1,
                    integer=True,
                )
            )
    for code in played.countries:
        support = values.get(f"{code}.strategy.resolve.values")
        if isinstance(support, list) and support:
            # the resolve of its most resolved type (% of GDP it would bear), model.md B1
            path = f"{code}.strategy.resolve.values.{len(support) - 1}"
            label = f"{code} retaliation resolve"
            top = float(support[-1])
            found.append(Slider(path, label, top, 0.0, max(0.2, 2 * top), 0.01))
    for code in played.countries:
        lobbies = {
            p: v
            for p, v in values.items()
            if p.startswith(f"{code}.politics.lobby.") and isinstance(v, int | float)
        }
        if lobbies:
            path = max(lobbies, key=lambda p: lobbies[p])
            sector = path.rsplit(".", 1)[1]
            # lobby weights are on the Goldberg-Maggi scale (tag2018: 0.02-0.1, model.md P4)
            high = max(0.2, 4 * float(lobbies[path]))
            found.append(Slider(path, f"{code} {sector} lobby", lobbies[path], 0.0, high, 0.005))
    if "economy.elasticity_scale" in values:
        value = float(values["economy.elasticity_scale"])
        found.append(
            Slider("economy.elasticity_scale", "trade elasticity (scale)", value, 0.6, 1.5, 0.05)
        )
    accepted, _ = usable_overrides(scenario, {s.path: s.value for s in found})
    return [s for s in found if s.path in accepted]


def model_params(
    scenario: str = DEFAULT_SCENARIO,
    protocols: list[str] | None = None,
    scenarios: list[str] | None = None,
) -> dict[str, Any]:
    """SolaraViz ``model_params`` for :class:`DashboardModel`: selects, a seed and sliders."""
    from negsim.negotiation.protocols import PROTOCOLS

    params: dict[str, Any] = {
        "scenario_name": {
            "type": "Select",
            "value": scenario,
            "values": scenarios or [scenario],
            "label": "Scenario",
        },
        "protocol": {
            "type": "Select",
            "value": DEFAULT_PROTOCOL,
            "values": list(protocols or PROTOCOLS),
            "label": "Protocol",
        },
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
    }
    for slider in sliders(scenario):
        params[slider.path] = slider.spec()
    return params
