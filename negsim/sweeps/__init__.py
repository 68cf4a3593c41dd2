"""Sweeps: experiment definitions, designs, paired seeds, executors and the results store.

- :mod:`~negsim.sweeps.definition`: :class:`Experiment` (scenario, arms, design,
  perturbations, replications, root seed), read from TOML and checked;
- :mod:`~negsim.sweeps.distributions`: perturbations as frozen ``scipy.stats``
  distributions (a pydantic union keyed on ``dist``);
- :mod:`~negsim.sweeps.designs`: grid, Latin hypercube, Sobol' and Morris designs;
- :mod:`~negsim.sweeps.seeds`: the SeedSequence tree that pairs arms, and shards;
- :mod:`~negsim.sweeps.runs`: one run as a worker does it;
- :mod:`~negsim.sweeps.executors`: in-process, local processes, Dask;
- :mod:`~negsim.sweeps.runner`: :func:`run_experiment`, the sweep loop;
- :mod:`~negsim.sweeps.session`, :mod:`~negsim.sweeps.folder`: a folder's checks and lock;
- :mod:`~negsim.sweeps.store`, :mod:`~negsim.sweeps.manifest`, :mod:`~negsim.sweeps.columns`:
  Parquet parts that check themselves, the manifest, the column order;
- :mod:`~negsim.sweeps.atomic`: atomic writes (also used by the analysis);
- :mod:`~negsim.sweeps.progress`: the progress bar (rich).

Example::

    from negsim.sweeps import Experiment, load_results, run_experiment

    exp = Experiment.from_file("experiments/bilateral_vs_multilateral.toml")
    summary = run_experiment(exp, workers=2, out="results/bilateral_vs_multilateral")
    df = load_results(summary.out)
"""

from __future__ import annotations

from negsim.sweeps.definition import Experiment, resolve_experiment
from negsim.sweeps.errors import ExperimentError
from negsim.sweeps.manifest import read_manifest
from negsim.sweeps.runner import SweepSummary, plan_sweep, run_experiment
from negsim.sweeps.store import load_results, resolve_results_folder

__all__ = [
    "Experiment",
    "ExperimentError",
    "SweepSummary",
    "load_results",
    "plan_sweep",
    "read_manifest",
    "resolve_experiment",
    "resolve_results_folder",
    "run_experiment",
]
