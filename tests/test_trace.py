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


def test_the_trace_lists_every_move_the_run_counts():
    # seeds 0-5 of tag2018 hold executions, retaliations, truce votes and snap-backs
    import negsim
    from negsim.record.trace import trace_table

    scenario = negsim.load_scenario("tag2018")
    seen = set()
    for seed in range(6):
        model = negsim.NegotiationModel(scenario, "bilateral", rng=seed, collect="rounds")
        model.run()
        kinds = [m["move"] for m in model.moves]
        seen.update(kinds)
        assert kinds.count("executes") == model.threats_executed
        assert kinds.count("retaliates against") == model.retaliations
        assert kinds.count("snaps back") == model.snapbacks
        votes = [m for m in model.moves if m["move"] == "truce vote"]
        assert sum(m["agreed"] for m in votes) == model.truces
        assert all(m["agreed"] == all(m["votes"].values()) for m in votes)
        for threat in model.threats:
            if threat.status == "executed":
                mine = [m for m in model.moves if m["move"] == "executes"]
                line = [m for m in mine if m["threat"] == threat.name][-1]  # its last execution
                assert (line["round"], line["depth"]) == (threat.executed_round, threat.depth)
        lines = trace_table(model).split("Moves (threats, retaliation, truces, snap-backs):")[1]
        assert len(lines.strip().splitlines()) == max(1, len(model.moves))
    assert {"executes", "retaliates against", "truce vote", "snaps back"} <= seen
