"""Perturbation distributions: parameters drawn afresh for every run.

Each distribution is a small pydantic model keyed on ``dist`` (a discriminated union,
:data:`Distribution`) whose :meth:`frozen` is the matching frozen ``scipy.stats``
distribution. A draw is the inverse CDF (``ppf``) of one uniform number of the run's
own stream, so adding a parameter does not change the meaning of the others' draws.

=============== ===================================== ====================================
``dist``        arguments                             scipy.stats
=============== ===================================== ====================================
``uniform``     ``low < high``                        ``uniform(low, high - low)``
``loguniform``  ``0 < low < high``                    ``loguniform(low, high)``
``normal``      ``mean``, ``sd > 0``                  ``norm(mean, sd)``
``truncnormal`` ``mean``, ``sd > 0``, ``low < high``  ``truncnorm`` on ``[low, high]``
``lognormal``   ``mean``, ``sd > 0`` (of the log)     ``lognorm(sd, scale=exp(mean))``
``triangular``  ``low <= mode <= high``, ``low<high`` ``triang``
``integers``    whole ``low <= high``, both included  ``randint(low, high + 1)``
``choice``      ``values`` (one or more)              ``randint(0, len(values))``
=============== ===================================== ====================================
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator


def _stats() -> Any:
    """``scipy.stats``, imported on first use (it is slow to import; most commands need none)."""
    from scipy import stats

    return stats


_FROZEN: dict[str, Any] = {}
_FROZEN_MAX = 1024

Finite = Annotated[float, Field(allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

__all__ = ["DISTRIBUTIONS", "Distribution", "parse_distribution"]


class _Dist(BaseModel):
    """What every distribution shares: a frozen scipy distribution and its ppf."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def frozen(self) -> Any:
        """The frozen ``scipy.stats`` distribution."""
        raise NotImplementedError

    def ppf(self, u: float) -> Any:
        """The value at cumulative probability ``u`` in [0, 1)."""
        return self.ppf_many([u])[0]

    def ppf_many(self, us: Any) -> list[Any]:
        """The values at cumulative probabilities ``us``, in one call to scipy."""
        return [float(v) for v in self.cached().ppf(us)]

    def cached(self) -> Any:
        """:meth:`frozen`, built once per distinct distribution (scipy's are slow to build)."""
        key = self.model_dump_json()
        found = _FROZEN.get(key)
        if found is None:
            if len(_FROZEN) >= _FROZEN_MAX:
                _FROZEN.clear()
            found = _FROZEN[key] = self.frozen()
        return found

    def typical(self) -> Any:
        """A representative value (the median), used to check a path before a sweep."""
        return self.ppf(0.5)


class _Range(_Dist):
    """A distribution on ``[low, high]`` with ``low < high``."""

    low: Finite
    high: Finite

    @model_validator(mode="after")
    def _check_range(self) -> _Range:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self


class Uniform(_Range):
    """``U(low, high)``."""

    dist: Literal["uniform"]

    def frozen(self) -> Any:
        """``scipy.stats.uniform(low, high - low)``."""
        return _stats().uniform(loc=self.low, scale=self.high - self.low)


class LogUniform(_Range):
    """Log-uniform on ``[low, high]``, ``low > 0``."""

    dist: Literal["loguniform"]
    low: Positive

    def frozen(self) -> Any:
        """``scipy.stats.loguniform(low, high)``."""
        return _stats().loguniform(self.low, self.high)


class Normal(_Dist):
    """``N(mean, sd)``."""

    dist: Literal["normal"]
    mean: Finite
    sd: Positive

    def frozen(self) -> Any:
        """``scipy.stats.norm(mean, sd)``."""
        return _stats().norm(loc=self.mean, scale=self.sd)


class TruncNormal(_Range):
    """``N(mean, sd)`` truncated to ``[low, high]``."""

    dist: Literal["truncnormal"]
    mean: Finite
    sd: Positive

    def frozen(self) -> Any:
        """``scipy.stats.truncnorm`` with standardised bounds."""
        a, b = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return _stats().truncnorm(a, b, loc=self.mean, scale=self.sd)


class LogNormal(_Dist):
    """``exp(N(mean, sd))``: ``mean`` and ``sd`` are those of the log."""

    dist: Literal["lognormal"]
    mean: Finite
    sd: Positive

    def frozen(self) -> Any:
        """``scipy.stats.lognorm(sd, scale=exp(mean))``."""
        return _stats().lognorm(self.sd, scale=math.exp(self.mean))


class Triangular(_Range):
    """Triangular on ``[low, high]`` with its peak at ``mode``."""

    dist: Literal["triangular"]
    mode: Finite

    @model_validator(mode="after")
    def _check_mode(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        return self

    def frozen(self) -> Any:
        """``scipy.stats.triang`` with ``c = (mode - low) / (high - low)``."""
        width = self.high - self.low
        return _stats().triang((self.mode - self.low) / width, loc=self.low, scale=width)


class Integers(_Dist):
    """Whole numbers ``low..high``, both included, equally likely."""

    dist: Literal["integers"]
    low: int
    high: int

    @model_validator(mode="after")
    def _check_range(self) -> Integers:
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")
        return self

    def frozen(self) -> Any:
        """``scipy.stats.randint(low, high + 1)``."""
        return _stats().randint(self.low, self.high + 1)

    def ppf_many(self, us: Any) -> list[Any]:
        """The whole numbers at cumulative probabilities ``us`` (``ppf(0)`` is ``low``)."""
        return [max(self.low, int(v)) for v in self.cached().ppf(us)]


class Choice(_Dist):
    """One of ``values``, equally likely."""

    dist: Literal["choice"]
    values: list[Any] = Field(min_length=1)

    def frozen(self) -> Any:
        """``scipy.stats.randint(0, len(values))``: the index of the value."""
        return _stats().randint(0, len(self.values))

    def ppf_many(self, us: Any) -> list[Any]:
        """The values whose indices are at cumulative probabilities ``us``."""
        return [self.values[max(0, int(v))] for v in self.cached().ppf(us)]


Distribution = Annotated[
    Uniform | LogUniform | Normal | TruncNormal | LogNormal | Triangular | Integers | Choice,
    Field(discriminator="dist"),
]
"""Any perturbation distribution, chosen by its ``dist`` key."""

DISTRIBUTIONS: dict[str, type[_Dist]] = {
    "uniform": Uniform,
    "loguniform": LogUniform,
    "normal": Normal,
    "truncnormal": TruncNormal,
    "lognormal": LogNormal,
    "triangular": Triangular,
    "integers": Integers,
    "choice": Choice,
}

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)


def parse_distribution(spec: dict[str, Any]) -> _Dist:
    """Validate a distribution given as a dict, e.g. ``{"dist": "uniform", "low": 0, ...}``.

    Raises:
        pydantic.ValidationError: an unknown ``dist`` or bad arguments.
    """
    result: _Dist = _ADAPTER.validate_python(spec)
    return result
