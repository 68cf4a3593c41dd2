"""Validation: theory checks, tag2018 against the 2018-2020 record, comparative statics.

Only checks that could fail are counted; checks the rules make true are listed apart
(:mod:`negsim.validation.check`). ``negsim validate`` runs :func:`theory_checks`,
:func:`run_checks` (the record targets, the protocol comparison and the comparative
statics) and writes docs/validation.md with :func:`figures` and :func:`write_report`;
:func:`validate` does all of it in one call.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negsim.scenarios import Scenario, load_scenario
from negsim.validation.check import (
    BY_CONSTRUCTION,
    FAILS,
    HOLDS,
    REPORTED,
    Check,
    counts,
    summary_line,
)
from negsim.validation.metrics import (
    PROTOCOLS,
    add_derived,
    simulate_records,
    start_average,
    trade_weighted,
)
from negsim.validation.protocols import protocol_checks
from negsim.validation.record import OSSA_NASH_TARIFF, TARGETS, Target, record_checks
from negsim.validation.report import figures, write_report
from negsim.validation.statics import MECHANISMS, SEEDS, Expect, Mechanism, mechanism_checks
from negsim.validation.theory import theory_checks

__all__ = [
    "BY_CONSTRUCTION",
    "FAILS",
    "HOLDS",
    "MECHANISMS",
    "OSSA_NASH_TARIFF",
    "PROTOCOLS",
    "REPORTED",
    "SEEDS",
    "TARGETS",
    "Check",
    "Expect",
    "Mechanism",
    "Target",
    "add_derived",
    "counts",
    "figures",
    "mechanism_checks",
    "protocol_checks",
    "record_checks",
    "run_checks",
    "simulate_records",
    "start_average",
    "summary_line",
    "theory_checks",
    "trade_weighted",
    "validate",
    "write_report",
]


def run_checks(
    records: pd.DataFrame,
    scenario: Scenario | str = "tag2018",
    statics_runs: int | None = SEEDS,
) -> list[Check]:
    """Record targets and the protocol comparison on ``records``, then the statics.

    Args:
        records: runs of the scenario under both protocols (:func:`simulate_records`).
        scenario: the scenario they ran.
        statics_runs: paired seeds per point of the comparative statics (which run
            their own simulations); None leaves the statics out.
    """
    loaded = load_scenario(scenario) if isinstance(scenario, str) else scenario
    checks = record_checks(records, loaded) + protocol_checks(records)
    if statics_runs:
        name = scenario if isinstance(scenario, str) else loaded.name
        checks += mechanism_checks(name, statics_runs)
    return checks


def validate(
    runs: int = 500, out: Path = Path("docs/validation.md"), statics_runs: int = SEEDS
) -> list[Check]:
    """Run every check and write the report with its figures; return the checks."""
    records = simulate_records(runs)
    checks = theory_checks() + run_checks(records, statics_runs=statics_runs)
    names = figures(records, out.parent / "figures")
    write_report(checks, out, names, runs)
    return checks
