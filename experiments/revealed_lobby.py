"""Lobby weights revealed by the tariffs of 2018 (the inverse optimum of model.md P4).

For each organised sector of a scenario (every sector with a lobby weight in the file),
the weight θ* at which the country's observed tariffs in that sector are politically
optimal at the margin: a small rise of its tariffs on every partner in the sector
changes its real income by dW and its sector's real rents by dR (E8, E9: the
general-equilibrium economy, every other tariff at the start), and
``θ* = -dW / dR`` makes ``dW + θ*·dR = 0``. Two directions of the rise: the same
number of points on every partner ("uniform"), or in proportion to each tariff
("proportional", which leaves a zero tariff at zero). With discriminatory tariffs the
two differ: one weight cannot make every partner's tariff optimal at once (Grossman &
Helpman 1994; the inverse approach of Goldberg & Maggi 1999 and Gawande, Krishna &
Olarreaga 2009 [S13]).
A negative θ* means the observed tariff is below the one real income alone would set
(the terms-of-trade motive dominates: tariffs held down by WTO bindings, Bagwell &
Staiger 1999 [S32]), so no lobby weight of the protection-for-sale kind rationalises it.

Only the scenario's economy is used: no run, no random draw. Salience is set to zero
and the round is after every election (P5, P7 at rest), so the politics term is the
lobby term alone. Run: ``python experiments/revealed_lobby.py [SCENARIO]``.
"""

from __future__ import annotations

import argparse

import numpy as np

import negsim
from negsim.payoffs import PayoffModel

STEP = 0.005  # a common rise of ±0.5 points in the sector's tariffs on every partner
AFTER_ELECTIONS = 10_000  # a round after every election: no P5/P7 build-up


def marginal_terms(
    scenario: str, country: str, sector: str, proportional: bool
) -> tuple[float, float]:
    """The marginal real income and rents of ``country``'s tariffs in ``sector``.

    Returns:
        dW and dR, % of GDP per point of the sector's mean tariff.
    """
    quiet = {f"{country}.politics.salience_base": 0.0, f"{country}.politics.salience_peak": 0.0}
    terms = {}
    for theta in (0.0, 1.0):
        config = negsim.load_scenario(
            scenario, {**quiet, f"{country}.politics.lobby.{sector}": theta}
        )
        model = PayoffModel.from_scenario(config)
        i, k = config.countries.index(country), list(config.sectors).index(sector)
        start = model.world.base_tariffs
        row = start[i, :, k]
        rise = row / max(row.mean(), 1e-12) * STEP if proportional else np.full_like(row, STEP)
        states = np.repeat(start[None], 2, axis=0)
        states[0, i, :, k] -= rise
        states[1, i, :, k] += rise
        payoffs = model.evaluate(states, round_=AFTER_ELECTIONS)
        terms[theta] = (payoffs.econ[:, i], payoffs.politics[:, i])
    d_welfare = float(np.diff(terms[0.0][0])[0]) / (2 * STEP * 100)
    rents = terms[1.0][1] - terms[0.0][1]  # the lobby term at weight 1: the rents
    d_rents = float(np.diff(rents)[0]) / (2 * STEP * 100)
    return d_welfare, d_rents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="tag2018")
    args = parser.parse_args()
    try:
        config = negsim.load_scenario(args.scenario)
    except negsim.ScenarioError as exc:
        parser.error(str(exc))
    print(
        "| country | sector | weight in the file | revealed θ*, uniform rise "
        "| revealed θ*, proportional rise |\n|---|---|---|---|---|"
    )
    for country in config.countries:
        for sector, weight in config.nations[country].politics.lobby.items():
            revealed = []
            for proportional in (False, True):
                d_welfare, d_rents = marginal_terms(args.scenario, country, sector, proportional)
                revealed.append(f"{-d_welfare / d_rents:+.3f}" if d_rents else "–")
            print(f"| {country} | {sector} | {weight:g} | {revealed[0]} | {revealed[1]} |")


if __name__ == "__main__":
    main()
