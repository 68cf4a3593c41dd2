"""glibc's exp and log written out (negsim.economy.exp_log) against the C library.

The compiled economy calls these instead of the C library so that its loops
vectorise; the records stay the same only if every result has the same bits. Where
the C library is glibc 2.28 or later on a CPU with FMA (the machines the committed
results come from) the bits must be equal; elsewhere glibc's algorithm must still
be within one unit in the last place of the local library (both are accurate to
about half a unit).
"""

from __future__ import annotations

import math
import platform

import numpy as np
import pytest
from numba import njit

from negsim.economy import exp_log


def _glibc_with_fma() -> bool:
    name, version = platform.libc_ver()
    if name != "glibc" or tuple(int(p) for p in version.split(".")[:2]) < (2, 28):
        return False
    try:
        with open("/proc/cpuinfo") as cpu:
            return " fma " in cpu.read()
    except OSError:
        return False


SAME_BITS = _glibc_with_fma()


@njit
def _ours(xs, which):
    out = np.empty_like(xs)
    for i in range(xs.shape[0]):
        out[i] = exp_log.exp(xs[i]) if which == 0 else exp_log.log(xs[i])
    return out


@njit
def _fast_loop(xs):
    """A loop as the economy writes it: the fast path, and the C library if any is out."""
    out = np.empty_like(xs)
    ok = True
    for i in range(xs.shape[0]):
        ok &= exp_log.exp_in_range(xs[i])
        out[i] = exp_log.exp_fast(xs[i])
    if not ok:
        for i in range(xs.shape[0]):
            out[i] = np.exp(xs[i])
    return out


def _libm(xs: np.ndarray, f) -> np.ndarray:
    return np.array([f(float(x)) for x in xs])


def _agree(ours: np.ndarray, libm: np.ndarray) -> None:
    if SAME_BITS:
        assert np.array_equal(ours.view(np.uint64), libm.view(np.uint64))
    else:
        assert np.allclose(ours, libm, rtol=2.3e-16, atol=0.0)


RNG = np.random.default_rng(20181)

EXP_INPUTS = {
    "log prices near the start": RNG.normal(0.0, 0.05, 20_000),
    "powers p^-eps": RNG.uniform(-30.0, 30.0, 20_000),
    "wide": RNG.uniform(-511.9, 511.9, 20_000),
    "tiny": RNG.uniform(-1e-15, 1e-15, 2_000) * RNG.choice([1e-10, 1.0], 2_000),
}
LOG_INPUTS = {
    "tariff ratios near 1 (glibc's separate path)": RNG.uniform(0.93, 1.07, 20_000),
    "price indices": RNG.uniform(0.5, 2.0, 20_000),
    "many orders of magnitude": np.exp(RNG.uniform(-690.0, 700.0, 20_000)),
}


@pytest.mark.parametrize("name", list(EXP_INPUTS))
def test_exp_matches_the_c_library(name: str) -> None:
    xs = EXP_INPUTS[name]
    _agree(_ours(xs, 0), _libm(xs, math.exp))
    _agree(_fast_loop(xs), _libm(xs, math.exp))


@pytest.mark.parametrize("name", list(LOG_INPUTS))
def test_log_matches_the_c_library(name: str) -> None:
    xs = LOG_INPUTS[name]
    _agree(_ours(xs, 1), _libm(xs, math.log))


def test_exp_off_the_fast_range_is_the_c_library_s() -> None:
    xs = np.array([0.0, -0.0, 512.0, -600.0, 709.7, 710.0, -744.5, -800.0, np.inf, -np.inf])
    expected = np.array([1.0, 1.0, math.exp(512.0), math.exp(-600.0), math.exp(709.7),
                         np.inf, 5e-324, 0.0, np.inf, 0.0])  # fmt: skip
    assert np.array_equal(_ours(xs, 0), expected)
    assert np.array_equal(_fast_loop(xs), expected)  # one input out: the whole loop redone
    assert np.isnan(_ours(np.array([np.nan]), 0)[0])


def test_log_off_the_normal_positives_is_the_c_library_s() -> None:
    tiny = 5e-324  # the smallest subnormal: log = −1074 ln 2
    xs = np.array([1.0, 0.0, tiny, np.inf])
    expected = np.array([0.0, -np.inf, -1074 * math.log(2.0), np.inf])
    assert np.allclose(_ours(xs, 1), expected, rtol=1e-15)
    assert np.isnan(_ours(np.array([-1.0, np.nan]), 1)).all()


def test_the_lanes_prices_take_the_c_library_where_one_lane_is_far_off() -> None:
    from negsim.economy import lane_block

    m, s, width = 2, 2, 8
    n, cells = m * s, m * m * s
    u = RNG.normal(0.0, 0.05, (n, width))
    u[1, 3] = 600.0  # one lane far off: exp(600) ~ 3.8e260, exp(−4·600) = 0
    eps = np.array([4.0, 6.0])
    income = RNG.uniform(1.0, 2.0, n)
    alpha = np.full((m, s), 0.5)
    w, net, theta = (RNG.uniform(0.1, 0.9, (cells, width)) for _ in range(3))
    buffers = (
        np.empty((cells, width)), np.empty((cells, width)), np.empty((n, width)),
        np.empty((n, width)), np.empty((m, width)), np.empty((n, width)),
        np.empty((m, width)), np.empty((n, width)), np.empty(width), np.empty(width),
    )  # fmt: skip
    lane_block.state(u, w, net, theta, alpha, income, np.zeros(m), eps, width, buffers)
    out, power = buffers[3], buffers[7]
    for a in range(n):
        expected_out = _libm(u[a], math.exp) * income[a]
        expected_power = _libm(-eps[a % s] * u[a], math.exp)
        _agree(out[a], expected_out)
        _agree(power[a], expected_power)
    assert power[1, 3] == 0.0 and out[1, 3] == math.exp(600.0) * income[1]
