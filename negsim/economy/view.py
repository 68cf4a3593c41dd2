"""The economist's view of a world before any talks (``negsim economy``).

Each economy's unilateral optimal tariffs by sector (the others at the start), a
full trade war (iterated mutual best responses, every economy including ROW
optimising) and real income at free trade, at the start and at war, all relative
to the start, in % of own GDP (model.md E8, E10).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from negsim.economy.policy import optimal_tariffs, trade_war
from negsim.economy.world import World


def economy_view(world: World) -> dict[str, Any]:
    """The view as plain data (JSON-ready).

    Returns:
        ``{"codes", "sectors", "optimal_tariff": country -> sector -> fraction,
        "war": {"tariffs": importer -> exporter -> sector -> fraction},
        "welfare": {"free_trade" | "start" | "war": country -> % of GDP}}``.
    """
    codes, sectors = world.codes, world.sectors
    optimum = optimal_tariffs(world)
    war = trade_war(world)
    free = np.zeros_like(world.base_tariffs)
    welfare = world.welfare(np.stack([free, world.base_tariffs, war]))
    welfare[np.abs(welfare) < 1e-9] = 0.0  # the start is 0 up to rounding: no "-0.000"
    return {
        "codes": codes,
        "sectors": sectors,
        "optimal_tariff": {
            c: {s: float(optimum[j, k]) for k, s in enumerate(sectors)} for j, c in enumerate(codes)
        },
        "war": {
            "tariffs": {
                importer: {
                    exporter: {s: float(war[j, i, k]) for k, s in enumerate(sectors)}
                    for i, exporter in enumerate(codes)
                    if i != j
                }
                for j, importer in enumerate(codes)
            }
        },
        "welfare": {
            name: {c: float(welfare[row, j]) for j, c in enumerate(codes)}
            for row, name in enumerate(("free_trade", "start", "war"))
        },
    }


def view_lines(view: dict[str, Any]) -> list[str]:
    """The view as readable text lines."""
    codes, sectors = view["codes"], view["sectors"]
    width = max(len("300.0"), *(len(s) for s in sectors)) + 2  # tariffs up to the 300% cap
    head = "".join(f"{s:>{width}}" for s in sectors)
    lines = ["Unilateral optimal MFN tariffs (others at the start), %:", f"{'':6}{head}"]
    for c in codes:
        row = "".join(f"{100 * view['optimal_tariff'][c][s]:>{width}.1f}" for s in sectors)
        lines.append(f"{c:6}{row}")
    lines += ["", "Trade war (iterated best responses), MFN tariffs, %:", f"{'':6}{head}"]
    for j, c in enumerate(codes):
        other = codes[(j + 1) % len(codes)]
        tariffs = view["war"]["tariffs"][c][other]
        lines.append(f"{c:6}" + "".join(f"{100 * tariffs[s]:>{width}.1f}" for s in sectors))
    lines += ["", "Real income, % of GDP relative to the start:"]
    lines.append(f"{'':6}{'free trade':>12}{'start':>12}{'war':>12}")
    for c in codes:
        w = view["welfare"]
        lines.append(f"{c:6}{w['free_trade'][c]:>12.3f}{w['start'][c]:>12.3f}{w['war'][c]:>12.3f}")
    return lines
