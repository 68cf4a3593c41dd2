"""Sweeps: experiment definitions, designs, paired seeds, executors and the results store."""

from __future__ import annotations

from negsim.sweeps.experiment import Experiment, ExperimentError, load_results, run_experiment

__all__ = ["Experiment", "ExperimentError", "load_results", "run_experiment"]
