"""Synthetic scenarios: valid for any size, deterministic per seed, playable."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negsim
from negsim.economy import World
from negsim.negotiation.model import NegotiationModel
from negsim.payoffs import PayoffModel
from negsim.scenarios import scenario_from_dict, synthetic, synthetic_dict


@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(3, 20),
    sectors=st.integers(1, 10),
    seed=st.integers(0, 2**32 - 1),
)
def test_synthetic_scenarios_are_valid_for_3_to_20_countries(n, sectors, seed):
    scenario = synthetic(n, sectors, seed)
    assert scenario.countries == [f"C{k:02d}" for k in range(1, n + 1)]
    assert len(scenario.sectors) == sectors
    assert sorted(map(sorted, scenario.tables)) == sorted(
        map(sorted, combinations(scenario.countries, 2))
    )
    # it is what validating the raw dict, as a scenario file would be, gives
    assert scenario == scenario_from_dict(synthetic_dict(n, sectors, seed))
    world = World.from_scenario(scenario)
    assert (world.gdp >= 100).all()
    share = world.base_imports[:n, :n].sum(axis=(1, 2)) / world.gdp
    # imports from partners: 8% of GDP (less where exports forced a larger GDP)
    assert (share <= 0.08 * 1.01).all()
    assert share[np.argmax(world.gdp)] == pytest.approx(0.08, rel=0.01)  # never raised
    # every economy sells what its GDP says, and every market has a supplier (ROW)
    assert np.allclose(world.income[:n], world.gdp)
    assert (world.base_imports[:n, n] > 0).all()
    # at the calibrated start every payoff component is zero
    payoffs = PayoffModel.from_scenario(scenario, world).evaluate(world.base_tariffs[None])
    assert np.allclose(payoffs.total, 0.0, atol=1e-9)


def test_synthetic_is_deterministic_per_seed():
    assert synthetic_dict(6, 4, 11) == synthetic_dict(6, 4, 11)
    assert synthetic(6, 4, 11) == synthetic(6, 4, 11)
    assert synthetic_dict(6, 4, 11) != synthetic_dict(6, 4, 12)


@pytest.mark.parametrize("sizes", [(1, 5), (3, 0), (51, 2), (3, 51), (99999, 2)])
def test_synthetic_refuses_worlds_outside_the_sizes_allowed(sizes):
    with pytest.raises(ValueError, match=r"allowed are 2\.\.50 countries and 1\.\.50 sectors"):
        synthetic(*sizes, 0)


@pytest.mark.parametrize("protocol", ["bilateral", "multilateral"])
@pytest.mark.parametrize("n", [3, 5])
def test_synthetic_scenarios_run_under_both_protocols(n, protocol):
    scenario = synthetic(n, 3, seed=n)
    model = NegotiationModel(scenario, protocol, rng=1, collect="none")
    record = model.run().to_record()
    assert record["scenario"] == f"synthetic-{n}x3-{n}"
    tables = n * (n - 1) // 2 if protocol == "bilateral" else 1
    assert len([k for k in record if k.startswith("agreement.")]) == tables
    assert 1 <= record["rounds"] <= scenario.horizon
    assert model.red_lines.satisfied(model.tariffs[None])[0]
    again = negsim.simulate(scenario, protocol, 1).to_record()
    assert all(again[k] == v or (isinstance(v, float) and np.isnan(v)) for k, v in record.items())
