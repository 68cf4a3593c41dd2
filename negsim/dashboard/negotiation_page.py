"""The negotiation page: one negotiation played round by round in Mesa's SolaraViz.

The sidebar holds SolaraViz's Step / Play / Reset, the scenario and protocol selects,
the seed and the sliders of :func:`negsim.dashboard.model.sliders` (a slider takes
effect at the next Reset, as in every SolaraViz page). The main view shows, per
round, the tariffs at each table, each country's utility and its components,
alliance health, threats executed and retaliations, the last round's offers and the
trade network with edges coloured by tariff. Every series comes from the model's
data collector (:mod:`negsim.dashboard.series`), so the page follows the model.
"""

from __future__ import annotations

import os
from typing import Any

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz

from negsim import builtin_scenarios
from negsim.dashboard import SCENARIO_ENV
from negsim.dashboard.model import DEFAULT_SCENARIO, DashboardModel, model_params
from negsim.dashboard.series import (
    mean_edge_tariff,
    numeric_groups,
    offer_log,
    rounds,
    series_label,
    split_by_table,
    tables_of,
    trade_network,
)

FIGSIZE = (5.6, 3.4)
COMPONENT_GROUPS = ("econ", "security", "politics")


def _figure(ncols: int = 1) -> tuple[Figure, list[Any]]:
    """A matplotlib figure (no pyplot: the server renders from several threads)."""
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    axes = fig.subplots(1, ncols, sharey=True, squeeze=False)[0]
    return fig, list(axes)


def _lines(ax: Any, df: Any, columns: list[str], title: str) -> None:
    for column in columns:
        ax.plot(df.index, df[column], marker=".", label=series_label(column))
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("round", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    if columns:
        ax.legend(fontsize=5 if len(columns) > 5 else 6, ncols=2 if len(columns) > 5 else 1)


def Status(model: DashboardModel) -> None:
    """The round counter, the settings, the last round's values and its offers."""
    horizon = getattr(model, "horizon", None)
    state = "running" if model.running else "finished"
    counter = f"Round {model.steps}" + (f" of {horizon}" if horizon else "") + f" ({state})"
    df = rounds(model)
    with solara.Column(gap="4px"):
        solara.Markdown(f"### {counter}")
        solara.Text("{scenario}, {protocol}, seed {seed}".format(**model.settings))
        if model.changed:
            moved = ", ".join(f"{p} = {v:g}" for p, v in sorted(model.changed.items()))
            solara.Markdown(f"changed: `{moved}`")
        if model.ignored:
            solara.Warning("not in this scenario: " + ", ".join(sorted(model.ignored)))
        solara.Markdown(latest_values(df))
        lines = ["| table | status | last offer |", "|---|---|---|"]
        lines += [
            f"| {table} | {status} | {f'`{offer}`' if offer else 'none this round'} |"
            for table, status, offer in offer_log(df)
        ]
        solara.Markdown("\n".join(lines))


def latest_values(df: Any) -> str:
    """The last round's plotted values as Markdown, one line per group (tariffs left out)."""
    if df.empty:
        return ""
    last = df.iloc[-1]
    lines = []
    for group, columns in numeric_groups(df).items():
        if group != "tariff":
            values = ", ".join(f"{series_label(c)} {shown(float(last[c]))}" for c in columns)
            lines.append(f"- **{group}**: {values}")
    return "\n".join(lines)


def shown(value: float) -> str:
    """A value for the status text: whole numbers as such, others with four decimals.

    A value that rounds to zero is shown as 0: utilities are 1e-14 off zero at the
    start, and ``-0.0000`` beside ``0`` reads as a difference that is not there.
    """
    if value.is_integer() or abs(value) < 5e-5:
        return str(round(value))
    return f"{value:+.4f}"


def TariffPlot(model: DashboardModel) -> None:
    """Tariffs in force at each table, per round (fraction)."""
    df = rounds(model)
    columns = numeric_groups(df).get("tariff", [])
    by_table = split_by_table(columns, tables_of(df))
    fig, axes = _figure(max(1, len(by_table)))
    for ax, (table, cols) in zip(axes, by_table.items(), strict=False):
        _lines(ax, df, cols, f"tariffs at {table}")
    axes[0].set_ylabel("tariff (fraction)", fontsize=8)
    solara.FigureMatplotlib(fig, format="png")


def UtilityPlot(model: DashboardModel) -> None:
    """Each country's utility (the total payoff), per round."""
    df = rounds(model)
    fig, axes = _figure()
    _lines(axes[0], df, numeric_groups(df).get("utility", []), "utility (% of GDP)")
    solara.FigureMatplotlib(fig, format="png")


def ComponentPlot(model: DashboardModel) -> None:
    """The components of utility (economy, security, politics), per round."""
    df = rounds(model)
    groups = numeric_groups(df)
    shown = [g for g in COMPONENT_GROUPS if g in groups]
    fig, axes = _figure(max(1, len(shown)))
    for ax, group in zip(axes, shown, strict=False):
        _lines(ax, df, groups[group], group)
    solara.FigureMatplotlib(fig, format="png")


def CoercionPlot(model: DashboardModel) -> None:
    """Alliance health, and the running counts of threats executed and retaliations."""
    df = rounds(model)
    groups = numeric_groups(df)
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    left, right = fig.subplots(1, 2)
    _lines(left, df, groups.get("alliance", []), "alliance health")
    counts = [c for g, cols in groups.items() if g not in ("tariff", "alliance") for c in cols]
    counts = [c for c in counts if "." not in c]
    _lines(right, df, counts, "threats and retaliations")
    solara.FigureMatplotlib(fig, format="png")


def NetworkPlot(model: DashboardModel) -> None:
    """The trade network in force: edges exporter -> importer, coloured by tariff."""
    import networkx as nx
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    graph = trade_network(model)
    if graph is None:
        solara.Text("this model's world has no trade network")
        return
    fig = Figure(figsize=FIGSIZE, layout="constrained")
    ax = fig.subplots()
    tariffs = [mean_edge_tariff(data) for _, _, data in graph.edges(data=True)]
    norm = Normalize(0.0, max(0.3, *tariffs) if tariffs else 0.3)
    cmap = colormaps["viridis"]
    pos = nx.circular_layout(graph)
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color="#dddddd", node_size=700)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=9)
    nx.draw_networkx_edges(
        graph,
        pos,
        ax=ax,
        edge_color=[cmap(norm(t)) for t in tariffs],
        width=2.5,
        arrowsize=14,
        connectionstyle="arc3,rad=0.15",
        node_size=700,
    )
    fig.colorbar(cmap_mappable(cmap, norm), ax=ax, label="trade-weighted tariff")
    ax.set_title("trade network (exporter -> importer)", fontsize=9)
    ax.set_axis_off()
    solara.FigureMatplotlib(fig, format="png")


def cmap_mappable(cmap: Any, norm: Any) -> Any:
    """A colour-bar source for a colour map and its normalisation."""
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=cmap)


# plain functions: SolaraViz wraps each in a component that redraws after every step
COMPONENTS = [Status, TariffPlot, UtilityPlot, ComponentPlot, CoercionPlot, NetworkPlot]


def default_scenario() -> str:
    """The scenario the page opens with: ``$NEGSIM_DASHBOARD_SCENARIO`` or tag2018."""
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


@solara.component
def NegotiationPage() -> None:
    """The page: SolaraViz around a :class:`DashboardModel`."""
    scenario = default_scenario()
    names = builtin_scenarios()
    scenarios = names if scenario in names else [scenario, *names]
    params = solara.use_memo(lambda: model_params(scenario, scenarios=scenarios), [scenario])
    model = solara.use_memo(
        lambda: DashboardModel(**{k: v["value"] for k, v in params.items()}), [scenario]
    )
    SolaraViz(model, components=COMPONENTS, model_params=params, name="negsim: one negotiation")
