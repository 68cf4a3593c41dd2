"""Helpers shared by the benchmarks: machine facts and JSON output."""

from __future__ import annotations

import json
import os
import platform
import sys


def machine() -> dict:
    """Core count and versions, attached to every figure."""
    import mesa
    import numpy

    import negsim

    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "mesa": mesa.__version__,
        "negsim": negsim.__version__,
    }


def emit(name: str, **figures) -> None:
    """Print one JSON object for one figure."""
    print(json.dumps({"benchmark": name, **figures, **machine()}), file=sys.stdout, flush=True)
