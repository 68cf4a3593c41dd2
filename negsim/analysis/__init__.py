"""The analysis layer: comparing outcome distributions from the results store.

- :mod:`~negsim.analysis.loading`: a results folder's runs and manifest;
- :mod:`~negsim.analysis.metrics`: which columns are metrics and arms;
- :mod:`~negsim.analysis.statistics`: summaries, paired bootstrap comparisons, Cliff's delta;
- :mod:`~negsim.analysis.curves`: a metric against a swept parameter;
- :mod:`~negsim.analysis.words` and :mod:`~negsim.analysis.names`: metrics and countries
  in words (names from the scenario);
- :mod:`~negsim.analysis.figures`: PNG figures;
- :mod:`~negsim.analysis.report` and :mod:`~negsim.analysis.markdown`: ``report.md``.
"""

from __future__ import annotations

from negsim.analysis.curves import perturbed_parameters, sweep_curves, swept_parameters
from negsim.analysis.errors import AnalysisError
from negsim.analysis.figures import (
    payoff_table,
    plot_distribution,
    plot_payoffs,
    plot_sweep,
    plot_tariffs,
)
from negsim.analysis.loading import load, prepare, results_folder
from negsim.analysis.metrics import available_metrics, default_metrics, resolve_metrics
from negsim.analysis.names import country_names
from negsim.analysis.report import report
from negsim.analysis.statistics import (
    BCA_MAX_N,
    DEFAULT_SEED,
    bootstrap_ci,
    cliffs_delta,
    compare,
    effect_label,
    summarize,
)
from negsim.analysis.words import (
    axis_label,
    describe_metric,
    effect_sentences,
    label,
    payoff_sentences,
)

__all__ = [
    "BCA_MAX_N",
    "DEFAULT_SEED",
    "AnalysisError",
    "available_metrics",
    "axis_label",
    "bootstrap_ci",
    "cliffs_delta",
    "compare",
    "country_names",
    "default_metrics",
    "describe_metric",
    "effect_label",
    "effect_sentences",
    "label",
    "load",
    "payoff_sentences",
    "payoff_table",
    "perturbed_parameters",
    "plot_distribution",
    "plot_payoffs",
    "plot_sweep",
    "plot_tariffs",
    "prepare",
    "report",
    "resolve_metrics",
    "results_folder",
    "summarize",
    "sweep_curves",
    "swept_parameters",
]
