"""The CPU paths a results folder records, and the pin docs/experiments.md gives."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest
from numpy.lib.introspect import opt_func_info

from negsim.sweeps.arithmetic import PIN_TO_AVX2

x86 = pytest.mark.skipif(
    platform.machine().lower() not in ("x86_64", "amd64"), reason="x86-64 CPU paths"
)


def paths_with(environment: dict[str, str]) -> str:
    """``float_paths()`` in a fresh interpreter (the pin acts before numpy loads)."""
    code = "from negsim.sweeps.arithmetic import float_paths; print(float_paths())"
    env = {**os.environ, **environment}
    command = [sys.executable, "-W", "always", "-c", code]  # -W: numpy's warning on a name
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "cannot disable" not in done.stderr  # numpy knows every target the pin names
    return done.stdout.strip()


@x86
def test_the_pin_puts_an_avx512_machine_on_avx2_paths():
    exp = opt_func_info(func_name="^exp$", signature="float64")["exp"]["dd"]
    if "X86_V4" not in exp["available"]:
        pytest.skip("this numpy has no AVX-512 exp to leave out")
    # the AVX2 paths of any x86-64-v3 CPU: numpy's v3 exp/log, OpenBLAS's Haswell kernels
    assert paths_with(PIN_TO_AVX2) == "numpy exp/log X86_V3, OpenBLAS Haswell"


@x86
def test_without_the_pin_the_kernels_follow_the_cpu_or_the_environment():
    assert paths_with({"OPENBLAS_CORETYPE": "Sandybridge"}).endswith(", OpenBLAS Sandybridge")
