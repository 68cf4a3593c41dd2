"""Record checks: tag2018 against the 2018-2020 record (issue 12 item 6).

Each :class:`Target` states its reference, source and tolerance before the run; its
``measure`` reads the bilateral runs (tag2018 as it ships: two tables) and returns
what was simulated and whether the tolerance is met. A target whose record key does
not exist fails and says so: a mechanism the record cannot show is a finding. A
target that the model's rules make true (:func:`construction_reasons`) is listed apart.
Sources: shared/design/calibration-2018.md ([S1] ... [S16]).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negsim.scenarios import Scenario
from negsim.validation.check import Check, by_construction, verdict
from negsim.validation.metrics import add_derived, share, start_balance, trade_weighted

#: Ossa (2014) average Nash tariff [S16]: the full trade war of a calibrated economy.
OSSA_NASH_TARIFF = 0.62
#: Round of the US-Japan signature (7 Oct 2019) counted in months from Sep 2018.
US_JAPAN_SIGNED_ROUND = 13
#: Share of the Phase One purchase commitments China met in 2020-21 (Bown 2022, PIIE).
PHASE_ONE_MET = 0.58

Measure = Callable[[pd.DataFrame, Scenario], tuple[str, bool | None]]


@dataclass(frozen=True)
class Target:
    """A record target stated before the run: what, reference, source, tolerance, how."""

    group: str
    name: str
    reference: str
    source: str
    tolerance: str
    measure: Measure
    note: str = ""


class MissingKey(LookupError):
    """The record has no key for what a target measures."""


def _column(runs: pd.DataFrame, key: str) -> pd.Series:
    if key not in runs:
        raise MissingKey(key)
    return runs[key]


def _prefixed(runs: pd.DataFrame, prefix: str) -> list[str]:
    columns = [c for c in runs.columns if c.startswith(prefix)]
    if not columns:
        raise MissingKey(f"{prefix}*")
    return columns


def _deal_share(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    value = share(_column(runs, "agreement.US-JP") == 1)
    return f"{value:.0%} of {len(runs)} runs", value > 0.5


def _deal_round(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    deals = runs[_column(runs, "agreement.US-JP") == 1]
    rounds = _column(deals, "agreement_round.US-JP")
    if rounds.empty:
        return "no deal in any run", False
    median = float(rounds.median())
    text = (
        f"median round {median:.0f} (10-90%: {rounds.quantile(0.1):.0f}-{rounds.quantile(0.9):.0f})"
    )
    return text, 9 <= median <= 16


def _no_car_tariff(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    at_25 = share(_column(runs, "tariff.US.JP.autos") >= 0.25 - 1e-9)
    return f"25% car tariff in {at_25:.0%} of runs", at_25 < 0.5


def _farm_falls(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    start = scenario.nations["JP"].tariffs["US"]["agriculture"]
    deals = runs[_column(runs, "agreement.US-JP") == 1]
    fell = share(_column(deals, "tariff.JP.US.agriculture") < start - 1e-9)
    return f"below {start:.0%} in {fell:.0%} of {len(deals)} deals", fell > 0.5


def _farm_at_cptpp(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    # CPTPP's tariffs on the US farm basket: the floor of Japan's "TPP levels" red line
    # on it (calibration-2018.md; tag2018 [E from S8]). Japan's tariff on ROW is on
    # another basket (ROW sells Japan other farm goods), so it is not the comparison.
    floors = [
        line.floor
        for line in scenario.red_lines.values()
        if (line.importer, line.exporter, line.sector) == ("JP", "US", "agriculture")
        and line.floor is not None
    ]
    if not floors:
        return "the scenario states no CPTPP level for US farm goods (no red line)", False
    us = float(_column(runs, "tariff.JP.US.agriculture").median())
    level = max(floors)
    text = f"median on US {us:.1%}, CPTPP level on the US basket {level:.1%}"
    return text, abs(us - level) <= 0.03


def _deficit(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    start = start_balance(scenario, "US", "JP")
    balance = _column(runs, "balance.US.JP")
    cut = float((1 - balance / start).median())
    change = f"cut by {cut:.1%}" if cut >= 0 else f"grown by {-cut:.1%}"
    return f"median {balance.median():.1f} USD bn; {change} at the median", cut < 0.5


def _escalation(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    value = share(_column(runs, "coerced.CN") > 0)
    return f"{value:.0%} of runs", value > 0.5


def _truce(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    columns = _prefixed(runs, "truce")
    value = share((runs[columns].fillna(0) > 0).any(axis=1))
    return f"a truce in {value:.0%} of runs ({', '.join(columns)})", 0.1 <= value <= 0.9


def _tariffs_above_start(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    us = trade_weighted(runs, scenario, "US", "CN")
    cn = trade_weighted(runs, scenario, "CN", "US")
    above = share(add_derived(runs, scenario)["above_start.US-CN"] == 1)
    text = (
        f"US on China median {np.median(us):.1%}, China on US {np.median(cn):.1%}; "
        f"both above start in {above:.0%} of runs"
    )
    return text, above > 0.5


def _below_nash(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    us = trade_weighted(runs, scenario, "US", "CN")
    cn = trade_weighted(runs, scenario, "CN", "US")
    p90 = max(np.quantile(us, 0.9), np.quantile(cn, 0.9))
    return (
        f"90th percentile {p90:.1%} (max {max(us.max(), cn.max()):.1%})",
        p90 < OSSA_NASH_TARIFF / 2,
    )


def _japan_no_retaliation(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    coerced = runs[_column(runs, "coerced.JP") > 0]
    if coerced.empty:
        return "never coerced", True
    value = share(_column(coerced, "retaliations.JP") > 0)
    return f"retaliated in {value:.0%} of the {len(coerced)} runs where coerced", not value >= 0.5


def _china_retaliates(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    coerced = runs[_column(runs, "coerced.CN") > 0]
    value = share(_column(coerced, "retaliations.CN") > 0)
    return f"retaliated in {value:.0%} of the {len(coerced)} runs where coerced", value > 0.5


def _purchases_agreed(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool]:
    columns = [c for c in runs.columns if c.startswith(("commitment.CN.US", "purchase"))]
    if not columns:
        raise MissingKey("commitment.CN.US.*")
    agreed = runs[_column(runs, "agreement.US-CN") == 1] if "agreement.US-CN" in runs else runs
    value = share((agreed[columns].fillna(0) > 0).any(axis=1))
    return f"commitments in {value:.0%} of {len(agreed)} US-China deals", value > 0.5


def _purchases_met(runs: pd.DataFrame, scenario: Scenario) -> tuple[str, bool | None]:
    key = "compliance.US-CN"
    committed = [c for c in runs.columns if c.startswith("commitment.CN.US")]
    if key not in runs or not committed:
        raise MissingKey(key)
    held = runs[(runs[committed].fillna(0) > 0).any(axis=1)]
    met = held[key].dropna()
    if met.empty:
        return "no commitment to meet", False
    return f"median {met.median():.0%} met", abs(met.median() - PHASE_ONE_MET) <= 0.2


US_JP, US_CN, RETALIATION = "US-Japan", "US-China", "Retaliation"

TARGETS: tuple[Target, ...] = (
    Target(
        US_JP,
        "a deal in most runs",
        "signed 7 Oct 2019, in force 1 Jan 2020",
        "[S1]",
        "> 50% of runs",
        _deal_share,
    ),
    Target(
        US_JP,
        "the deal comes in round 9-16",
        f"signed in round {US_JAPAN_SIGNED_ROUND} "
        "(Oct 2019); talks only 90 days after the notice to Congress rule out 2018",
        "[S1]; issue 12",
        "median round of deals in 9-16",
        _deal_round,
    ),
    Target(
        US_JP,
        "no 25% car tariff in most runs",
        "Section 232 car tariff never imposed",
        "[S1]",
        "< 50% of runs at 25%",
        _no_car_tariff,
    ),
    Target(
        US_JP,
        "Japan's farm tariff on US goods falls",
        "cut on $7.2bn of US farm goods",
        "[S1, S8]",
        "> 50% of deals below the Sep 2018 level",
        _farm_falls,
    ),
    Target(
        US_JP,
        "... to about CPTPP levels",
        "US farm goods get CPTPP tariffs",
        "[S1, S8]",
        "median within 3 pp of the CPTPP level on US farm goods (the red line's floor)",
        _farm_at_cptpp,
    ),
    Target(
        US_JP,
        "the US deficit with Japan shrinks less than half",
        "-67.6 USD bn in 2018; the aim was to eliminate it",
        "seed text; [S1]",
        "median cut < 50%",
        _deficit,
    ),
    Target(
        US_CN,
        "escalation beyond Sep 2018 in most runs",
        "Jan/May 2019 list 3 to 25%, Sep 2019 list 4A",
        "[S7]",
        "US puts a new tariff in force in > 50% of runs",
        _escalation,
    ),
    Target(
        US_CN,
        "a truce in a share of runs",
        "G20 Buenos Aires truce, 1 Dec 2018",
        "[S7]",
        "10-90% of runs",
        _truce,
    ),
    Target(
        US_CN,
        "tariffs end above the start",
        "Phase One kept 25% on $250bn; China kept most of its retaliation",
        "[S7]",
        "both trade-weighted averages above Sep 2018 in > 50% of runs",
        _tariffs_above_start,
    ),
    Target(
        US_CN,
        "... far below the full trade war",
        "Nash tariffs ~62% on average",
        "Ossa 2014 [S16]",
        "90th percentile of both averages < 31% (half the Nash tariff)",
        _below_nash,
    ),
    Target(
        US_CN,
        "purchase commitments agreed",
        "$200bn over 2020-21 in Phase One",
        "[S7]",
        "in > 50% of US-China deals",
        _purchases_agreed,
    ),
    Target(
        US_CN,
        "... and partly met",
        f"{PHASE_ONE_MET:.0%} met (Bown 2022, PIIE)",
        "Bown 2022",
        "median share met within 20 pp of 58%",
        _purchases_met,
    ),
    Target(
        RETALIATION,
        "Japan does not retaliate against US coercion",
        "no retaliation against the 2018 steel tariffs",
        "[S6]",
        "< 50% of runs where Japan is coerced",
        _japan_no_retaliation,
    ),
    Target(
        RETALIATION,
        "China does",
        "retaliated against every US round in 2018-19",
        "[S7]",
        "> 50% of runs where China is coerced",
        _china_retaliates,
    ),
)


def construction_reasons(runs: pd.DataFrame, scenario: Scenario) -> dict[str, str]:
    """Why some targets hold by construction in these runs (name -> reason).

    - "far below the full trade war": no rule can raise a tariff above the highest
      start tariff plus the highest threat level, when that sum is below the tolerance;
    - "Japan does not retaliate": Japan was never coerced, so it had nothing to
      retaliate against.
    """
    reasons = {}
    bound = max(
        max(max(r.values()) for r in nation.tariffs.values())
        for nation in scenario.nations.values()
    ) + max((t.level for t in scenario.threats.values()), default=0.0)
    if bound < OSSA_NASH_TARIFF / 2:
        reasons["... far below the full trade war"] = (
            f"no tariff can exceed the highest start tariff plus the highest threat level "
            f"({bound:.0%}) unless a rule sets tariffs above it"
        )
    if "coerced.JP" in runs and not (runs["coerced.JP"] > 0).any():
        reasons["Japan does not retaliate against US coercion"] = (
            "Japan was coerced in none of the runs (the car threat is suspended while talks "
            "go on), so it had nothing to retaliate against"
        )
    return reasons


def measure(target: Target, runs: pd.DataFrame, scenario: Scenario) -> Check:
    """Run one target on the runs: fill in what was simulated and the verdict."""
    check = Check(
        target.group,
        target.name,
        target.reference,
        target.source,
        target.tolerance,
        note=target.note,
    )
    try:
        simulated, ok = target.measure(runs, scenario)
    except MissingKey as exc:
        check.simulated = f"the record has no `{exc.args[0]}` key"
        check.verdict = verdict(False)
        check.note = (
            f"The model does not produce what this target measures (no "
            f"`{exc.args[0]}` in the record): a missing mechanism."
        )
        return check
    check.simulated = simulated
    check.verdict = verdict(bool(ok))
    return check


def record_checks(records: pd.DataFrame, scenario: Scenario) -> list[Check]:
    """Every target measured on the bilateral runs of ``records``."""
    runs = records[records["protocol"] == "bilateral"] if "protocol" in records else records
    reasons = construction_reasons(runs, scenario)
    checks = []
    for target in TARGETS:
        check = measure(target, runs, scenario)
        if target.name in reasons:
            by_construction(check, reasons[target.name])
        checks.append(check)
    return checks + structural_checks(runs, scenario)


def structural_checks(runs: pd.DataFrame, scenario: Scenario) -> list[Check]:
    """Facts the rules make true, shown with their measurement and never counted."""
    checks = []
    floor_line = scenario.red_lines.get("jp_farm_tpp")
    if (
        floor_line is not None
        and floor_line.floor is not None
        and "tariff.JP.US.agriculture" in runs
    ):
        farm = runs["tariff.JP.US.agriculture"]
        check = Check(
            US_JP,
            "Japan's farm tariff never below the TPP floor",
            f">= {floor_line.floor:.0%}",
            "[S1]",
            "all runs",
            f"minimum {farm.min():.2%}",
        )
        checks.append(by_construction(check, "the red line is a hard bound on every offer"))
    if {"agreement.US-JP", "tariff.US.JP.autos"} <= set(runs.columns):
        autos = runs.loc[runs["agreement.US-JP"] == 1, "tariff.US.JP.autos"]
        check = Check(
            US_JP,
            "no 25% car tariff when there is a deal",
            "no Section 232 car tariff",
            "[S1]",
            "0% of deals",
            f"{share(autos >= 0.25 - 1e-9):.0%} of deals at 25%",
        )
        checks.append(by_construction(check, "an agreement withdraws the pending threat"))
    return checks
