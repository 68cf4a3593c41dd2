"""The ``negsim`` command line (:mod:`negsim.cli.main`)."""

from __future__ import annotations

from negsim.cli.main import cli, main

__all__ = ["cli", "main"]
