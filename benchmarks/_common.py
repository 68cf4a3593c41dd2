"""Helpers shared by the benchmarks: one core, machine facts, JSON output, a table round."""

from __future__ import annotations

import json
import os
import platform
import sys

# One core: small matrix products are slower, not faster, with BLAS threads, and the
# targets are per core. Set before numpy is imported by anything else.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")


def machine() -> dict:
    """Core count, load and versions, attached to every figure."""
    import mesa
    import numpy

    import negsim
    from negsim.sweeps.arithmetic import float_paths

    facts = {
        "cores": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "negsim": negsim.__version__,
        "processor": _processor(),
        "float_paths": float_paths(),  # AVX-512 or AVX2 paths run at other speeds too
    }
    negmas = sys.modules.get("negmas")
    if negmas is not None:
        facts["negmas"] = getattr(negmas, "__version__", "?")
    return facts


def _processor() -> str:
    """The CPU's model name (Linux's /proc/cpuinfo), else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def emit(name: str, **figures) -> None:
    """Print one JSON object for one figure."""
    print(json.dumps({"benchmark": name, **figures, **machine()}), file=sys.stdout, flush=True)


def table_round(model, table) -> bool:
    """One negotiation round's work at a table, leaving the model's state as it was.

    The proposer samples candidates, every candidate and the breakdown state are
    evaluated, the proposer chooses, the others answer: what
    ``NegotiationModel._negotiate`` does before it records the offer and changes the
    state. Only the model's random generator advances. Returns whether all accepted.
    In a screened model (the default) candidates are screened and the chosen one is
    solved exactly (model.md E12), as :meth:`CountryAgent.propose` does.
    """
    proposer = model.country_agents[table.proposer()]
    current = table.current(model.tariffs)
    bounds = table.bounds(model.red_lines.lower, model.red_lines.upper)
    offers = proposer.candidates(table, current, bounds)
    payoffs = model.table_payoffs(table, offers, breakdown=True, screened=model.screened)
    utilities, reserves = payoffs.total[:-1], payoffs.total[-1]
    choice, _ = proposer.choose(utilities, reserves, table)
    utility = utilities[choice]
    if model.screened:
        utility = model.table_payoffs(table, offers[choice : choice + 1]).total[0]
    answers = [
        model.country_agents[p].accepts(utility[p], reserves[p], table)
        for p in table.parties
        if p != proposer.index
    ]
    table.turn += 1
    return all(answers)
