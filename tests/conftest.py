"""Shared fixtures: the built-in scenarios and their worlds, and the experiment scripts."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

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


EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def load_experiment(name: str):
    """The script ``experiments/<name>.py`` as a module (its ``main`` not run).

    As when run, the scripts' folder is on ``sys.path`` (scripts import each other).
    """
    if str(EXPERIMENTS) not in sys.path:
        sys.path.append(str(EXPERIMENTS))
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def experiment():
    """A loader of the experiment scripts: ``experiment("knife_edges")``."""
    return load_experiment


def refuses_too_few_runs(script) -> None:
    """``script --runs 1`` ends with one line naming ``--runs``, exit 2, nothing printed."""
    done = subprocess.run(
        [sys.executable, script.__file__, "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--runs" in done.stderr.splitlines()[-1] and "Traceback" not in done.stderr
    assert done.stdout == ""
