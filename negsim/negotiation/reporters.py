"""The model's DataCollector reporters: one column per record key, read each round."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negsim.negotiation.model import NegotiationModel
    from negsim.negotiation.protocols import Table


def reporters(model: NegotiationModel) -> dict:
    """Model reporters for Mesa's ``DataCollector``, keyed as in the outcome record."""
    codes, sectors = model.codes, model.config.sectors
    out: dict = {"round": lambda m: m.round}
    for k, code in enumerate(codes):
        out[f"utility.{code}"] = lambda m, k=k: float(m.current_payoffs.total[0, k])
        out[f"econ.{code}"] = lambda m, k=k: float(m.current_payoffs.econ[0, k])
        out[f"security.{code}"] = lambda m, k=k: float(m.current_payoffs.security[0, k])
        out[f"politics.{code}"] = lambda m, k=k: float(m.current_payoffs.politics[0, k])
    for table in model.tables:
        out[f"status.{table.name}"] = lambda m, t=table: t.status
        out[f"offer.{table.name}"] = lambda m, t=table: last_offer(m, t)
        for i, j, s in zip(table.importer, table.exporter, table.sector, strict=True):
            key = f"tariff.{model.config.codes[i]}.{model.config.codes[j]}.{sectors[s]}"
            out[key] = lambda m, i=i, j=j, s=s: float(m.tariffs[i, j, s])
    n = len(codes)
    for a in range(n):
        for b in range(a + 1, n):
            out[f"alliance.{codes[a]}-{codes[b]}"] = lambda m, a=a, b=b: float(m.health[a, b])
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
