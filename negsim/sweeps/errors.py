"""The one exception of the sweeps layer: bad input to an experiment or a results folder."""

from __future__ import annotations


class ExperimentError(ValueError):
    """An experiment definition, sweep request or results folder is invalid.

    The message is one line naming what is wrong and what is allowed; the command
    line prints it as ``negsim: error: ...`` and exits with status 2.
    """
