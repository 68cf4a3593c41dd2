"""Knife edges: how much +-10% on each estimated ([E]) parameter of tag2018 moves the headlines.

For every numeric value on a line of ``negsim/scenarios/tag2018.toml`` tagged ``[E``
(an estimate, or an estimate from a source) in its comment or in the comment block
right above it, the value (or every value of a list,
such as a prior's support) is scaled by 0.9 and 1.1 and the headline shares are
measured over the same seeds: the US-Japan deal by round 16, US-China escalation (a
threat executed on China) and both US-China average tariffs above their September
2018 start. A move of more than 20 percentage points is flagged ``KNIFE EDGE``.
Every arm runs the same seeds ``0 .. runs-1`` (paired: the same draws of types and
offers wherever the parameter does not change them), tag2018 as it stands, bilateral.

Rows are printed as they are done, the behavioural parameters first, then the trade
data. Run: ``python experiments/knife_edges.py --runs 100 --workers 2 [--markdown]``
(145 parameters, 2 arms each: 29,100 runs, 378 s measured with 2 workers on the two
shared cores here, about 75 runs a second; ``--only PATH-PREFIX`` for a subset).
"""

from __future__ import annotations

import argparse
import re
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from search_effort import at_least

import negsim
from negsim.economy import World

SCENARIO = Path(negsim.__file__).parent / "scenarios" / "tag2018.toml"
HEADLINES = ("deal_by_16", "escalation", "above_start")
LIMIT = 0.20  # share: a move larger than this is a knife edge (issue 12 item 7)


def estimated_paths(text: str) -> list[str]:
    """Dotted paths of the numeric values on lines tagged ``[E`` (floats, or lists of floats)."""
    data = tomllib.loads(text)
    section: list[str] = []
    paths = []
    above = ""  # the comment block right above a line
    for line in text.splitlines():
        if line.startswith("#"):
            above += line
            continue
        header = re.match(r"^\[([^\]]+)\]", line)
        key = re.match(r"^([A-Za-z_][\w]*)\s*=", line)
        tagged = "[E" in line.partition("#")[2] or "[E" in above
        above = ""
        if header:
            section = header.group(1).split(".")
            continue
        if not key or not tagged:
            continue
        path = [*section, key.group(1)]
        paths += [".".join(p) for p in _numeric_leaves(path, _get(data, path))]
    return paths


def _get(data: dict, path: list[str]) -> Any:
    for part in path:
        data = data[part]
    return data


def _numeric_leaves(path: list[str], value: Any) -> list[list[str]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _numeric_leaves([*path, k], v)]
    if isinstance(value, float) and value != 0.0:
        return [path]
    if isinstance(value, list) and value and all(isinstance(v, float) for v in value):
        if any(v != 0.0 for v in value) and path[-1] != "weights":
            return [path]
    return []


def scaled(value: Any, factor: float) -> Any:
    """A value (or each value of a list) times ``factor``."""
    if isinstance(value, list):
        return [v * factor for v in value]
    return value * factor


def headlines(scenario: negsim.Scenario, seeds: range) -> dict[str, float]:
    """The headline shares of a scenario over seeds (bilateral protocol)."""
    world = World.from_scenario(scenario)
    codes = scenario.codes
    us, cn = codes.index("US"), codes.index("CN")
    start = {
        (j, i): (world.base_imports[j, i] * world.base_tariffs[j, i]).sum()
        / world.base_imports[j, i].sum()
        for j, i in ((us, cn), (cn, us))
    }
    counts = dict.fromkeys(HEADLINES, 0.0)
    for seed in seeds:
        outcome = negsim.simulate(scenario, "bilateral", seed)
        record = outcome.to_record()
        round_ = record["agreement_round.US-JP"]
        counts["deal_by_16"] += float(record["agreement.US-JP"] == 1 and round_ <= 16)
        counts["escalation"] += float(record["coerced.CN"] > 0)
        above = all(
            (world.base_imports[j, i] * outcome.tariffs[j, i]).sum()
            / world.base_imports[j, i].sum()
            > start[j, i] + 1e-9
            for j, i in start
        )
        counts["above_start"] += float(above)
    return {k: v / len(seeds) for k, v in counts.items()}


def arm(path: str, value: Any, factor: float, runs: int) -> dict[str, float] | str:
    """The headline shares with ``path`` scaled by ``factor``, or why that is not allowed."""
    np.seterr(all="ignore")
    try:
        scenario = negsim.load_scenario("tag2018", {path: scaled(value, factor)})
    except negsim.ScenarioError as exc:  # outside the parameter's range: no arm
        return str(exc).split(": ")[-1]
    return headlines(scenario, range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=at_least(2), default=200, help="seeds per arm (paired)")
    parser.add_argument("--workers", type=at_least(1), default=1, help="processes")
    parser.add_argument("--only", default="", help="only paths starting with this")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table")
    args = parser.parse_args()
    began = time.perf_counter()
    text = SCENARIO.read_text()
    data = tomllib.loads(text)
    paths = [p for p in estimated_paths(text) if p.startswith(args.only)]
    if not paths:
        parser.error(f"--only {args.only}: no estimated parameter of tag2018 starts with it")
    base = headlines(negsim.load_scenario("tag2018"), range(args.runs))
    paths.sort(key=_is_trade_data)  # behaviour first, then the trade data (stable)
    print(
        f"tag2018, bilateral, {args.runs} paired seeds per arm, {len(paths)} parameters; "
        f"shares (deal by 16, escalation, above start); base {_shares(base)}"
    )
    row = "| {} | {} | {} | {} | {} |" if args.markdown else "{:42s} {:>10s}  {:16s} {:16s} {}"
    print(row.format("parameter", "value", "-10%", "+10%", "max move"))
    if args.markdown:
        print("|---|---|---|---|---|")
    jobs = [(p, _get(data, p.split(".")), f, args.runs) for p in paths for f in (0.9, 1.1)]
    edges = []
    with ProcessPoolExecutor(args.workers) as pool:
        arms = pool.map(arm, *zip(*jobs, strict=True), chunksize=1)  # in order, as done
        for path in paths:
            low, high = next(arms), next(arms)
            moved = [r for r in (low, high) if isinstance(r, dict)]
            move = max((abs(r[h] - base[h]) for r in moved for h in HEADLINES), default=0.0)
            flag = " KNIFE EDGE" if move > LIMIT else ""
            if flag:
                edges.append(path)
            value = _get(data, path.split("."))
            shown = f"{value:.4g}" if not isinstance(value, list) else "list"
            print(
                row.format(path, shown, _shown(low), _shown(high), f"{100 * move:.1f} pp{flag}"),
                flush=True,
            )
    print(f"knife edges (> {100 * LIMIT:.0f} pp): {', '.join(edges) or 'none'}")
    print(noise_note(args.runs))
    print(f"{2 * len(paths) * args.runs + args.runs} runs in {time.perf_counter() - began:.0f} s")


def noise_note(runs: int) -> str:
    """How large a move of a share is noise at ``runs`` seeds per arm (95%, the worst case).

    A share near one half over ``runs`` seeds has variance at most 1/(4·runs); the
    difference of two such shares at most twice that (no credit taken for pairing),
    so a move within 1.96·sqrt(1/(2·runs)) is within the noise.
    """
    half = 1.96 * np.sqrt(1.0 / (2 * runs))
    note = f"moves up to {100 * half:.0f} pp can be noise at {runs} runs per arm (95%)"
    if half >= LIMIT:
        fewest = int(np.ceil((1.96 / LIMIT) ** 2 / 2))
        note += f": too few to resolve the {100 * LIMIT:.0f} pp limit (use --runs {fewest} or more)"
    return note


def _is_trade_data(path: str) -> bool:
    """Whether ``path`` is a trade flow or tariff of the calibration (E1-E10 data)."""
    return path.split(".")[1:2] in (["exports"], ["tariffs"])


def _shown(row: dict[str, float] | str) -> str:
    return _shares(row) if isinstance(row, dict) else f"not allowed ({row})"


def _shares(row: dict[str, float]) -> str:
    return " ".join(f"{row[k]:.2f}" for k in HEADLINES)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
