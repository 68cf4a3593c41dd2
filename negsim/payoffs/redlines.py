"""Red lines: bounds on tariffs beyond which a package is unratifiable (model.md, Red lines).

This module knows nothing of Mesa, files or the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from negsim.scenarios import Scenario


class RedLines:
    """Bounds on tariffs that some country will never ratify a package beyond.

    Args:
        lower, upper: bounds on tariffs[j, i, s], shape (n+1, n+1, S).
    """

    def __init__(self, lower: np.ndarray, upper: np.ndarray) -> None:
        self.lower = lower
        self.upper = upper

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> RedLines:
        """Collect the red lines of a scenario, with ``protocol.max_tariff`` as ceiling."""
        codes, sectors = scenario.codes, scenario.sectors
        m, s = len(codes), len(sectors)
        lower = np.zeros((m, m, s))
        upper = np.full((m, m, s), scenario.protocol.max_tariff)
        for line in scenario.red_lines.values():
            j, i, k = (
                codes.index(line.importer),
                codes.index(line.exporter),
                sectors.index(line.sector),
            )
            if line.floor is not None:
                lower[j, i, k] = max(lower[j, i, k], line.floor)
            if line.ceiling is not None:
                upper[j, i, k] = min(upper[j, i, k], line.ceiling)
        return cls(lower, upper)

    def satisfied(self, tariffs: np.ndarray, tolerance: float = 1e-9) -> np.ndarray:
        """Whether each state in a batch (K, n+1, n+1, S) respects every red line, (K,)."""
        crossed_floor = tariffs < self.lower - tolerance
        crossed_ceiling = tariffs > self.upper + tolerance
        crossed = (crossed_floor | crossed_ceiling).reshape(*tariffs.shape[:-3], -1)
        return np.asarray(~crossed.any(axis=-1))
