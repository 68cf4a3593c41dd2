"""Paired seeds: every run's model seed and perturbation draws from one SeedSequence tree.

Run ``(design_point d, replication r)`` takes its seeds from
``numpy.random.SeedSequence(root_seed, spawn_key=(d, r))``, the ``(d, r)``-th child
of ``SeedSequence(root_seed).spawn(...)`` twice over: the model seed is its first 63
bits and the perturbation draws come from its child ``(d, r, 0)``. Every arm of a
design point and replication gets the same seed and the same draws (arms are
paired), and a run's record does not depend on the executor, the number of workers
or the order in which runs finish. A sampled design (lhs, sobol, morris) draws from
``SeedSequence(root_seed, spawn_key=(2**32 - 1,))``, apart from every run.
"""

from __future__ import annotations

import numpy as np

DESIGN_KEY = 2**32 - 1

MODEL_SEED_RULE = (
    "SeedSequence(root_seed, spawn_key=(design_point, replication))"
    ".generate_state(1, uint64)[0] >> 1; the same for every arm"
)
PERTURBATION_RULE = (
    "default_rng(SeedSequence(root_seed, spawn_key=(design_point, replication, 0))), "
    "one uniform per parameter in definition order, inverse CDF"
)


def run_seed(root_seed: int, design_point: int, replication: int) -> int:
    """The model seed of run ``(design_point, replication)``, shared by all arms."""
    ss = np.random.SeedSequence(root_seed, spawn_key=(design_point, replication))
    return int(ss.generate_state(1, np.uint64)[0] >> np.uint64(1))


def perturbation_rng(root_seed: int, design_point: int, replication: int) -> np.random.Generator:
    """The generator of run ``(design_point, replication)``'s perturbation draws."""
    ss = np.random.SeedSequence(root_seed, spawn_key=(design_point, replication, 0))
    return np.random.default_rng(ss)


def design_seed(root_seed: int) -> np.random.SeedSequence:
    """The seed of a sampled design (lhs, sobol, morris), apart from every run's."""
    return np.random.SeedSequence(root_seed, spawn_key=(DESIGN_KEY,))


def shard_of(root_seed: int, design_point: int, replication: int, shards: int) -> int:
    """The shard (0..shards-1) that runs ``(design_point, replication)``, every arm.

    The run's model seed modulo ``shards``: deterministic, about equal shares, the
    arms of a pair in one shard, and unchanged when replications are added later.
    """
    return run_seed(root_seed, design_point, replication) % shards
