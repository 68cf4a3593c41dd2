"""The outcome record: what one run leaves behind, as typed objects and as flat columns.

It knows the scenario's names (countries, sectors, tables) and nothing of Mesa: the
negotiation layer fills it in (:meth:`negsim.negotiation.model.NegotiationModel.run`).
"""

from __future__ import annotations

from negsim.record.outcome import Outcome

__all__ = ["Outcome"]
