"""One validation check, its verdict, and the count of checks that could fail.

A check states its reference, source and tolerance before the run (the targets are
constants in :mod:`negsim.validation.record` and :mod:`negsim.validation.statics`);
the run fills in what was simulated and the verdict. A check that holds because the
model's rules make it hold (a hard bound, a coded rule) is marked
``construction`` with the reason, listed apart and not counted: it cannot fail, so it
tells a referee nothing about the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

HOLDS = "holds"
FAILS = "fails"
REPORTED = "reported"
BY_CONSTRUCTION = "holds by construction"


@dataclass
class Check:
    """One stylised fact or theoretical prediction, its reference and what the run gives.

    Attributes:
        group: heading it belongs to.
        name: the fact, in a few words.
        reference: the reference value or statement.
        source: where the reference comes from.
        tolerance: what counts as agreement, stated before the run.
        simulated: the simulated value, as text (filled in by the run).
        verdict: ``holds``, ``fails``, ``reported`` (no verdict forced) or
            ``holds by construction``.
        note: explanation, above all where the model disagrees.
        construction: why the check holds by construction (empty if it could fail).
        data: numbers behind the verdict (for figures and tests).
    """

    group: str
    name: str
    reference: str
    source: str
    tolerance: str
    simulated: str = ""
    verdict: str = ""
    note: str = ""
    construction: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def could_fail(self) -> bool:
        """True for a check that is counted: it has a verdict and is not true by construction."""
        return self.verdict in (HOLDS, FAILS) and not self.construction


def verdict(ok: bool) -> str:
    """``holds`` or ``fails``."""
    return HOLDS if ok else FAILS


def by_construction(check: Check, reason: str) -> Check:
    """Mark ``check`` as holding by construction, for ``reason``; it is then not counted."""
    check.construction = reason
    check.verdict = BY_CONSTRUCTION
    return check


def counts(checks: Iterable[Check]) -> dict[str, int]:
    """How many checks could fail, hold, fail, hold by construction and are reported."""
    checks = list(checks)
    counted = [c for c in checks if c.could_fail]
    return {
        "could_fail": len(counted),
        "holds": sum(c.verdict == HOLDS for c in counted),
        "fails": sum(c.verdict == FAILS for c in counted),
        "by_construction": sum(c.verdict == BY_CONSTRUCTION for c in checks),
        "reported": sum(c.verdict == REPORTED for c in checks),
    }


def summary_line(checks: Iterable[Check]) -> str:
    """The summary: how many checks could fail, how many of them hold, and the rest."""
    n = counts(checks)
    return (
        f"{n['could_fail']} checks could fail: {n['holds']} hold, {n['fails']} fail. "
        f"Not counted: {n['by_construction']} hold by construction, "
        f"{n['reported']} reported without a verdict."
    )
