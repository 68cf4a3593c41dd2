"""The scenario's rules of the game: diplomacy, threats, red lines, events, commitments.

Also the calendar (notices to a legislature, summits) and the protocol.
"""

from __future__ import annotations

from typing import Literal

from negsim.scenarios.fields import Fraction, NonNegative, Tariff, _Strict, _unit


class Diplomacy(_Strict):
    """How alliance health moves (docs/model.md#alliance-health)."""

    coercion_damage: Fraction = _unit("health", "loss when one executes a threat", default=0.15)
    retaliation_damage: Fraction = _unit("health", "loss when one retaliates", default=0.05)
    breakdown_damage: Fraction = _unit("health", "loss when talks break down", default=0.1)
    agreement_boost: Fraction = _unit("health", "gain when two agree", default=0.1)
    recovery: Fraction = _unit("per round", "share of lost health restored per round", default=0.02)


class Threat(_Strict):
    """A public threat to raise tariffs."""

    by: str = _unit("country", "who threatens")
    on: str = _unit("country", "whose exports are hit")
    sectors: list[str] = _unit("-", "sectors hit")
    level: Tariff = _unit("fraction", "tariff once executed")
    deadline: int = _unit("round", "round at which it is executed without a deal", ge=0)
    suspended: bool = _unit("-", "suspended while the two are talking", default=False)


class History(_Strict):
    """Answers to coercion seen before round 0, on which beliefs start (model.md B7)."""

    by: str = _unit("country", "who answered")
    threat: str = _unit(
        "-", "the threat of the file whose execution stands in for the ones answered"
    )
    depth: float = _unit(
        "share",
        "how far that threat stands executed (0.5, 1: model.md N5)",
        default=1.0,
        gt=0.0,
        le=1.0,
    )
    retaliated: bool = _unit("-", "whether it retaliated each time", default=True)
    times: int = _unit("-", "how many such answers were seen (0: none)", default=1, ge=0, le=20)


class RedLine(_Strict):
    """A bound that a country will never ratify a package beyond."""

    by: str = _unit("country", "whose red line")
    importer: str = _unit("country", "importer of the tariff bounded")
    exporter: str = _unit("country", "exporter of the tariff bounded")
    sector: str = _unit("-", "sector of the tariff bounded")
    floor: Tariff | None = _unit("fraction", "lowest acceptable tariff", default=None)
    ceiling: Tariff | None = _unit("fraction", "highest acceptable tariff", default=None)


class Event(_Strict):
    """A scheduled change of a tariff by a third agreement (e.g. CPTPP)."""

    round: int = _unit("round", "round on which it takes effect", ge=0)
    importer: str = _unit("country", "importer whose tariff changes")
    exporter: str = _unit("country", "exporter facing the change")
    sectors: list[str] = _unit("-", "sectors")
    level: Tariff = _unit("fraction", "tariff from then on")


class Notice(_Strict):
    """Notice a country must give its legislature before it signs (e.g. US TPA, model.md C2)."""

    by: str = _unit("country", "who must notify")
    partners: list[str] = _unit("-", "partners whose tables it applies to")
    talks_from: int = _unit("round", "first round offers may be made", default=0, ge=0)
    rounds: int = _unit("rounds", "notice before an agreed deal may be signed", default=3, ge=0)


class Summit(_Strict):
    """A summit: a date on which attending parties may agree a truce (model.md C3)."""

    round: int = _unit("round", "round of the summit", ge=0)
    parties: list[str] = _unit("-", "countries attending")
    truce: int = _unit("rounds", "how long a truce postpones pending threats", default=3, ge=1)


class Commitment(_Strict):
    """A purchase commitment a deal may hold: the importer buys at least X from the exporter."""

    importer: str = _unit("country", "who commits to buy")
    exporter: str = _unit("country", "whose goods")
    sector: str = _unit("-", "sector")
    most: float = _unit("USD bn", "largest yearly purchases that may be committed", gt=0)


class Compliance(_Strict):
    """How commitments are met and watched (docs/model.md A1-A4, A7)."""

    shortfall: Fraction = _unit(
        "0..1", "largest share of a commitment's subsidy equivalent not delivered", default=0.5
    )
    noise: NonNegative = _unit("share", "sd of the exporter's reading of compliance", default=0.1)
    snap_back: Literal["payoff", "threshold"] = _unit(
        "-",
        "when the exporter snaps back: when it pays (A7) or on a reading below threshold (A3)",
        default="payoff",
    )
    threshold: Fraction = _unit(
        "share",
        "observed compliance below which the exporter snaps back (snap_back = threshold)",
        default=0.5,
    )


class Protocol(_Strict):
    """Options of the negotiation protocols."""

    plurilateral: bool = _unit(
        "-", "multilateral: a deal among those who accept when not all do", default=False
    )
    max_tariff: Tariff = _unit("fraction", "highest tariff an offer may hold", default=1.0)
    liberalizing: bool = _unit(
        "-", "offers may only lower tariffs in force (GATT Art. II, XXIV)", default=True
    )
    inside_option: bool = _unit(
        "-",
        "a party's reserve is the better of walking away and talking on while talks freeze "
        "every pending threat between the parties (model.md B6)",
        default=False,
    )
