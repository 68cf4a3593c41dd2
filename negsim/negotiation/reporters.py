"""The model's DataCollector reporters: one column per record key, read each round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from negsim.record.schema import COMPONENTS, RecordSchema

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table


def reporters(model: NegotiationModel) -> dict:
    """Model reporters for Mesa's ``DataCollector``, keyed by the one record schema.

    Payoffs (:data:`~negsim.record.schema.COMPONENTS` per country), each table's status
    and offer, the tariffs a table negotiates, alliance health and the event counts.
    """
    schema = RecordSchema.from_scenario(model.config, [t.name for t in model.tables])
    codes, all_codes, sectors = schema.countries, schema.codes, schema.sectors
    out: dict = {"round": lambda m: m.round}
    for k, code in enumerate(codes):
        out[schema.payoff("utility", code)] = lambda m, k=k: float(m.current_payoffs.total[0, k])
        for component in COMPONENTS[1:]:
            out[schema.payoff(component, code)] = lambda m, k=k, c=component: float(
                getattr(m.current_payoffs, c)[0, k]
            )
    for table in model.tables:
        out[f"status.{table.name}"] = lambda m, t=table: t.status
        out[f"offer.{table.name}"] = lambda m, t=table: last_offer(m, t)
        for i, j, s in zip(table.importer, table.exporter, table.sector, strict=True):
            key = schema.tariff(all_codes[i], all_codes[j], sectors[s])
            out[key] = lambda m, i=i, j=j, s=s: float(m.tariffs[i, j, s])
    for a, b, key in schema.alliance_pairs():
        out[key] = lambda m, a=a, b=b: float(m.health[a, b])
    out["threats_executed"] = lambda m: m.threats_executed
    out["retaliations"] = lambda m: m.retaliations
    out["truces"] = lambda m: m.truces
    return out


def last_offer(model: NegotiationModel, table: Table) -> str:
    """The offer made at ``table`` this round, as text (empty if none)."""
    for record in reversed(model.offers):
        if record["round"] != model.round:
            break
        if record["table"] == table.name:
            values = " ".join(f"{v:.3f}" for v in record["offer"])
            verdict = "accepted" if record["accepted"] else "rejected"
            return f"{record['proposer']}: [{values}] {verdict}"
    return ""
