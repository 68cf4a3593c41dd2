"""The calibrated baseline of a scenario: a world whose flows add up (model.md E1).

Every economy (the negotiating countries and ROW) sells to every market including
its own: ``exports`` to partners and ``domestic`` sales at home, by sector, at
producers' prices. Its GDP (factor income) is what it sells; its spending is what
it buys at buyers' prices; the difference, less tariff revenue, is its trade
deficit. The scenario schema checks that each economy's sales add up to its GDP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from negsim.economy.solver import Baseline

if TYPE_CHECKING:
    from negsim.scenarios import Scenario
    from negsim.scenarios.schema import Country, RestOfWorld

ROW = "ROW"


def flows_and_tariffs(scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Baseline flows X0[j, i, s] (domestic on the diagonal) and tariffs t0[j, i, s]."""
    codes, sectors = scenario.codes, scenario.sectors
    index = {c: k for k, c in enumerate(codes)}
    sector_index = {s: k for k, s in enumerate(sectors)}
    m, s = len(codes), len(sectors)
    flows = np.zeros((m, m, s))
    tariffs = np.zeros((m, m, s))
    economies: list[tuple[str, Country | RestOfWorld]] = [
        *((c, scenario.nations[c]) for c in scenario.countries),
        (ROW, scenario.row),
    ]
    for code, economy in economies:
        me = index[code]
        for partner, by_sector in economy.exports.items():
            for sector, value in by_sector.items():
                flows[index[partner], me, sector_index[sector]] = value
        for sector, value in economy.domestic.items():
            flows[me, me, sector_index[sector]] = value
        for partner, by_sector in economy.tariffs.items():
            for sector, value in by_sector.items():
                tariffs[me, index[partner], sector_index[sector]] = value
    return flows, tariffs


def elasticities(scenario: Scenario) -> np.ndarray:
    """Trade elasticity ε_s per sector, the ε_s of model.md E3.

    ``economy.sector_elasticity`` or, for sectors it does not list, ``elasticity``; both
    times ``economy.elasticity_scale``, the one knob that moves them all together.
    """
    economy = scenario.economy
    listed = [economy.sector_elasticity.get(s, economy.elasticity) for s in scenario.sectors]
    return economy.elasticity_scale * np.array(listed)


def baseline(scenario: Scenario) -> Baseline:
    """The solver's baseline of a validated scenario."""
    flows, tariffs = flows_and_tariffs(scenario)
    return Baseline(flows=flows, tariffs=tariffs, elasticity=elasticities(scenario))
