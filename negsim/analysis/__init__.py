"""Analysis: comparing outcome distributions (metrics, statistics, figures, the report)."""

from __future__ import annotations

from negsim.analysis.core import *  # noqa: F403
