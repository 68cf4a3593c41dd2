"""What the performance work relies on: shared read-only arrays, models freed after a run."""

from __future__ import annotations

import gc
import weakref

import negsim
from negsim.negotiation.model import NegotiationModel, release


def test_models_of_one_scenario_share_its_arrays_and_a_changed_scenario_does_not(tag2018):
    first = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    second = NegotiationModel(tag2018, "multilateral", rng=1, collect="none")
    assert first.world is second.world and first.payoffs is second.payoffs
    changed = negsim.load_scenario("tag2018", {"JP.security.reliance.US": 0.3})
    third = NegotiationModel(changed, "bilateral", rng=0, collect="none")
    assert third.payoffs is not first.payoffs
    assert third.payoffs.reliance[1, 0] == 0.3 and first.payoffs.reliance[1, 0] == 0.8


def test_a_released_model_is_freed(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=4, collect="none")
    model.run()
    release(model)
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_simulate_keeps_no_model_alive(tag2018):
    gc.collect()
    before = sum(isinstance(o, NegotiationModel) for o in gc.get_objects())
    for seed in range(5):
        negsim.simulate(tag2018, "bilateral", seed)
    gc.collect()
    after = sum(isinstance(o, NegotiationModel) for o in gc.get_objects())
    assert after <= before
