"""Synthetic scenarios of any size, for scaling benchmarks and tests.

:func:`synthetic` draws a random but plausible world of ``n_countries`` negotiating
countries (codes ``C01``, ``C02``, ...) and ``n_sectors`` sectors (``s01``, ...) and
returns it as a validated :class:`~negsim.scenarios.Scenario`, built through
:func:`~negsim.scenarios.scenario_from_dict` exactly as a scenario file is, so it obeys
every rule a file does. The draws, all from ``numpy.random.default_rng(seed)``:

- **GDP**: log-normal around USD 2,000 bn (σ = 1), clipped to 100..25,000 bn.
- **Flows**: a gravity model, exports of i to j in sector s
  ``X0 = k · Y_i^0.8 · Y_j^0.8 · a[i, s] · b[j, s] · noise`` with sector weights ``a``
  and ``b`` from a Dirichlet(2) draw and log-normal noise (σ = 0.5); ``k`` scales each
  importer's imports from partners to 8% of its GDP; about 5% of flows are zero (no
  link). ROW supplies each market 0.5 to 2 times what the partners supply.
- **Tariffs**: an MFN tariff per importer and sector, uniform 0..8% (the last sector,
  "agriculture-like", 5..25%), charged on every partner and ROW; 10% of pairs carry a
  discriminatory surcharge of 10..25% in 1..2 sectors.
- **Economy**: sector trade elasticities uniform 2.5..8 (the range of Simonovska-Waugh
  and Head-Mayer); each country sells to ROW 0.5 to 2 times what it sells to the
  partners, by sector, and the rest of its GDP at home (split by a Dirichlet(2) draw);
  ROW's GDP is twice the partners' together, its tariffs on them uniform 0..8%. A
  country whose exports would exceed its drawn GDP has its GDP raised to twice its
  exports (its imports from partners are then below 8% of GDP).
- **Security**: each country relies on the largest economy with probability 0.3
  (reliance 0.2..0.8, alliance value 0.2..1.5% of GDP); the largest economy weighs
  the second's relative gains (rivalry 0.3).
- **Politics**: one or two lobbied sectors per country (weights 0.2..1.5); one
  election in rounds 1..horizon with probability 0.5; salience base 0..0.05, peak
  0..0.2, lead 3; audience cost 0..0.05% of GDP.
- **Strategies**: aspiration, concession exponent log-uniform 0.5..2, otherwise the
  defaults (64 candidates).
- **Threats, red lines**: the largest economy threatens the country it runs the
  largest deficit with (25% on its biggest sector, deadline round 6, suspended while
  they talk); the smallest country will not cut its tariff in its most lobbied sector
  below half of the current one.
- **Tables**: every pair of countries; horizon 24 rounds.

The numbers are illustrative, not calibrated: use these scenarios to measure cost
and to test properties that must hold for any valid scenario.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from negsim.scenarios.loading import scenario_from_dict
from negsim.scenarios.schema import Scenario

IMPORT_SHARE = 0.08  # each importer's imports from partners, as a share of its GDP
HORIZON = 24
#: Sizes allowed: two-digit codes (C01..C50); the economy of 50 countries and 50 sectors
#: solves in memory (its Jacobian of (51·50)² numbers is 52 MB), far beyond benchmarks' 20 x 10.
COUNTRIES = range(2, 51)
SECTORS = range(1, 51)


def synthetic(n_countries: int = 3, n_sectors: int = 5, seed: int = 0) -> Scenario:
    """A random but plausible, validated scenario with every pair at a table.

    Args:
        n_countries: negotiating countries (at least 2); codes ``C01``, ``C02``, ...
        n_sectors: sectors (at least 1); names ``s01``, ``s02``, ...
        seed: seed of the draws; the same arguments give the same scenario.

    Returns:
        The scenario, named ``synthetic-<n>x<S>-<seed>``.

    Raises:
        ValueError: countries or sectors outside :data:`COUNTRIES` and :data:`SECTORS`.
    """
    return scenario_from_dict(
        synthetic_dict(n_countries, n_sectors, seed),
        label=f"synthetic({n_countries}, {n_sectors}, {seed})",
    )


def _split(totals: np.ndarray, s: int, rng: np.random.Generator) -> np.ndarray:
    """Split each total over ``s`` sectors by a Dirichlet(2) draw, rounded; (len, s)."""
    parts = (totals[:, None] * rng.dirichlet(np.full(s, 2.0), len(totals))).round(3)
    parts[:, -1] = (totals - parts[:, :-1].sum(axis=1)).round(3)
    return np.maximum(parts, 0.0)


def synthetic_dict(n_countries: int, n_sectors: int, seed: int) -> dict[str, Any]:
    """The raw scenario (as parsed TOML would be) that :func:`synthetic` validates."""
    if n_countries not in COUNTRIES or n_sectors not in SECTORS:
        raise ValueError(
            f"{n_countries} countries and {n_sectors} sectors: allowed are "
            f"{COUNTRIES.start}..{COUNTRIES.stop - 1} countries and "
            f"{SECTORS.start}..{SECTORS.stop - 1} sectors"
        )
    rng = np.random.default_rng(seed)
    n, s = n_countries, n_sectors
    codes = [f"C{k + 1:02d}" for k in range(n)]
    sectors = [f"s{k + 1:02d}" for k in range(s)]
    gdp = np.clip(np.exp(rng.normal(np.log(2000.0), 1.0, n)), 100.0, 25000.0).round(1)

    # gravity flows X0[i -> j, s], scaled so each importer buys IMPORT_SHARE of its GDP
    supply = rng.dirichlet(np.full(s, 2.0), n)  # a[i, s]
    demand = rng.dirichlet(np.full(s, 2.0), n)  # b[j, s]
    raw = (
        (gdp[:, None, None] ** 0.8)
        * (gdp[None, :, None] ** 0.8)
        * supply[:, None, :]
        * demand[None, :, :]
        * np.exp(rng.normal(0.0, 0.5, (n, n, s)))
    )
    raw[np.arange(n), np.arange(n)] = 0.0
    raw[rng.random((n, n, s)) < 0.05] = 0.0
    imports_total = raw.sum(axis=(0, 2))
    scale = np.where(imports_total > 0, IMPORT_SHARE * gdp / np.maximum(imports_total, 1e-12), 0)
    flows = (raw * scale[None, :, None]).round(3)
    row = (flows.sum(axis=0) * rng.uniform(0.5, 2.0, (n, s)) + 0.1).round(3)  # ROW -> j, s

    # tariffs: MFN per importer and sector, a few discriminatory surcharges
    mfn = rng.uniform(0.0, 0.08, (n, s))
    mfn[:, -1] = rng.uniform(0.05, 0.25, n)
    tariffs = np.repeat(mfn[:, None, :], n, axis=1)  # [j, i, s]
    surcharged = rng.random((n, n)) < 0.10
    for j, i in zip(*np.nonzero(surcharged), strict=True):
        if i != j:
            hit = rng.choice(s, size=min(s, int(rng.integers(1, 3))), replace=False)
            tariffs[j, i, hit] += rng.uniform(0.10, 0.25, len(hit))
    tariffs = tariffs.round(4)
    mfn = mfn.round(4)

    largest, smallest = int(np.argmax(gdp)), int(np.argmin(gdp))
    second = int(np.argsort(gdp)[-2])
    lobbies = [rng.choice(s, size=min(s, int(rng.integers(1, 3))), replace=False) for _ in range(n)]
    data: dict[str, Any] = {
        "name": f"synthetic-{n}x{s}-{seed}",
        "description": f"Synthetic world: {n} countries, {s} sectors, seed {seed}",
        "start": "round 0",
        "countries": codes,
        "sectors": sectors,
        "horizon": HORIZON,
        "tables": [[a, b] for a, b in combinations(codes, 2)],
        "economy": {
            "elasticity": 4.0,
            "sector_elasticity": {
                sec: round(float(v), 3)
                for sec, v in zip(sectors, rng.uniform(2.5, 8.0, s), strict=True)
            },
        },
    }
    # sales to ROW, and at home the rest of GDP (model.md E1: sales add up to GDP)
    to_row = (flows.sum(axis=1) * rng.uniform(0.5, 2.0, (n, s))).round(3)  # i -> ROW, s
    # a small economy's exports can exceed its drawn GDP: its GDP is raised to twice them
    gdp = np.maximum(gdp, (2.0 * (flows.sum(axis=(1, 2)) + to_row.sum(axis=1))).round(1))
    domestic = _split(gdp - flows.sum(axis=(1, 2)) - to_row.sum(axis=1), s, rng)
    row_gdp = round(2.0 * float(gdp.sum()), 1)
    row_domestic = _split(np.array([row_gdp - row.sum()]), s, rng)[0]
    row_tariffs = rng.uniform(0.0, 0.08, (n, s)).round(4)
    for a, code in enumerate(codes):
        relies = a != largest and rng.random() < 0.3
        lobby = lobbies[a]
        weights = rng.uniform(0.2, 1.5, len(lobby))
        elections = [int(rng.integers(1, HORIZON + 1))] if rng.random() < 0.5 else []
        data[code] = {
            "name": f"Country {a + 1}",
            "gdp": float(gdp[a]),
            "exports": {
                codes[b]: {sec: float(flows[a, b, k]) for k, sec in enumerate(sectors)}
                for b in range(n)
                if b != a
            }
            | {"ROW": {sec: float(to_row[a, k]) for k, sec in enumerate(sectors)}},
            "domestic": {sec: float(domestic[a, k]) for k, sec in enumerate(sectors)},
            "tariffs": {
                **{
                    codes[b]: {sec: float(tariffs[a, b, k]) for k, sec in enumerate(sectors)}
                    for b in range(n)
                    if b != a
                },
                "ROW": {sec: float(mfn[a, k]) for k, sec in enumerate(sectors)},
            },
            "security": {
                "reliance": {codes[largest]: round(float(rng.uniform(0.2, 0.8)), 3)}
                if relies
                else {},
                "alliance_value": round(float(rng.uniform(0.2, 1.5)), 3) if relies else 0.0,
                "rivalry": {codes[second]: 0.3} if a == largest and n > 1 else {},
            },
            "politics": {
                "lobby": {
                    sectors[k]: round(float(w), 3) for k, w in zip(lobby, weights, strict=True)
                },
                "elections": elections,
                "salience_base": round(float(rng.uniform(0.0, 0.05)), 4),
                "salience_peak": round(float(rng.uniform(0.0, 0.2)), 4),
                "salience_lead": 3.0,
                "audience_cost": round(float(rng.uniform(0.0, 0.05)), 4),
            },
            "strategy": {
                "kind": "aspiration",
                "concession": round(float(np.exp(rng.uniform(np.log(0.5), np.log(2.0)))), 3),
            },
        }
    data["ROW"] = {
        "gdp": row_gdp,
        "exports": {
            codes[j]: {sec: float(row[j, k]) for k, sec in enumerate(sectors)} for j in range(n)
        },
        "domestic": {sec: float(row_domestic[k]) for k, sec in enumerate(sectors)},
        "tariffs": {
            codes[j]: {sec: float(row_tariffs[j, k]) for k, sec in enumerate(sectors)}
            for j in range(n)
        },
    }

    # the largest economy threatens the partner it runs the largest deficit with
    balance = flows[largest].sum(axis=1) - flows[:, largest].sum(axis=1)  # exports - imports
    balance[largest] = np.inf
    target = int(np.argmin(balance))
    biggest = int(np.argmax(flows[target, largest]))
    data["threats"] = {
        "synthetic_threat": {
            "by": codes[largest],
            "on": codes[target],
            "sectors": [sectors[biggest]],
            "level": 0.25,
            "deadline": 6,
            "suspended": True,
        }
    }
    # the smallest country's red line on its most lobbied sector
    guarded = int(lobbies[smallest][0])
    partner = largest if largest != smallest else (smallest + 1) % n
    floor = round(float(tariffs[smallest, partner, guarded]) / 2, 4)
    data["red_lines"] = {
        "synthetic_floor": {
            "by": codes[smallest],
            "importer": codes[smallest],
            "exporter": codes[partner],
            "sector": sectors[guarded],
            "floor": floor,
        }
    }
    return data
