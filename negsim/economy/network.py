"""The trade network as a graph: countries as nodes, flows as edges."""

from __future__ import annotations

from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

if TYPE_CHECKING:
    from negsim.economy.world import World


def trade_network(world: World, tariffs: np.ndarray | None = None) -> nx.DiGraph:
    """The trade network under tariffs (default: the baseline) as a DiGraph.

    Nodes are economies (attribute ``gdp``, USD bn), edges exporter -> importer
    with ``exports`` (dict sector -> USD bn), ``tariffs`` (dict sector -> fraction
    charged by the importer) and ``total`` (USD bn).
    """
    tariffs = world.base_tariffs if tariffs is None else np.asarray(tariffs)
    flows = world.trade(tariffs)
    graph = nx.DiGraph()
    for k, code in enumerate(world.codes):
        graph.add_node(code, gdp=float(world.income[k]))
    for j, i, s in zip(*np.nonzero(world.base_imports > 0), strict=True):
        exporter, importer = world.codes[i], world.codes[j]
        if not graph.has_edge(exporter, importer):
            graph.add_edge(exporter, importer, exports={}, tariffs={}, total=0.0)
        edge = graph.edges[exporter, importer]
        edge["exports"][world.sectors[s]] = float(flows[j, i, s])
        edge["tariffs"][world.sectors[s]] = float(tariffs[j, i, s])
        edge["total"] += float(flows[j, i, s])
    return graph
