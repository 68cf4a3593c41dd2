"""``exp`` and ``log`` as glibc computes them, written out so that numba can inline them.

A compiled loop that calls ``np.exp`` calls the C library once per element, and the
call cannot be vectorised; the libm calls were about half of a screened batch
(docs/performance.md, "Where the time goes"). These are the algorithms glibc 2.28
and later use on x86-64 with FMA (ARM's optimized-routines, ``math/exp.c`` and
``math/log.c``, with the fused multiply-adds GCC forms in glibc's ``__exp_fma`` and
``__log_fma``), operation for operation, so they return the same bits: the solver's
numbers, and every record, stay those of the libm calls (tests/test_exp_log.py checks
120,000 inputs against the C library; on another C library the records are
glibc's, which makes them the same on every machine).

:func:`exp` and :func:`log` take any input: off the range the algorithms cover
(|x| ≥ 512 for ``exp``; zero, negative, subnormal, infinite or NaN for ``log``) they
call the C library. :func:`exp_fast` has no branch, so a loop of it vectorises; a
loop that uses it tests :func:`exp_in_range` on the way and, if any input is out,
computes the loop again with ``np.exp``.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from negsim.economy.exp_log_tables import EXP, LOG

EXP_TABLE = np.array(EXP, dtype=np.uint64)
LOG_TABLE = np.array(LOG, dtype=np.uint64).view(np.float64)

# exp (optimized-routines math/exp_data.c): x = k·ln2/N + r, N = 128
INV_LN2_N = float.fromhex("0x1.71547652b82fep7")
NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")
NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")
SHIFT = float.fromhex("0x1.8p52")
C2 = float.fromhex("0x1.ffffffffffdbdp-2")
C3 = float.fromhex("0x1.555555555543cp-3")
C4 = float.fromhex("0x1.55555cf172b91p-5")
C5 = float.fromhex("0x1.1111167a4d017p-7")
N_MASK = np.uint64(127)
TOP_SHIFT = np.uint64(45)  # 52 − log2(N)

# log (optimized-routines math/log_data.c)
LN2_HI = float.fromhex("0x1.62e42fefa3800p-1")
LN2_LO = float.fromhex("0x1.ef35793c76730p-45")
A0, A1, A2, A3, A4 = (
    float.fromhex(h)
    for h in ("-0x1.0000000000001p-1", "0x1.555555551305bp-2", "-0x1.fffffffeb4590p-3",
              "0x1.999b324f10111p-3", "-0x1.55575e506c89fp-3")
)  # fmt: skip
B0, B1, B2, B3, B4, B5, B6, B7, B8, B9, B10 = (
    float.fromhex(h)
    for h in ("-0x1p-1", "0x1.5555555555577p-2", "-0x1.ffffffffffdcbp-3", "0x1.999999995dd0cp-3",
              "-0x1.55555556745a7p-3", "0x1.24924a344de30p-3", "-0x1.fffffa4423d65p-4",
              "0x1.c7184282ad6cap-4", "-0x1.999eb43b068ffp-4", "0x1.78182f7afd085p-4",
              "-0x1.5521375d145cdp-4")
)  # fmt: skip
OFF = np.uint64(0x3FE6000000000000)
NEAR_ONE_LO = np.uint64(0x3FEE000000000000)  # bits of 1 − 2^−4
NEAR_ONE_SPAN = np.uint64(0x3FF1090000000000 - 0x3FEE000000000000)  # to 1 + 0x1.09p−4
ONE = np.uint64(0x3FF0000000000000)
SPLIT = 134217728.0  # 2^27


@intrinsic
def fma(typingctx, a, b, c):
    """a·b + c rounded once (LLVM's ``llvm.fma``: the CPU's instruction)."""
    signature = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, sig, args):
        double = args[0].type
        fn = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double] * 3)
        )
        return builder.call(fn, args)

    return signature, codegen


@intrinsic
def bits(typingctx, x):
    """The IEEE bits of a float64 as a uint64."""

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(types.uint64))

    return types.uint64(types.float64), codegen


@intrinsic
def from_bits(typingctx, n):
    """The float64 whose IEEE bits are the uint64 ``n``."""

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(types.float64))

    return types.float64(types.uint64), codegen


@njit(inline="always")
def exp_in_range(x):
    """Whether :func:`exp_fast` returns glibc's ``exp(x)`` (|x| < 512; False for NaN)."""
    return abs(x) < 512.0


@njit(inline="always")
def exp_fast(x):
    """The bits of glibc's ``exp(x)`` for |x| < 512, with no branch (a loop of it vectorises)."""
    table = EXP_TABLE
    kd = INV_LN2_N * x + SHIFT
    ki = bits(kd)
    kd -= SHIFT
    r = fma(kd, NEG_LN2_LO_N, fma(kd, NEG_LN2_HI_N, x))
    idx = np.uint64(2) * (ki & N_MASK)
    tail = from_bits(table[idx])
    scale = from_bits(table[idx + np.uint64(1)] + (ki << TOP_SHIFT))
    r2 = r * r
    tmp = fma(r2 * r2, fma(r, C5, C4), fma(r2, fma(r, C3, C2), tail + r))
    return fma(scale, tmp, scale)


@njit(inline="always")
def exp(x):
    """The bits of glibc's ``exp(x)`` for every x (the C library's call at |x| ≥ 512 or NaN)."""
    return exp_fast(x) if exp_in_range(x) else np.exp(x)


@njit(inline="always")
def log_in_range(x):
    """Whether :func:`log` computes ``log(x)`` itself (x positive, normal and finite)."""
    return bits(x) - np.uint64(0x0010000000000000) < np.uint64(0x7FE0000000000000)


@njit(inline="always")
def _log_near_one(x):
    """log(x) for x within about 1/16 of 1 (glibc's separate path)."""
    r = x - 1.0
    r2 = r * r
    r3 = r * r2
    inner = fma(r3, B10, fma(r2, B9, fma(r, B8, B7)))
    middle = fma(r3, inner, fma(r2, B6, fma(r, B5, B4)))
    outer = fma(r3, middle, fma(r2, B3, fma(r, B2, B1)))
    w = r * SPLIT
    rhi = r + w - w
    rlo = r - rhi
    w = rhi * rhi * B0
    hi = r + w
    lo = r - hi + w
    lo = fma(B0 * rlo, rhi + r, lo)
    return fma(r3, outer, lo) + hi


@njit(inline="always")
def _log_table(x):
    """log(x) = log1p(z/c − 1) + log(c) + k·ln2 by the table of 1/c and log(c)."""
    table = LOG_TABLE
    ix = bits(x)
    tmp = ix - OFF
    i = (tmp >> TOP_SHIFT) & N_MASK
    kd = np.float64(np.int64(tmp) >> np.int64(52))
    z = from_bits(ix - (tmp & (np.uint64(0xFFF) << np.uint64(52))))
    r = fma(z, table[np.uint64(2) * i], -1.0)
    w = fma(kd, LN2_HI, table[np.uint64(2) * i + np.uint64(1)])
    hi = w + r
    lo = fma(kd, LN2_LO, w - hi + r)
    r2 = r * r
    poly = fma(r2, fma(r, A4, A3), fma(r, A2, A1))
    return fma(r * r2, poly, fma(r2, A0, lo)) + hi


@njit(inline="always")
def log(x):
    """The bits of glibc's ``log(x)`` for every x (the C library's call off positive normals)."""
    ix = bits(x)
    if ix == ONE:
        return 0.0
    if ix - NEAR_ONE_LO < NEAR_ONE_SPAN:
        return _log_near_one(x)
    if not log_in_range(x):
        return np.log(x)
    return _log_table(x)
