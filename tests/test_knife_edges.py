"""The knife-edge script finds the estimated parameters and scales them (issue 12 item 7)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def knife(experiment):
    return experiment("knife_edges")


def test_only_values_tagged_as_estimates_are_listed(knife):
    text = """
[a]
x = 0.5          # a value [E]
y = 0.5          # a sourced value [S1]
# a block above a line counts [E from S2]
z = 2.0
w = 0.0          # zero cannot be scaled by a share [E]
[b.c]
v = [0.1, 0.2]   # a prior's support [E]
weights = [0.5, 0.5]   # weights must sum to 1 [E]
"""
    assert knife.estimated_paths(text) == ["a.x", "a.z", "b.c.v"]


def test_scaling_takes_every_value_of_a_list(knife):
    assert knife.scaled(0.5, 1.1) == pytest.approx(0.55)
    assert knife.scaled([0.1, 0.2], 0.9) == pytest.approx([0.09, 0.18])


def test_the_new_election_cycle_of_lobby_weights_is_checked(knife):
    paths = knife.estimated_paths(knife.SCENARIO.read_text())
    assert {f"{c}.politics.lobby_peak" for c in ("US", "JP", "CN")} <= set(paths)
