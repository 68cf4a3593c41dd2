"""Bilateral against multilateral talks in tag2018: reported beside theory, no verdict forced.

Theory's predictions here assume symmetric countries, which tag2018 is not, so the
comparison is reported with the theory's statement and not counted.
"""

from __future__ import annotations

import pandas as pd

from negsim.validation.check import REPORTED, Check

GROUP = "Bilateral vs multilateral (reported, not forced)"


def protocol_checks(records: pd.DataFrame) -> list[Check]:
    """The spread of gains and Japan's farm liberalisation under each protocol."""
    bi = records[records["protocol"] == "bilateral"]
    multi = records[records["protocol"] == "multilateral"]
    utilities = ["utility.US", "utility.JP", "utility.CN"]
    needed = {*utilities, "tariff.JP.US.agriculture", "tariff.JP.ROW.agriculture"}
    if bi.empty or multi.empty or not needed <= set(records.columns):
        return []
    spread = {
        label: (frame[utilities].max(axis=1) - frame[utilities].min(axis=1)).mean()
        for label, frame in (("bilateral", bi), ("multilateral", multi))
    }
    gains = Check(
        GROUP,
        "MFN talks give a more even split of gains",
        "expected more even (Maggi 1999; Bagwell-Staiger on MFN)",
        "theory",
        "reported",
        f"spread of payoffs across countries: bilateral {spread['bilateral']:.3f}, "
        f"multilateral {spread['multilateral']:.3f} % of GDP (mean)",
        REPORTED,
        "The even-split argument assumes symmetric countries; in tag2018 the MFN "
        "schedule extends every cut to China and ROW.",
    )
    farm = Check(
        GROUP,
        "MFN talks liberalise Japan's farm sector more",
        "expected more (Davis 2004)",
        "theory",
        "reported",
        f"Japan on US farm goods: bilateral {bi['tariff.JP.US.agriculture'].mean():.1%}, "
        f"multilateral {multi['tariff.JP.US.agriculture'].mean():.1%}; on ROW: "
        f"{bi['tariff.JP.ROW.agriculture'].mean():.1%} vs "
        f"{multi['tariff.JP.ROW.agriculture'].mean():.1%}",
        REPORTED,
    )
    return [gains, farm]
