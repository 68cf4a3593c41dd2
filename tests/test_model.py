"""The negotiation engine: reproducibility, protocols, and the 2018 story as frequencies."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import negsim
from negsim.economy import World
from negsim.negotiation.model import NegotiationModel

US, JP, CN = 0, 1, 2
AGRICULTURE = 1
SEEDS = range(60)


@pytest.fixture(scope="module")
def runs(tag2018):
    """Records, and the models, of 60 seeds under each protocol."""
    result = {}
    for protocol in ("bilateral", "multilateral"):
        models = [NegotiationModel(tag2018, protocol, rng=seed, collect="none") for seed in SEEDS]
        for model in models:
            model.run()
        records = pd.DataFrame([m.outcome().to_record() for m in models])
        result[protocol] = (models, records)
    return result


def test_same_seed_same_record_in_another_process(tag2018):
    here = negsim.simulate(tag2018, "bilateral", 11).to_record()
    again = negsim.simulate(tag2018, "bilateral", 11).to_record()
    assert json.dumps(here) == json.dumps(again)
    other = subprocess.run(
        [sys.executable, "-m", "negsim.cli", "run", "--seed", "11", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    theirs = json.loads(other.stdout)
    for key, value in here.items():
        if isinstance(value, float) and np.isnan(value):
            assert theirs[key] is None
        else:
            assert theirs[key] == value, key


def test_outcomes_vary_with_the_seed(runs):
    _, records = runs["bilateral"]
    assert records["utility.US"].round(6).nunique() > 20
    assert records["tariff.JP.US.agriculture"].std() > 0


def test_record_has_the_design_keys(runs):
    _, records = runs["bilateral"]
    for key in [
        "scenario",
        "protocol",
        "seed",
        "status",
        "rounds",
        "agreement",
        "agreement.US-JP",
        "agreement_round.US-CN",
        "tariff.US.JP.autos",
        "tariff.JP.ROW.agriculture",
        "utility.JP",
        "econ.US",
        "security.JP",
        "politics.CN",
        "balance.US.JP",
        "exports.JP.US",
        "alliance.US-JP",
        "threats_executed",
        "retaliations",
        "nash_gap",
    ]:
        assert key in records.columns, key
    _, multi = runs["multilateral"]
    assert "agreement.all" in multi.columns


def test_datacollector_records_every_round(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=3)
    model.run()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == model.round + 1  # the start and each round
    for column in [
        "utility.US",
        "econ.JP",
        "alliance.US-JP",
        "status.US-JP",
        "offer.US-CN",
        "tariff.US.JP.autos",
        "threats_executed",
        "retaliations",
    ]:
        assert column in frame.columns
    # US-Japan talks may start only 90 days after the notice to Congress (round 4)
    assert (frame["offer.US-JP"].iloc[:4] == "").all()
    assert frame["offer.US-JP"].iloc[4] != ""
    assert frame["offer.US-CN"].iloc[1] != ""


def test_us_japan_usually_agree_above_the_red_line_without_the_auto_tariff(runs):
    _, records = runs["bilateral"]
    deals = records[records["agreement.US-JP"] == 1]
    assert len(deals) >= 0.7 * len(records)
    assert (deals["tariff.JP.US.agriculture"] >= 0.12 - 1e-9).all()
    assert (deals["tariff.US.JP.autos"] < 0.25).all()
    assert (records["coerced.JP"] == 0).mean() >= 0.7


def test_a_target_believed_more_resolute_deters_more(tag2018):
    # the target's options are nested (the k sectors that hurt most), so a more
    # resolute type replies on weakly more of the coercer's exports; each retaliatory
    # tariff lowers the coercer's payoff, so its expected value of executing falls
    # as its belief moves to resolute types (one step of look-ahead, model.md N7)
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    us = model.country_agents[US]
    threat = next(t for t in model.threats if t.on == CN)
    belief = us.beliefs.of(CN, "resolve")
    values = []
    for weights in ([1.0, 0, 0, 0], [0, 0, 0, 1.0]):
        belief.weights = np.array(weights)
        values.append(us.execution_values(threat))
    assert (values[1] <= values[0] + 1e-12).all()
    reply = model.responses(threat, 1.0)
    options = [reply.best(CN, r) for r in (0.0, 0.02, 0.05, 0.1, 10.0)]
    assert options == sorted(options)  # more resolve, more coverage
    assert options[-1] == len(reply.coverage) - 1  # overwhelming resolve: every sector


def test_retaliation_and_execution_move_the_tariffs_they_say(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    threat = next(t for t in model.threats if t.on == CN)
    reply = model.responses(threat, 1.0)
    for option, sectors in enumerate(reply.sectors):
        state = reply.tariffs[option]
        assert np.allclose(
            state[US, CN, threat.sectors], np.maximum(0.25, model.tariffs[US, CN, threat.sectors])
        )
        raised = state[CN, US] > model.tariffs[CN, US] + 1e-12
        assert sorted(np.flatnonzero(raised)) == sorted(sectors)


def test_red_lines_are_never_crossed(runs, tag2018):
    for protocol in ("bilateral", "multilateral"):
        models, _ = runs[protocol]
        for model in models:
            assert model.red_lines.satisfied(model.tariffs[None])[0]


def test_every_agreement_is_individually_rational(runs):
    count = 0
    for protocol in ("bilateral", "multilateral"):
        models, _ = runs[protocol]
        for model in models:
            for agreement in model.agreements:
                for code, utility in agreement["utility"].items():
                    assert utility >= agreement["reserve"][code] - 1e-9
                count += 1
    assert count > 50


def test_multilateral_agreements_are_mfn(tag2018):
    # The schedule as agreed, read in the round the one table signs: later scheduled
    # events (the EU-Japan EPA) are preferential by design, and a snap-back (A4)
    # restores the Section 301 tariffs on China alone.
    checked = 0
    for seed in range(6):
        model = NegotiationModel(tag2018, "multilateral", rng=seed, collect="none")
        table = model.tables[0]
        while model.running and table.status != "agreed":
            model.step()
        if table.status != "agreed":
            continue
        checked += 1
        for j in range(3):
            exporters = [i for i in range(4) if i != j]
            schedule = model.tariffs[j, exporters, :]
            # every exporter, ROW included, faces the same tariff per sector
            assert np.allclose(schedule, schedule[0]), seed
    assert checked >= 3


def test_a_us_japan_deal_changes_no_tariff_on_china(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=5, collect="none")
    table = next(t for t in model.tables if t.name == "US-JP")
    before = model.tariffs.copy()
    offer = np.random.default_rng(0).uniform(0.12, 0.3, table.n_issues)
    utilities = model.table_payoffs(table, offer[None], breakdown=True).total
    model.agree(table, offer, utilities[0], utilities[-1], table.parties)
    after = model.tariffs
    assert np.array_equal(after[:, CN], before[:, CN])  # on China's exports
    assert np.array_equal(after[CN], before[CN])  # China's own tariffs
    assert not np.array_equal(after[US, JP], before[US, JP])


def test_unknown_protocol_is_refused(tag2018):
    with pytest.raises(ValueError, match="allowed: bilateral, multilateral"):
        NegotiationModel(tag2018, "trilateral")


@pytest.mark.parametrize(("protocol", "tables"), [("bilateral", ["A-B", "A-C", "B-C"])])
def test_symmetric_countries_cut_their_5_percent_tariffs(symmetric, protocol, tables):
    # From a common 5% tariff, a reciprocal cut between two identical countries leaves
    # both better off (a preferential cut gains the pair: test_economy), so there is
    # room for a deal at every table; agreements only cut tariffs.
    records = pd.DataFrame([negsim.simulate(symmetric, protocol, s).to_record() for s in range(20)])
    assert sorted(c.removeprefix("agreement.") for c in records if c.startswith("agreement.")) == (
        tables
    )
    assert records["agreement"].mean() >= 0.5
    tariffs = records[[c for c in records if c.startswith("tariff.")]]
    assert (tariffs.to_numpy() <= 0.05 + 1e-12).all()
    assert (tariffs.to_numpy().mean(axis=1) < 0.05).all()
    assert (
        records.loc[records["agreement"] == 1, ["utility.A", "utility.B", "utility.C"]] > 0
    ).all(axis=None)


def test_symmetric_mfn_cuts_without_row_free_ride_and_find_no_deal(symmetric):
    # General equilibrium: an MFN cut by A, B and C (ROW keeps its 5%) hands ROW their
    # terms of trade, and all three lose (Bagwell-Staiger's free-rider problem); under
    # the partial-equilibrium economy ROW's exporters were in no payoff and they agreed.
    world = negsim.economy.World.from_scenario(symmetric)
    cut = world.base_tariffs.copy()
    cut[: world.n] = 0.0
    assert (world.welfare(cut)[0, : world.n] < 0).all()
    records = pd.DataFrame(
        [negsim.simulate(symmetric, "multilateral", s).to_record() for s in range(10)]
    )
    tariffs = records[[c for c in records if c.startswith("tariff.")]]
    assert (tariffs.to_numpy() <= 0.05 + 1e-12).all()  # never raised by an agreement
    assert records["agreement"].mean() <= 0.5


def test_plurilateral_option_lets_acceptors_agree_among_themselves():
    scenario = negsim.load_scenario("tag2018", {"protocol.plurilateral": True})
    partial = []
    for seed in range(30):
        model = NegotiationModel(scenario, "multilateral", rng=seed, collect="none")
        model.run()
        for agreement in model.agreements:
            assert len(agreement["members"]) >= 2
            if len(agreement["members"]) < 3:
                partial.append((model, agreement))
    assert partial, "no plurilateral deal in 30 seeds"
    # direct check: members adopt the offered MFN schedules, the outsider keeps its own
    model = NegotiationModel(scenario, "multilateral", rng=0, collect="none")
    table = model.tables[0]
    before = model.tariffs.copy()
    offer = np.random.default_rng(1).uniform(0.12, 0.3, table.n_issues)
    utilities = model.table_payoffs(table, offer[None], breakdown=True).total
    model.agree(table, offer, utilities[0], utilities[-1], [US, JP])
    assert np.array_equal(model.tariffs[CN], before[CN])
    for j in (US, JP):
        schedule = model.tariffs[j, [i for i in range(4) if i != j], :]
        assert np.allclose(schedule, schedule[0])
        assert np.allclose(
            schedule[0], offer[table.parties.index(j) * 5 : table.parties.index(j) * 5 + 5]
        )


def test_the_nash_gap_sample_size_changes_no_tariff_agreement_or_utility(tag2018):
    # the sample is a diagnostic with its own generator (issue 10 item 4): only the
    # gap itself may change with it
    for seed in range(8):
        runs = []
        for size in (256, 16):
            model = NegotiationModel(
                tag2018, "bilateral", rng=seed, collect="none", nash_sample=size
            )
            runs.append((model, model.run().to_record()))
        (first, a), (second, b) = runs
        assert np.array_equal(first.tariffs, second.tariffs)
        assert [(x["table"], x["round"]) for x in first.agreements] == [
            (x["table"], x["round"]) for x in second.agreements
        ]
        for key in a:
            if key.startswith(("utility.", "agreement", "tariff.")):
                assert a[key] == b[key] or (np.isnan(a[key]) and np.isnan(b[key])), key


def test_us_japan_deal_comes_only_after_talks_open_and_after_any_notice(runs, tag2018):
    # USTR's notice of 16 Oct 2018 lets talks start 90 days on, round 4 (19 USC
    # 4204(a)(1)(A)); a tariff agreement under 19 USC 4202(a) needs a notice of
    # intention with no minimum period (rounds 0), so no US-Japan deal before round 4
    _, records = runs["bilateral"]
    signed = records["agreement_round.US-JP"].dropna()
    assert len(signed) and (signed >= 4).all()
    # a 90-day notice before signing (an agreement under 4202(b)) adds three rounds
    notice = negsim.load_scenario("tag2018", {"notices.us_tpa.rounds": 3})
    late = [
        negsim.simulate(notice, "bilateral", s).to_record()["agreement_round.US-JP"]
        for s in range(5)
    ]
    assert min(late) >= 4 + 3
    free = negsim.load_scenario("tag2018", {"notices.us_tpa.talks_from": 0})
    early = [
        negsim.simulate(free, "bilateral", s).to_record()["agreement_round.US-JP"]
        for s in range(10)
    ]
    assert min(early) < 4


def test_a_truce_is_agreed_only_at_a_summit_and_postpones_the_threat(tag2018):
    for seed in range(40):
        model = NegotiationModel(tag2018, "bilateral", rng=seed, collect="rounds")
        model.run()
        truces = model.datacollector.get_model_vars_dataframe()["truces"].diff().fillna(0)
        rounds = set(truces[truces > 0].index)
        assert rounds <= {3, 9}  # the G20 summits of Dec 2018 and Jun 2019
    no_summits = negsim.load_scenario(
        "tag2018", {"summits.g20_buenos_aires.round": 99, "summits.g20_osaka.round": 99}
    )
    assert all(negsim.simulate(no_summits, "bilateral", s).truces == 0 for s in range(10))


def test_an_unknown_strategy_is_one_line(tag2018):
    scenario = negsim.load_scenario("tag2018", {"CN.strategy.kind": "tit-for-tat"})
    with pytest.raises(
        negsim.ScenarioError,
        match=r"CN.strategy.kind: unknown strategy 'tit-for-tat'; allowed: aspiration, screening",
    ):
        NegotiationModel(scenario)


def test_a_prior_that_is_not_a_distribution_is_refused():
    with pytest.raises(negsim.ScenarioError, match="sum to 1"):
        negsim.load_scenario("tag2018", {"CN.strategy.resolve.weights": [0.5, 0.5, 0.5, 0.5]})


def test_a_commitment_on_a_sector_that_does_not_exist_is_one_line():
    with pytest.raises(negsim.ScenarioError, match=r"commitments.phase_one_farm.sector: unknown"):
        negsim.load_scenario("tag2018", {"commitments.phase_one_farm.sector": "soybeans"})


def test_bayes_rule_with_a_trembling_hand():
    from negsim.negotiation.beliefs import TREMBLE, Belief

    belief = Belief(np.array([0.0, 1.0]), np.array([0.5, 0.5]))
    belief.update(np.array([True, False]))  # a move only the first type makes
    assert np.allclose(belief.weights, [1 - TREMBLE, TREMBLE])
    belief.update(np.array([True, True]))  # a move both make teaches nothing
    assert np.allclose(belief.weights, [1 - TREMBLE, TREMBLE])
    assert belief.mean == pytest.approx(TREMBLE)


def test_the_record_has_rounds_to_agreement_types_and_beliefs(runs):
    _, records = runs["bilateral"]
    for column in (
        "rounds_to_agreement.US-JP",
        "truces",
        "type.CN.resolve",
        "belief.US.CN.resolve",
        "belief.CN.US.margin",
    ):
        assert column in records.columns
    agreed = records["agreement.US-JP"] == 1
    assert (
        records.loc[agreed, "rounds_to_agreement.US-JP"]
        == records.loc[agreed, "agreement_round.US-JP"] - 4
    ).all()
    assert records["belief.US.CN.resolve"].between(0.0, 0.1).all()


def test_the_outside_option_weighs_a_threat_by_the_chance_it_is_carried_out(tag2018):
    # model.md B4: with no audience cost and no salience the US executes the car
    # tariff only if its resolve covers its loss, so Japan's outside option mixes the
    # executed and the withdrawn breakdown by its belief; checked against full tensors
    overrides = {"US.politics.audience_cost": 0.0, "US.politics.salience_peak": 0.0}
    scenario = negsim.load_scenario("tag2018", {**overrides, "US.politics.salience_base": 0.0})
    model = NegotiationModel(scenario, "bilateral", rng=1, collect="none")
    table = next(t for t in model.tables if t.name == "US-JP")
    threat = next(t for t in model.threats if t.on == JP)
    best = model.country_agents[US].execution_values(threat).max()
    belief = model.country_agents[JP].beliefs.of(US, "resolve")
    chance = float(belief.weights @ (best + belief.values >= model.current_total(US)))
    assert 0 < chance < 1  # a threat that may be a bluff
    executed, executed_health = model.breakdown_state(table)
    withdrawn_health = model.health.copy()
    withdrawn_health[US, JP] = withdrawn_health[JP, US] = 1.0 - scenario.diplomacy.breakdown_damage
    full = model.payoffs.evaluate(
        np.stack([executed, model.tariffs]),
        health=np.stack([executed_health, withdrawn_health]),
        round_=0,
        backdowns=model.backdowns,
    ).total[:, JP]
    offer = table.current(model.tariffs)[None]
    reserve = model.table_payoffs(table, offer, breakdown=True).total[-1, JP]
    assert reserve == pytest.approx(chance * full[0] + (1 - chance) * full[1], abs=1e-9)


def _free_purchases(world, entry):
    """What the importer buys of ``entry`` at a zero tariff (others at the start)."""
    tariffs = world.base_tariffs.copy()
    tariffs[entry] = 0.0
    j, i, s = entry
    return float(world.exports(tariffs)[i, j, s])


def test_a_commitment_enters_as_the_tariff_that_buys_its_purchases(tag2018, tag_world):
    from negsim.negotiation.commitments import tariff_equivalent

    entry = (CN, US, AGRICULTURE)
    # in the general-equilibrium economy (agriculture's elasticity 9.11) China buys more
    # than Phase One's $36.5bn at a zero tariff: that amount is bought at a tariff above
    # zero, below the 28% in force (A6: exclusions, no subsidy)
    free = _free_purchases(tag_world, entry)
    assert free > 36.5
    rate = tariff_equivalent(tag_world, entry, 36.5)
    assert 0 < rate < 0.28
    tariffs = tag_world.base_tariffs.copy()
    tariffs[entry] = rate
    assert tag_world.exports(tariffs)[US, CN, AGRICULTURE] == pytest.approx(36.5, rel=1e-4)
    # a commitment beyond free trade needs a subsidy (A1): a tariff below zero
    most = 1.5 * free
    assert tariff_equivalent(tag_world, entry, most) < 0
    bigger = negsim.load_scenario("tag2018", {"commitments.phase_one_farm.most": most})
    model = NegotiationModel(bigger, "bilateral", rng=0, collect="none")
    table = next(t for t in model.tables if t.name == "US-CN")
    (issue,) = table.purchases.values()
    assert issue.most == most
    assert issue.equivalent(np.array([most]))[0] == pytest.approx(
        tariff_equivalent(tag_world, entry, most), abs=2e-3
    )


@pytest.mark.parametrize(("threshold", "snaps"), [(0.0, False), (1.0, True)])
def test_commitments_are_delivered_watched_and_can_snap_back(threshold, snaps):
    # A2-A3: the share delivered lies in [1 - shortfall, 1]; read without noise, it is
    # below a threshold of 1 (a shortfall is drawn) and never below 0
    world = World.from_scenario(negsim.load_scenario("tag2018"))
    overrides = {
        "compliance.snap_back": "threshold",
        "compliance.threshold": threshold,
        "compliance.noise": 0.0,
    }
    scenario = negsim.load_scenario("tag2018", overrides)
    model = NegotiationModel(scenario, "bilateral", rng=3, collect="none")
    table = next(t for t in model.tables if t.name == "US-CN")
    ((column, issue),) = table.purchases.items()
    before = model.tariffs.copy()
    offer = model.issue_values(table) - 0.05
    offer[column] = issue.most  # CN buys US farm goods (A6)
    values = model.table_payoffs(table, offer[None], breakdown=True).total
    model.agree(table, offer, values[0], values[-1], table.parties)
    committed = model.tariffs[CN, US, AGRICULTURE]
    paper = table.commitments.paper[issue.entry]
    assert committed < paper
    # A1: the commitment is what China buys at the agreed tariffs (other cuts included)
    bought = world.exports(model.tariffs)[US, CN, AGRICULTURE]
    model.step()
    record = model.outcome().to_record()
    assert record["commitment.CN.US.agriculture"] == pytest.approx(bought, rel=1e-6)
    share = table.commitments.delivered[0]
    assert 1 - scenario.compliance.shortfall <= share <= 1
    assert record["snapback.US-CN"] == int(snaps)
    if snaps:  # the US tariffs on China are back where they were before the deal
        assert (model.tariffs[US, CN] >= before[US, CN]).all()
        assert model.tariffs[CN, US, AGRICULTURE] == before[CN, US, AGRICULTURE]
    else:  # A2: that share of the purchases the commitment adds
        assert model.tariffs[CN, US, AGRICULTURE] == pytest.approx(
            paper + share * (committed - paper)
        )


@pytest.mark.parametrize("protocol", ["bilateral", "multilateral"])
def test_the_retaliation_options_are_valued_as_full_states_would_be(tag2018, protocol):
    model = NegotiationModel(tag2018, protocol, rng=0, collect="none")
    for threat in model.threats:
        reply = model.responses(threat, 1.0)
        full = model.payoffs.evaluate(
            reply.tariffs, health=reply.health, round_=0, backdowns=model.backdowns
        ).total
        assert np.allclose(reply.utility, full, atol=1e-10)


def test_a_registered_strategy_plays_for_the_countries_that_name_it(monkeypatch):
    from negsim.negotiation import kinds

    class Stubborn:
        """Offers the state in force and accepts nothing."""

        name = "stubborn"

        def choose(self, agent, utilities, reserves, table):
            return 2, True  # candidate 2 is the current state (model.md N2)

        def accepts(self, agent, utility, reserve, table):
            return False

    monkeypatch.setitem(kinds.STRATEGIES, "stubborn", Stubborn)
    scenario = negsim.load_scenario(
        "tag2018", {f"{c}.strategy.kind": "stubborn" for c in ("US", "JP", "CN")}
    )
    model = NegotiationModel(scenario, "bilateral", rng=0, collect="none")
    assert all(isinstance(agent.kind, Stubborn) for agent in model.country_agents)
    record = model.run().to_record()
    assert record["agreement"] == 0 and not model.agreements
    offered = {o["table"] for o in model.offers}
    assert offered == {"US-JP", "US-CN"}
