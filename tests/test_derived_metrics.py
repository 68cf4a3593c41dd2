"""Derived metrics of the validation: "both US-China tariffs above the start"."""

from __future__ import annotations

import pandas as pd

from negsim.validation.metrics import add_derived, start_average


def test_above_the_start_needs_both_us_china_tariffs_above_their_start(tag2018):
    us_cn, cn_us = start_average(tag2018, "US", "CN"), start_average(tag2018, "CN", "US")

    def row(us_level: float, cn_level: float) -> dict[str, float]:
        # a uniform tariff in every sector: its trade-weighted average is that tariff
        out = {f"tariff.US.CN.{s}": us_level for s in tag2018.sectors}
        out.update({f"tariff.CN.US.{s}": cn_level for s in tag2018.sectors})
        return out

    records = pd.DataFrame(
        [
            row(us_cn + 0.01, cn_us + 0.01),  # both above
            row(us_cn + 0.01, cn_us - 0.01),  # China's below
            row(us_cn - 0.01, cn_us + 0.01),  # the US's below
            row(us_cn, cn_us),  # at the start: not above
        ]
    )
    out = add_derived(records, tag2018)
    assert out["above_start.US-CN"].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_a_september_2018_state_is_not_above_its_start(tag2018):
    start = {}
    for importer, exporter in (("US", "CN"), ("CN", "US")):
        rates = tag2018.nations[importer].tariffs[exporter]
        for s in tag2018.sectors:
            start[f"tariff.{importer}.{exporter}.{s}"] = rates.get(s, 0.0)
    assert add_derived(pd.DataFrame([start]), tag2018)["above_start.US-CN"].tolist() == [0.0]
