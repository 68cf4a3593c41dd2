"""Validation: theory checks of the machinery and tag2018 against the 2018-2020 record."""

from __future__ import annotations

from negsim.validation.checks import *  # noqa: F403
