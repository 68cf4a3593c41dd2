"""The search-effort script sets every country's search and counts "above the start" right."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import negsim
from negsim.validation.metrics import start_average

SCRIPT = Path(__file__).resolve().parents[1] / "experiments" / "search_effort.py"


@pytest.fixture(scope="module")
def effort():
    spec = importlib.util.spec_from_file_location("search_effort", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_arm_sets_one_search_parameter_of_every_country(effort):
    arms = effort.arms([256], [0.1])
    assert [name for name, _ in arms] == ["file's values (64, 0.05)", "candidates 256", "step 0.1"]
    assert arms[0][1] == {}
    assert arms[1][1] == {f"{c}.strategy.candidates": 256 for c in ("US", "JP", "CN")}
    assert arms[2][1] == {f"{c}.strategy.step": 0.1 for c in ("US", "JP", "CN")}
    for _, overrides in arms:  # every arm is a scenario the schema accepts
        negsim.load_scenario("tag2018", overrides)


def test_above_the_start_needs_both_us_china_tariffs_above_their_start(effort):
    scenario = negsim.load_scenario("tag2018")
    sectors = scenario.sectors
    us_cn, cn_us = start_average(scenario, "US", "CN"), start_average(scenario, "CN", "US")

    def row(us_level: float, cn_level: float) -> dict[str, float]:
        # a uniform tariff in every sector: its trade-weighted average is that tariff
        out = {f"tariff.US.CN.{s}": us_level for s in sectors}
        out.update({f"tariff.CN.US.{s}": cn_level for s in sectors})
        return out

    records = pd.DataFrame(
        [
            row(us_cn + 0.01, cn_us + 0.01),  # both above
            row(us_cn + 0.01, cn_us - 0.01),  # China's below
            row(us_cn - 0.01, cn_us + 0.01),  # the US's below
            row(us_cn, cn_us),  # at the start: not above
        ]
    )
    out = effort.with_above_start(records, scenario)
    assert out["above_start"].tolist() == [1.0, 0.0, 0.0, 0.0]
