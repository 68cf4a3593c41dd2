"""Knife edges: how much +-10% on each estimated ([E]) parameter of tag2018 moves the headlines.

For every numeric value on a line of ``negsim/scenarios/tag2018.toml`` tagged ``[E``
(an estimate, or an estimate from a source) in its comment or in the comment block
right above it, the value (or every value of a list,
such as a prior's support) is scaled by 0.9 and 1.1 and the headline shares are
measured over the same seeds: the US-Japan deal by round 16, US-China escalation (a
threat executed on China) and both US-China average tariffs above their September
2018 start. A move of more than 20 percentage points is flagged ``KNIFE EDGE``.

Run: ``python experiments/knife_edges.py [--runs 100] [--only PATH-PREFIX]``.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="seeds per arm (paired)")
    parser.add_argument("--only", default="", help="only paths starting with this")
    parser.add_argument("--start", default="", help="begin at this path (resume a listing)")
    args = parser.parse_args()
    text = SCENARIO.read_text()
    data = tomllib.loads(text)
    seeds = range(args.runs)
    base = headlines(negsim.load_scenario("tag2018"), seeds)
    print(f"tag2018, bilateral, {args.runs} paired seeds per arm; base: " + _shares(base))
    print(f"{'parameter':42s} {'value':>10s}  -10%: shares        +10%: shares   max move")
    edges = []
    paths = estimated_paths(text)
    if args.start:
        paths = paths[paths.index(args.start) :]
    for path in paths:
        if not path.startswith(args.only):
            continue
        value = _get(data, path.split("."))
        rows = []
        for factor in (0.9, 1.1):
            try:
                scenario = negsim.load_scenario("tag2018", {path: scaled(value, factor)})
            except negsim.ScenarioError as exc:  # outside the parameter's range: no arm
                print(f"{path:42s} x{factor}: not allowed ({str(exc).split(': ')[-1]})")
                rows.append(base)
                continue
            rows.append(headlines(scenario, seeds))
        move = max(abs(row[k] - base[k]) for row in rows for k in HEADLINES)
        flag = "  KNIFE EDGE" if move > LIMIT else ""
        if flag:
            edges.append(path)
        shown = f"{value:.4g}" if not isinstance(value, list) else "list"
        print(
            f"{path:42s} {shown:>10s}  {_shares(rows[0])}  {_shares(rows[1])}  "
            f"{100 * move:5.1f} pp{flag}"
        )
    print(f"knife edges (> {100 * LIMIT:.0f} pp): {', '.join(edges) or 'none'}")


def _shares(row: dict[str, float]) -> str:
    return " ".join(f"{row[k]:.2f}" for k in HEADLINES)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
