"""Records pinned across the performance work (issue 7).

``data/records_before_perf.json`` holds outcome records computed by the engine at
commit 3cfbfbd, before evaluation was restricted to the markets an offer touches.
The faster engine must give the same records for the same seeds: integers and
statuses exactly, floats up to floating-point noise. ``data/pin_records.py`` rewrites
the fixture from whichever engine is first on the path (after merging a branch that
changes the model on purpose, pin with that branch's pre-merge commit).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import negsim

FIXTURE = Path(__file__).parent / "data" / "records_before_perf.json"
PINNED = json.loads(FIXTURE.read_text())["records"]


@pytest.mark.parametrize("key", sorted(PINNED))
def test_record_matches_the_engine_before_the_performance_work(key):
    scenario, protocol, seed = key.split("/")
    record = negsim.simulate(negsim.load_scenario(scenario), protocol, int(seed)).to_record()
    expected = PINNED[key]
    assert set(record) == set(expected)
    for name, want in expected.items():
        got = record[name]
        if want is None:
            assert isinstance(got, float) and math.isnan(got), name
        elif isinstance(want, float):
            assert got == pytest.approx(want, rel=1e-10, abs=1e-12), name
        else:
            assert got == want, name
