"""The negotiation layer: tables and protocols, strategies, Mesa agents and the model.

- :mod:`negsim.negotiation.protocols`: bilateral (preferential) and multilateral (MFN) tables;
- :mod:`negsim.negotiation.strategies`: aspiration, offer sampling and choice, acceptance;
- :mod:`negsim.negotiation.agents`: ``CountryAgent(mesa.Agent)``;
- :mod:`negsim.negotiation.model`: ``NegotiationModel(mesa.Model)``, one step a round;
- :mod:`negsim.negotiation.bargaining`: divide-the-gains games (Rubinstein, Stahl).
"""
