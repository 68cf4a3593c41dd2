"""Shared fixtures: the built-in scenarios and their worlds."""

from __future__ import annotations

import pytest

from negsim.economy import World
from negsim.payoffs import PayoffModel
from negsim.scenarios import load_scenario


@pytest.fixture(scope="session")
def tag2018():
    return load_scenario("tag2018")


@pytest.fixture(scope="session")
def symmetric():
    return load_scenario("symmetric")


@pytest.fixture(scope="session")
def tag_world(tag2018):
    return World.from_scenario(tag2018)


@pytest.fixture(scope="session")
def tag_payoffs(tag2018, tag_world):
    return PayoffModel.from_scenario(tag2018, tag_world)
