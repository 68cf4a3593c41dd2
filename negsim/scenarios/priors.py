"""Priors over private types, and the structural demands that carry two of them.

A :class:`Prior` is a discrete distribution (model.md B1); a :class:`Demand`
(model.md N10-N12, N14) holds the prior of the target's cost of reform and of its
compliance with a promise of reform.
"""

from __future__ import annotations

from pydantic import model_validator

from negsim.scenarios.fields import NonNegative, _Strict, _unit


class Prior(_Strict):
    """A discrete prior over a private type: values and their probabilities (model.md B1)."""

    values: list[float] = _unit("as the type", "possible values of the type", min_length=1)
    weights: list[float] = _unit("probability", "probability of each value", min_length=1)

    @model_validator(mode="after")
    def _a_distribution(self) -> Prior:
        if len(self.weights) != len(self.values):
            raise ValueError("weights: one per value")
        if any(w < 0 for w in self.weights) or abs(sum(self.weights) - 1.0) > 1e-6:
            raise ValueError("weights: must be >= 0 and sum to 1 (a probability distribution)")
        return self


def _point(value: float = 0.0) -> Prior:
    return Prior(values=[value], weights=[1.0])


class Demand(_Strict):
    """A structural demand beyond tariffs a deal may meet in part (model.md N10-N12)."""

    by: str = _unit("country", "who demands (e.g. the US under Section 301)")
    on: str = _unit("country", "who is asked to reform")
    value: NonNegative = _unit(
        "% of demander's GDP", "yearly value to it of the demand met in full"
    )
    cost: Prior = _unit(
        "% of target's GDP", "prior of the target's private yearly cost of meeting it in full"
    )
    curvature: float = _unit(
        "exponent",
        "cost of a share x is cost·x^curvature (>= 1: deeper reform costs more)",
        default=1.0,
        ge=1.0,
        le=5.0,
    )
    tied: bool = _unit(
        "-",
        "the demander's tariffs on the target above MFN fall only with the share met",
        default=False,
    )
    mirrored: bool = _unit(
        "-",
        "with tied: the target's tariffs on the demander above its MFN fall only in"
        " proportion to the tied tariffs the demander keeps (model.md N16)",
        default=False,
    )
    compliance: Prior = _unit(
        "share",
        "prior of the target's private compliance: the share of a promised reform it"
        " delivers (N14; values in 0..1)",
        default_factory=lambda: _point(1.0),
    )

    @model_validator(mode="after")
    def _costs_not_negative(self) -> Demand:
        if any(v < 0 for v in self.cost.values):
            raise ValueError("cost.values: a cost must be >= 0 (% of the target's GDP)")
        if any(not 0.0 <= v <= 1.0 for v in self.compliance.values):
            raise ValueError("compliance.values: a compliance must be in 0..1 (a share delivered)")
        if self.mirrored and not self.tied:
            raise ValueError("mirrored: needs tied = true (the target mirrors tied tariffs, N16)")
        return self
