"""The analysis layer's error: input it cannot use, reported as one line."""

from __future__ import annotations


class AnalysisError(ValueError):
    """Input the analysis cannot use; the message is one line naming what is wrong."""
