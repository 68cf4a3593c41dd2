"""The round-by-round account of a run that ``negsim run --trace`` prints.

:func:`trace_table` lays out the model's DataCollector rows and the offers made;
:func:`issue_names` names each issue of a table, so that an offer's numbers can be
read (a tariff as a fraction, a share of a demand met, a purchase in USD bn a year).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table


def issue_names(
    table: Table, codes: list[str], sectors: list[str], demands: list[str]
) -> list[str]:
    """A name for each issue of ``table``, in the table's order.

    Args:
        table: the table.
        codes: every economy's code, ROW included (the tariff array's order).
        sectors: the sector names.
        demands: the names of the scenario's demands, in their order.

    Returns:
        ``"US on CN autos"`` for a tariff, ``"JP on all agriculture"`` for an MFN
        tariff on every partner, ``"us_section301 share"`` for a demand (N10) and
        ``"phase_one_farm purchases"`` for a purchase commitment (A6).
    """
    names = [""] * table.n_issues
    for issue in range(table.n_issues):
        at = table.issue_of_target == issue
        if not at.any():
            continue
        pairs = dict.fromkeys(zip(table.importer[at], table.exporter[at], strict=True))
        kinds = sorted({sectors[s] for s in table.sector[at]})
        importers = {i for i, _ in pairs}
        if len(importers) == 1 and len(pairs) > 1 and len(pairs) == len(codes) - 1:
            who = f"{codes[next(iter(importers))]} on all"
        else:
            who = " and ".join(f"{codes[i]} on {codes[e]}" for i, e in pairs)
        names[issue] = f"{who} {'+'.join(kinds)}"
    for demand, issue in table.demands.items():
        names[issue] = f"{demands[demand]} share"
    for issue, purchase in table.purchases.items():
        names[issue] = f"{purchase.name} purchases"
    return names


def trace_table(model: NegotiationModel) -> str:
    """The round-by-round table from the model's DataCollector, as text."""
    frame = model.datacollector.get_model_vars_dataframe()
    columns = ["round"]
    columns += [c for c in frame.columns if c.startswith("status.")]
    columns += [c for c in frame.columns if c.startswith("utility.")]
    columns += [c for c in frame.columns if c.startswith("alliance.")]
    columns += ["threats_executed", "retaliations"]
    text = frame[columns].to_string(index=False, float_format=lambda v: f"{v:.3f}")
    start = "Round 0 is the start (before any talks); round r is the state after month r."
    lines = [start, text, "", "Issues of each table (offers list them in this order):"]
    codes, sectors = list(model.config.codes), list(model.config.sectors)
    demands = [demand.name for demand in model.demands]
    for table in model.tables:
        lines.append(f"  {table.name}: " + ", ".join(issue_names(table, codes, sectors, demands)))
    lines += ["", "Offers:"]
    offers = [c for c in frame.columns if c.startswith("offer.")]
    for _, row in frame.iterrows():
        for column in offers:
            if row[column]:
                lines.append(f"  round {int(row['round']):2d} {column[6:]:6s} {row[column]}")
    lines += ["", "Moves (threats, retaliation, truces, snap-backs):"]
    lines += [f"  round {m['round']:2d} {move_text(m)}" for m in model.moves] or ["  none"]
    return "\n".join(lines)


def move_text(move: dict) -> str:
    """One line for a move of :attr:`NegotiationModel.moves`."""
    if move["move"] == "truce vote":
        votes = ", ".join(f"{c} {'for' if v else 'against'}" for c, v in move["votes"].items())
        outcome = "agreed" if move["agreed"] else "not agreed"
        return f"{move['summit']}: truce on {move['threat']} {outcome} ({votes})"
    if move["move"] == "snaps back":
        return f"the deal at table {move['table']} snaps back"
    sectors = "+".join(move["sectors"])
    if move["move"] == "retaliates against":
        return (
            f"{move['by']} retaliates against {move['on']} for {move['threat']}: "
            f"{sectors} up {100 * move['rise']:.1f} points"
        )
    text = f"{move['by']} {move['move']} {move['threat']} on {move['on']} ({sectors})"
    if "depth" in move:
        text += f", {move['depth']:.0%} of the way to the threatened level"
    return text
