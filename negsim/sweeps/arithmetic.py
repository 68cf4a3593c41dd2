"""Which CPU-specific code paths a run's floating-point arithmetic takes.

numpy picks its vectorised ``exp`` and ``log`` by CPU (x86-64-v3, AVX2, or v4,
AVX-512) and OpenBLAS its matrix kernels (Haswell, SkylakeX, Zen, ...). The paths
round differently in the last bits, so the same scenario, protocol and seed give
records that agree to about 1e-13 on two CPUs but not bit for bit (every discrete
field equal: docs/experiments.md, "On other machines"). A results folder records
the paths of the run that made it, and a resumed sweep says when they differ, so
runs from two CPUs are not mixed unknowingly. Both can be pinned before numpy is
imported (``NPY_DISABLE_CPU_FEATURES``, ``OPENBLAS_CORETYPE``).
"""

from __future__ import annotations

#: The environment that puts an AVX-512 machine on the paths of an AVX2 one (numpy 2.4's
#: names of its AVX-512 targets); set before numpy is imported.
PIN_TO_AVX2 = {
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    "OPENBLAS_CORETYPE": "Haswell",
}


def float_paths() -> str:
    """The paths in use here, as text: ``"numpy exp/log X86_V3, OpenBLAS Haswell"``.

    ``unknown`` for a part that cannot be read (numpy before 2.0 has no
    ``opt_func_info``; a BLAS other than OpenBLAS reports no architecture).
    """
    return f"numpy exp/log {_numpy_path()}, OpenBLAS {_blas_path()}"


def _numpy_path() -> str:
    try:
        from numpy.lib.introspect import opt_func_info
    except ImportError:
        return "unknown"
    found = opt_func_info(func_name="^(exp|log)$", signature="float64")
    paths = sorted({target["current"] for func in found.values() for target in func.values()})
    return "+".join(paths) if paths else "unknown"


def _blas_path() -> str:
    import numpy  # noqa: F401  (loads numpy's OpenBLAS, which threadpoolctl then reads)
    from threadpoolctl import threadpool_info

    libraries = [lib for lib in threadpool_info() if lib["internal_api"] == "openblas"]
    cores = sorted({str(lib.get("architecture")) for lib in libraries})
    return "+".join(cores) if cores else "unknown"
