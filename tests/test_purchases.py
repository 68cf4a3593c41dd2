"""Purchase commitments as an issue (model.md A6, N15) and mirrored counter-measures (N16).

Every expectation follows from the formulas or is worked out by hand, not copied from
a run: a commitment agreed makes the importer buy the committed amount (the
quota-subsidy equivalence of A6), an amount it buys anyway does not bind, delivery
lies between the two (A2), China's tariffs on the US keep the share of their excess
over MFN that the US keeps of its tied tariffs (N16), and they return with the US's
on a reform snap-back.
"""

from __future__ import annotations

import numpy as np
import pytest

import negsim
from negsim.cli import main
from negsim.negotiation.commitments import tariff_equivalent
from negsim.negotiation.demands import tie
from negsim.negotiation.model import NegotiationModel

US, JP, CN = 0, 1, 2
AGRICULTURE = 1
S = 5  # sectors; at the US-CN table issues 0..4 are the US's tariffs on China, 5..9 China's


def _table(model: NegotiationModel):
    return next(t for t in model.tables if t.name == "US-CN")


def _agree(model: NegotiationModel, offer: np.ndarray) -> None:
    table = _table(model)
    values = model.table_payoffs(table, offer[None], breakdown=True).total
    model.agree(table, offer, values[0], values[-1], table.parties)


def _bought(model: NegotiationModel) -> float:
    return float(model.world.exports(model.tariffs)[US, CN, AGRICULTURE])


def test_a_commitment_agreed_makes_the_importer_buy_the_amount(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    table = _table(model)
    ((column, issue),) = table.purchases.items()
    before = _bought(model)
    amount = 30.0
    assert amount > before  # more than China buys at its 28% farm tariff
    offer = model.issue_values(table)
    offer[column] = amount  # every tariff as in force: only the purchases change
    _agree(model, offer)
    # A6: the entry in force is the tariff at which China buys the amount, all else at
    # the start; the paper tariff stays 28%
    assert _bought(model) == pytest.approx(amount, rel=5e-3)
    assert model.tariffs[CN, US, AGRICULTURE] == pytest.approx(
        tariff_equivalent(model.world, issue.entry, amount), abs=2e-3
    )
    held = table.commitments
    paper = tag2018.nations["CN"].tariffs["US"]["agriculture"]
    assert held.paper[issue.entry] == pytest.approx(paper)
    assert held.amounts[issue.entry] == amount
    # the issue in force is the paper tariff and the amount committed
    current = model.issue_values(table)
    assert current[issue.target] == pytest.approx(0.28)
    assert current[column] == amount


def test_an_amount_the_importer_buys_anyway_is_no_commitment(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    table = _table(model)
    ((column, _),) = table.purchases.items()
    before = _bought(model)
    offer = model.issue_values(table)
    offer[column] = 0.5 * before
    _agree(model, offer)
    assert table.commitments is None
    assert _bought(model) == pytest.approx(before)


def test_delivery_lies_between_the_paper_tariff_and_the_commitment():
    # A2 with A6: a share c of the purchases the commitment adds, so the tariff in force
    # lies between the equivalent (c = 1) and the paper tariff (c = 0)
    scenario = negsim.load_scenario(
        "tag2018",
        {"compliance.snap_back": "threshold", "compliance.threshold": 0.0, "compliance.noise": 0.0},
    )
    model = NegotiationModel(scenario, "bilateral", rng=3, collect="none")
    table = _table(model)
    ((column, issue),) = table.purchases.items()
    before = _bought(model)
    offer = model.issue_values(table)
    offer[column] = issue.most
    _agree(model, offer)
    full = _bought(model)
    model.step()
    share = table.commitments.delivered[0]
    assert 1 - scenario.compliance.shortfall <= share <= 1
    paper, equivalent = table.commitments.paper[issue.entry], table.commitments.entries[issue.entry]
    assert model.tariffs[issue.entry] == pytest.approx(paper + share * (equivalent - paper))
    assert before - 1e-9 <= _bought(model) <= full + 1e-9


def test_candidates_draw_the_amount_over_its_whole_range(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=5, collect="none")
    table = _table(model)
    ((column, issue),) = table.purchases.items()
    current = model.issue_values(table)
    amounts = np.concatenate(
        [
            model.country_agents[p].candidates(table, current, model.bounds(table, current))[
                3:, column
            ]
            for p in (US, CN)
            for _ in range(4)
        ]
    )
    assert amounts.min() >= 0.0 and amounts.max() <= issue.most
    # uniform over 0..most (N15): 512 draws reach both ends of the range
    assert amounts.min() < 0.1 * issue.most and amounts.max() > 0.9 * issue.most


def test_no_purchase_issue_at_an_mfn_table(tag2018):
    # an importer's MFN issue sets its tariff on every exporter: no bilateral commitment
    model = NegotiationModel(tag2018, "multilateral", rng=0, collect="none")
    assert all(not t.purchases for t in model.tables)


def test_china_keeps_its_excess_in_proportion_to_the_tied_us_tariffs_kept(tag2018):
    model = NegotiationModel(tag2018, "bilateral", rng=0, collect="none")
    table = _table(model)
    ((_, share_column),) = table.demands.items()
    current = model.issue_values(table)
    mfn = model.mfn_issues(table)
    imports = model.issue_imports(table)
    offers = np.tile(current, (3, 1))
    offers[:, S : 2 * S] = 0.0  # China offers free trade on US goods
    offers[:, share_column] = [0.0, 0.5, 1.0]  # reform met: none, half, all
    for row in range(3):  # the US cuts its tied tariffs to the tie's floor (N12)
        offers[row, :S] = mfn[:S] + (1 - offers[row, share_column]) * (current[:S] - mfn[:S])
    tie(table, model.demands, offers, current, mfn, imports)
    kept = 1 - offers[:, share_column]  # the US keeps (1 - x) of its excess, by hand
    excess = np.maximum(0.0, current[S : 2 * S] - mfn[S : 2 * S])
    expected = mfn[S : 2 * S] + kept[:, None] * excess
    np.testing.assert_allclose(offers[:, S : 2 * S], np.where(excess > 0, expected, 0.0))
    # while the US keeps tied tariffs above MFN, China's stay above its MFN
    assert (offers[:2, S : 2 * S][:, excess > 0] > mfn[S : 2 * S][excess > 0]).all()
    # nothing kept by the US: China's fall to its MFN at most (it may then keep them)
    np.testing.assert_allclose(offers[2, S : 2 * S][excess > 0], mfn[S : 2 * S][excess > 0])


def test_without_mirroring_china_may_cut_its_tariffs_below_the_us_share(tag2018):
    scenario = negsim.load_scenario("tag2018", {"demands.us_section301.mirrored": False})
    model = NegotiationModel(scenario, "bilateral", rng=0, collect="none")
    table = _table(model)
    current = model.issue_values(table)
    offers = np.tile(current, (1, 1))
    offers[:, S : 2 * S] = 0.0
    tie(table, model.demands, offers, current, model.mfn_issues(table), model.issue_imports(table))
    assert (offers[:, S : 2 * S] == 0.0).all()


@pytest.mark.parametrize("mirrored", [True, False])
def test_a_reform_snap_back_brings_back_chinas_counter_measures_when_mirrored(mirrored):
    scenario = negsim.load_scenario("tag2018", {"demands.us_section301.mirrored": mirrored})
    model = NegotiationModel(scenario, "bilateral", rng=0, collect="none")
    table = _table(model)
    ((k, share_column),) = table.demands.items()
    before = model.tariffs.copy()
    offer = model.issue_values(table)
    offer[share_column] = 0.5
    offer[:S] = model.mfn_issues(table)[:S] + 0.5 * (offer[:S] - model.mfn_issues(table)[:S])
    offer[S : 2 * S] = 0.5 * offer[S : 2 * S]  # China halves its tariffs on US goods
    _agree(model, offer)
    cut = model.tariffs[CN, US].copy()
    model.snap_back(model.deal_table(k))
    assert (model.tariffs[US, CN] >= before[US, CN] - 1e-12).all()  # N12, A4
    if mirrored:  # N16: China's counter-measures come back with the US's tied tariffs
        assert (model.tariffs[CN, US] >= before[CN, US] - 1e-12).all()
    else:  # A4: China's tariffs stay as the deal set them
        np.testing.assert_array_equal(model.tariffs[CN, US], cut)


def test_mirrored_without_tied_is_one_line(capsys):
    status = main(
        [
            "run",
            "--set",
            "demands.us_section301.tied=false",
            "--set",
            "demands.us_section301.mirrored=true",
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2
    assert len(err) == 1 and "mirrored" in err[0] and err[0].startswith("negsim: error: ")
