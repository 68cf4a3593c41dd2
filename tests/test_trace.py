"""``negsim run --trace``: the offers of each table can be read issue by issue."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner

from negsim.cli.main import cli
from negsim.negotiation.protocols import Table
from negsim.record.trace import issue_names

CODES = ["US", "JP", "CN", "ROW"]
SECTORS = ["autos", "agriculture", "steel", "machinery", "other"]


def test_a_reciprocal_issue_names_both_directions():
    # issue s sets both countries' tariff on each other in sector s
    table = Table(
        name="reciprocal",
        parties=[0, 1],
        importer=np.array([0, 0, 1, 1]),
        exporter=np.array([1, 1, 0, 0]),
        sector=np.array([0, 2, 0, 2]),
        issue_of_target=np.array([0, 1, 0, 1]),
        n_issues=2,
        weights=np.full(4, 0.5),
    )
    names = issue_names(table, CODES, SECTORS, [])
    assert names == ["US on JP and JP on US autos", "US on JP and JP on US steel"]


def test_an_mfn_issue_is_a_tariff_on_every_partner():
    # Japan's farm tariff on the US, China and ROW at once: one MFN issue
    table = Table(
        name="all",
        parties=[0, 1, 2],
        importer=np.array([1, 1, 1]),
        exporter=np.array([0, 2, 3]),
        sector=np.array([1, 1, 1]),
        issue_of_target=np.array([0, 0, 0]),
        n_issues=1,
        weights=np.full(3, 1 / 3),
    )
    assert issue_names(table, CODES, SECTORS, []) == ["JP on all agriculture"]


def test_trace_names_the_issues_the_offers_hold():
    result = CliRunner().invoke(cli, ["run", "--seed", "2", "--trace"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    line = next(text for text in lines if text.startswith("  US-CN: "))
    names = line.removeprefix("  US-CN: ").split(", ")
    # the US-China table of tag2018: both sides' tariffs in five sectors, the Section 301
    # demand's share and the farm purchase commitment, twelve issues as the offers hold
    assert names[0] == "US on CN autos" and names[9] == "CN on US other"
    assert names[10:] == ["us_section301 share", "phase_one_farm purchases"]
    offer = next(text for text in lines if " US-CN " in text and text.startswith("  round"))
    assert len(offer.split("[")[1].split("]")[0].split()) == len(names)
