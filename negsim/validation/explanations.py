"""Why a check fails: what the measurements after the run found, and where they are.

The checks (:mod:`negsim.validation.record`, :mod:`negsim.validation.mechanisms`) are
stated before any run; these explanations were written after, from the measurements
in docs/findings.md, and say in a sentence or two why the model disagrees and under
which heading of findings.md the figures are. They never change a verdict: the report
shows one under a check only while that check fails, and a test keeps every key tied
to a check that exists.

Keys: a record target's name, or (mechanism name, metric) for a comparative static.
"""

from __future__ import annotations

from negsim.validation.check import FAILS, Check

_JP_FLOOR = (
    "At the red line: Japan's farm tariff on US goods ends within half a point of the "
    '"TPP levels" floor at both values, so no mechanism can cut it by the 1 pp asked '
    '(findings.md, "Three Japan-side checks cannot pass").'
)
_LITTLE_TO_GIVE = (
    "Theory's sign, small size: little is left for the US to withhold, its tariffs on "
    "Japan being 2.5% on cars, 2% on farm goods and 1.5% on machinery at the start (steel "
    '25%, Section 232) (findings.md, "Escalation sits near its ceiling", the paragraph '
    "on what a reliant Japan gives up)."
)
_OFFER_SEARCH = (
    "Off the red line the mechanism shows with theory's sign but below the size asked: "
    "with the directed search (N17) Japan's reliance cuts its farm tariff by 0.80 pp "
    "[0.59, 1.03] and raises the US's tariff on Japan by 0.45 pp [0.39, 0.51]; with 512 "
    "sampled candidates a side the cut was 1.47 pp, so part of the shortfall is still the "
    "search, and part that a reliant Japan's acceptance rarely binds the US's ask "
    '(findings.md, "What the directed search changed"; "Search effort").'
)
_CEILING = (
    "Escalation sits at its ceiling at the file's values: snapping a deal back and "
    "executing list 3 pay the US whatever China's reply, as the 2020 election raises the "
    "weight of the balance (P5, A7); where the US is near indifferent (the variants below) "
    'China deters as theory says (findings.md, "Escalation sits near its ceiling").'
)
_CPTPP = (
    "The deal comes when talks open either way (rounds 4-6) and the farm tariff sits at "
    "the red line; the free access costs Japan more than the US, so Japan accepts less "
    '(findings.md, "CPTPP\'s preference does not hurry the US").'
)

WHY: dict[str | tuple[str, str], str] = {
    "the deal comes in round 9-16": (
        "Talks open in round 4 (C2) and the deal comes within two rounds: for most pairs "
        "of types it beats the state in force for both sides at once. Japan's own best "
        "farm tariff on US goods (14%) is below its 2018 tariff (20%), so waiting for its "
        "July 2019 election buys it nothing; a government that weighs signing before or "
        "after its election (B11, an option) signs at once at every farm weight of the "
        "ranges, and with an electoral cycle ten times the range's top it cuts less, not "
        "later (experiments/election_timing.py). The scope dispute that held the formal start "
        "to April 2019, put on the table as a demand with a cost in proportion to the "
        "share met, delays the deal by 1.8 rounds [1.4, 2.2] (median round 6; "
        "experiments/scope_dispute.py), two of the eight missing. The US negotiators' "
        "time on the China talks, as one table a round with China first, adds half a "
        "round with the model's China talks, which close in rounds 3-4, and reaches round "
        "10 only with the record's, January to May 2019, which no end of the Section 301 "
        "demand's ranges produces: the first US-China agreement comes at the G20 (round "
        "3) or earlier (experiments/us_attention.py --ranges). "
        "Committed types and a war of attrition (B8-B10, an option), with the agents' "
        "first offers as postures, do not delay it either: the US's ask leaves Japan most "
        "of its gain, so Japan is the weaker side and concedes at once "
        "(experiments/attrition.py) "
        '(findings.md, "The US-Japan deal comes in round 5, not 9-16").'
    ),
    ("Japan's security reliance on the US", "tariff.JP.US.agriculture"): _JP_FLOOR,
    ("Japan's security reliance on the US", "tw.JP.US"): (
        "Japan's trade-weighted tariff on the US is its farm tariff on US goods in the main "
        "(its other tariffs on the US are 0-1.5%), held at the red line as above."
    ),
    ("Japan's security reliance on the US", "tw.US.JP"): _LITTLE_TO_GIVE,
    (
        "Japan's security reliance on the US, the red line lifted",
        "tariff.JP.US.agriculture",
    ): _OFFER_SEARCH,
    ("Japan's security reliance on the US, the red line lifted", "tw.US.JP"): _OFFER_SEARCH,
    ("US car-tariff threat on Japan", "tariff.JP.US.agriculture"): _JP_FLOOR,
    ("US car-tariff threat on Japan", "tw.US.JP"): (
        "Talks freeze the threat (B6), the deal comes before its deadline, and executing it "
        "is worth too little to the US for its outside option to bind: every paired "
        'difference is 0 (findings.md, "The 25% car threat moves nothing").'
    ),
    ("alliance value (Japan)", "tariff.JP.US.agriculture"): _JP_FLOOR,
    ("alliance value (Japan)", "tw.US.JP"): _LITTLE_TO_GIVE,
    ("Japan's farm lobby weight", "tariff.JP.US.agriculture"): (
        "The red line, not the weight, sets the farm tariff: the cut from 20% to 12% costs "
        "Japan little at any weight in range, and with the line lifted the weight moves it "
        '+0.26 pp [-0.07, +0.65] (findings.md, "What sets the depth of the deal").'
    ),
    ("Japan's farm lobby weight, the red line lifted", "tariff.JP.US.agriculture"): (
        "The weight changes whether Japan accepts, not what the US asks (the US proposes "
        "most deals): a heavier lobby rejects more asks, the deal comes 0.35 rounds later, "
        "and each US rejection of a Japanese offer signals (N8) and lowers a reliant "
        "Japan's reserve, so the later asks go deeper. With the signal off the weight "
        "moves the farm tariff +0.35 pp [+0.07, +0.63] (800 seeds), theory's sign, still "
        'below the 1 pp asked (findings.md, "What the directed search changed").'
    ),
    ("US steel lobby weight", "tariff.US.JP.steel"): (
        "Theory's sign at half the size asked: the steel rents a cut on Japan alone moves "
        "are small (Japan sells the US $1.5bn of steel against $114bn of US producers' home "
        "sales), so the weight adds 0.0006% of GDP to a full cut, below the US's noise about "
        'payoffs (findings.md, "The US steel lobby\'s weight").'
    ),
    ("US deficit salience", "balance.US.JP"): (
        "Trade diversion: salience makes the US coerce China harder, and Japan sells the US "
        "part of what China no longer does; without the US-China table the effect is 0 "
        '(findings.md, "Deficit salience has the \\"wrong sign\\"").'
    ),
    ("US election timing (midterms later)", "escalation.US-CN"): (
        "Escalation sits near its ceiling (94-97%): most of it comes from snap-backs late in "
        "the run, ahead of the 2020 election, which both arms keep (findings.md, "
        '"Escalation sits near its ceiling"; the midterms row of "Findings that changed").'
    ),
    ("CPTPP preference (Japan's outside option)", "tariff.JP.US.agriculture"): _CPTPP,
    ("CPTPP preference (Japan's outside option)", "deal16.US-JP"): _CPTPP,
    ("CPTPP preference (Japan's outside option)", "agreement_round.US-JP"): _CPTPP,
    ("China's retaliation resolve", "escalation.US-CN"): _CEILING,
    ("China's retaliation capacity", "escalation.US-CN"): _CEILING,
}


def key_of(check: Check) -> str | tuple[str, str]:
    """The key of ``check`` in :data:`WHY`: (mechanism, metric) for a static, else its name."""
    if "mechanism" in check.data and "metric" in check.data:
        return (str(check.data["mechanism"]), str(check.data["metric"]))
    return check.name


def why(check: Check) -> str:
    """The explanation of a failing check, or empty (a check that holds needs none)."""
    if check.verdict != FAILS:
        return ""
    return WHY.get(key_of(check), "")
