"""Check that a change leaves records alone: dump full records, compare two dumps.

``dump`` runs tag2018 for seeds ``0..seeds-1`` under both protocols and both solves
(``"screened"``, ``"exact"``) and pickles, per run, the flat record
(``Outcome.to_record``), the agreements, every offer made and the state of the run's
generator at its end (so that a change in the random draws shows even when the
record does not). Run it with the interpreter of each version (each has its own
editable install), then ``compare`` the two files: it prints one JSON line, with
the number of runs compared and those that differ (bitwise: floats must be equal,
NaN equal to NaN).

Run::

    /work/venv/bin/python benchmarks/record_identity.py dump main.pkl --seeds 200
    python benchmarks/record_identity.py dump branch.pkl --seeds 200
    python benchmarks/record_identity.py compare main.pkl branch.pkl
"""

# ruff: noqa: I001  (_common first: it pins BLAS to one thread before numpy loads)
from __future__ import annotations

import argparse
import math
import pickle
from typing import Any

from _common import emit

import numpy as np

from negsim.negotiation.model import NegotiationModel, release

PROTOCOLS = ("bilateral", "multilateral")
SOLVES = ("screened", "exact")


def run_record(scenario: str, protocol: str, seed: int, solve: str) -> dict[str, Any]:
    """Everything a run leaves behind that a speed-up must not change."""
    model = NegotiationModel(scenario, protocol=protocol, rng=seed, collect="none", solve=solve)
    outcome = model.run()
    out = {
        "record": outcome.to_record(),
        "agreements": outcome.agreements,
        "offers": model.offers,
        "rng": model.rng.bit_generator.state,
    }
    release(model)
    return out


def same(a: Any, b: Any) -> bool:
    """Exact equality of nested records (arrays elementwise, NaN equal to NaN)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def main() -> None:
    """Dump or compare."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    dump = sub.add_parser("dump")
    dump.add_argument("path")
    dump.add_argument("--seeds", type=int, default=200)
    dump.add_argument("--scenario", default="tag2018")
    compare = sub.add_parser("compare")
    compare.add_argument("first")
    compare.add_argument("second")
    args = parser.parse_args()
    if args.command == "dump":
        runs = {
            (protocol, solve, seed): run_record(args.scenario, protocol, seed, solve)
            for protocol in PROTOCOLS
            for solve in SOLVES
            for seed in range(args.seeds)
        }
        with open(args.path, "wb") as handle:
            pickle.dump(runs, handle)
        emit("record_identity_dump", path=args.path, runs=len(runs))
        return
    with open(args.first, "rb") as handle:
        first = pickle.load(handle)
    with open(args.second, "rb") as handle:
        second = pickle.load(handle)
    keys = sorted(set(first) | set(second))
    differ = [
        list(k) for k in keys if k not in first or k not in second or not same(first[k], second[k])
    ]
    emit("record_identity", runs=len(keys), differ=len(differ), first_differing=differ[:10])


if __name__ == "__main__":
    main()
