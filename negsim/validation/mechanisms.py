"""The mechanisms the comparative statics measure, stated before any run.

Each :class:`Mechanism` sets one parameter (by dotted path) to a low and a high value
and names the outcomes it should move (:class:`Expect`): the expected sign of
(high - low) from theory, with the source, and the smallest change that counts as the
mechanism biting. :mod:`negsim.validation.statics` runs them and gives the verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Expect:
    """An outcome a mechanism should move: metric, expected sign, smallest effect, unit."""

    metric: str
    sign: int
    minimum: float
    unit: str = "pp"  # pp: shown x100 in percentage points; "" as is


@dataclass(frozen=True)
class Mechanism:
    """One mechanism: the parameter, its low and high value, what it should move, why."""

    name: str
    path: str
    low: Any
    high: Any
    expects: tuple[Expect, ...]
    theory: str
    source: str
    alternatives: tuple[tuple[str, Any, Any], ...] = ()
    """Other (path, low, high) that express the mechanism in another version of the
    scenario; the first whose values the scenario accepts is used."""
    given: tuple[tuple[str, Any], ...] = ()
    """(path, value) set in both arms: the context without which the parameter cannot
    act (China's reliance on the US weighs nothing while China values no US alliance)."""

    @property
    def context(self) -> str:
        """The ``given`` settings as words, or empty."""
        if not self.given:
            return ""
        return " (given " + ", ".join(f"{p} = {v}" for p, v in self.given) + ")"

    def arm(self, value: Any) -> dict[str, Any]:
        """The overrides of one arm: the parameter at ``value`` and the context."""
        return {**dict(self.given), self.path: value}


TARIFF, SHARE = 0.01, 0.05  # 1 pp of a tariff, 5 pp of a share of runs

MECHANISMS: tuple[Mechanism, ...] = (
    Mechanism(
        "Japan's security reliance on the US",
        "JP.security.reliance.US",
        0.2,
        0.95,
        (
            Expect("tariff.JP.US.agriculture", -1, TARIFF),
            Expect("tw.JP.US", -1, TARIFF / 2),
            Expect("tw.US.JP", +1, TARIFF / 2),
        ),
        "a partner that relies on the coercer for its security concedes more: it cuts "
        "deeper and accepts smaller cuts in return",
        "Gowa 1994; Drezner 1999 (the sanctions paradox)",
    ),
    Mechanism(
        "Japan's security reliance on the US, the red line lifted",
        "JP.security.reliance.US",
        0.2,
        0.95,
        (Expect("tariff.JP.US.agriculture", -1, TARIFF), Expect("tw.US.JP", +1, TARIFF / 2)),
        "as above, where the farm tariff has room to fall: with the red line (floor 12%) "
        "Japan's farm tariff on US goods sits within 1 pp of it at the file's values, so no "
        "reliance can cut it by the 1 pp asked",
        "Gowa 1994; Drezner 1999 (the sanctions paradox)",
        given=(("red_lines.jp_farm_tpp.floor", 0.0),),
    ),
    Mechanism(
        "US car-tariff threat on Japan",
        "threats.us_autos_232.level",
        0.025,
        0.25,
        (
            Expect("tariff.JP.US.agriculture", -1, TARIFF),
            Expect("tw.US.JP", +1, TARIFF / 2),
        ),
        "a bigger threat extracts more: the target cuts deeper and gets less back "
        "(level 0.025: the tariff in force, no threat; 0.25: the Section 232 threat)",
        "Schelling 1966; Drezner 2003 (the hidden hand of economic coercion)",
    ),
    Mechanism(
        "China's security reliance on the US",
        "CN.security.reliance.US",
        0.0,
        0.6,
        (Expect("retaliated.CN", -1, SHARE), Expect("tw.CN.US", -1, TARIFF)),
        "a target that relies on the coercer retaliates less and concedes more (China "
        "values no US alliance in tag2018 [K], so the check gives it Japan's value, "
        "1.5% of GDP [E from S10]: a China that relied on the US as Japan does)",
        "Drezner 1999",
        given=(("CN.security.alliance_value", 1.5),),
    ),
    Mechanism(
        "alliance value (Japan)",
        "JP.security.alliance_value",
        0.5,
        3.0,
        (Expect("tariff.JP.US.agriculture", -1, TARIFF), Expect("tw.US.JP", +1, TARIFF / 2)),
        "the more the alliance is worth, the more a partner pays to keep it",
        "Gowa and Mansfield 1993",
    ),
    Mechanism(
        "Japan's farm lobby weight",
        "JP.politics.lobby.agriculture",
        0.02,
        0.4,
        (Expect("tariff.JP.US.agriculture", +1, TARIFF),),
        "a heavier organised lobby gets more protection",
        "Grossman and Helpman 1994, 1995",
    ),
    Mechanism(
        "Japan's farm lobby weight, the red line lifted",
        "JP.politics.lobby.agriculture",
        0.02,
        0.4,
        (Expect("tariff.JP.US.agriculture", +1, TARIFF),),
        "as above, where the farm tariff has room to rise and fall: with the red line the "
        "floor, not the weight, can set it",
        "Grossman and Helpman 1994, 1995",
        given=(("red_lines.jp_farm_tpp.floor", 0.0),),
    ),
    Mechanism(
        "US steel lobby weight",
        "US.politics.lobby.steel",
        0.0,
        0.2,
        (Expect("tariff.US.JP.steel", +1, TARIFF),),
        "a heavier organised lobby gets more protection",
        "Grossman and Helpman 1994, 1995",
    ),
    Mechanism(
        "US deficit salience",
        "US.politics.salience_peak",
        0.05,
        0.5,
        (Expect("escalation.US-CN", +1, SHARE), Expect("balance.US.JP", +1, 1.0, "")),
        "the more a bilateral deficit weighs in politics, the harder the US coerces for it",
        "Conconi, Facchini and Zanardi 2014; seed text",
    ),
    Mechanism(
        "US election timing (midterms later)",
        "US.politics.elections",
        [2, 26],
        [20, 26],
        (Expect("escalation.US-CN", -1, SHARE),),
        "protection rises as an election nears; a midterm far from the list-3 deadline "
        "(round 4) weighs less on it",
        "Conconi, Facchini and Zanardi 2014",
    ),
    Mechanism(
        "CPTPP preference (Japan's outside option)",
        "events.cptpp.level",
        0.12,
        0.0,
        (
            Expect("tariff.JP.US.agriculture", +1, TARIFF),
            Expect("deal16.US-JP", +1, SHARE),
            # sooner, in rounds: the share by round 16 sits at 100% in both arms
            Expect("agreement_round.US-JP", -1, 0.5, ""),
        ),
        "CPTPP members' cheaper access hurts US farm exporters without a deal, so the US "
        "settles sooner and for less (level 0.12: no preference; 0: free access)",
        "Solís 2019; Katada 2020",
    ),
    Mechanism(
        "China's retaliation resolve",
        "CN.strategy.retaliation",
        0.0,
        0.95,
        (Expect("escalation.US-CN", -1, SHARE),),
        "a credible threat of retaliation deters coercion",
        "Schelling 1966; Fearon 1994",
        (("CN.strategy.resolve.values", [0.0, 0.0, 0.0, 0.0], [0.1, 0.1, 0.1, 0.1]),),
    ),
    Mechanism(
        "China's retaliation capacity",
        "CN.strategy.capacity",
        0.5,
        1.5,
        (Expect("escalation.US-CN", -1, SHARE),),
        "the harder the target can hit the coercer's exports back, the less coercion pays "
        "(capacity: the retaliatory rise over the coercer's, model.md N13)",
        "Schelling 1966; Bown 2021 (China's targeted retaliation)",
    ),
    # Deterrence where the coercer is near indifferent (Fearon 1994: a threat of
    # retaliation deters a coercer whose gain from coercing is small). At the file's
    # salience of the balance the US's electoral motive makes coercion pay whatever
    # China answers (docs/findings.md); at the bottom of the peak's range (0.05) it does
    # not, and the same two mechanisms are checked there too.
    Mechanism(
        "China's retaliation resolve, the US near indifferent",
        "CN.strategy.resolve.values",
        [0.0, 0.0, 0.0, 0.0],
        [0.1, 0.1, 0.1, 0.1],
        (Expect("escalation.US-CN", -1, SHARE),),
        "a credible threat of retaliation deters a coercer whose gain is small",
        "Schelling 1966; Fearon 1994",
        given=(("US.politics.salience_peak", 0.05),),
    ),
    Mechanism(
        "China's retaliation capacity, the US near indifferent",
        "CN.strategy.capacity",
        0.5,
        1.5,
        (Expect("escalation.US-CN", -1, SHARE),),
        "the harder the target can hit back, the less coercion pays a coercer whose gain is small",
        "Schelling 1966; Bown 2021 (China's targeted retaliation)",
        given=(("US.politics.salience_peak", 0.05),),
    ),
    Mechanism(
        "trade elasticity",
        "economy.elasticity_scale",
        0.6,
        1.5,
        (Expect("tw.US.CN", -1, TARIFF),),
        "higher elasticities mean lower optimal (Nash) tariffs, so less to gain from high tariffs",
        "Johnson 1953; Ossa 2014",
    ),
)
