"""Write ``records_before_perf.json``: outcome records of the engine on the path.

Run it with the engine whose behaviour is to be pinned first on the path, e.g. after
merging a branch that changes the model on purpose, with a checkout of that branch's
pre-merge commit: ``PYTHONPATH=<checkout> python tests/data/pin_records.py <commit>``.
``tests/test_records_pinned.py`` then checks the merged engine against it.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import negsim

SEEDS = {"tag2018": (0, 1, 7, 42), "symmetric": (0, 3)}


def main() -> None:
    commit = sys.argv[1] if len(sys.argv) > 1 else "unknown"
    records = {}
    for name, seeds in SEEDS.items():
        scenario = negsim.load_scenario(name)
        for protocol in ("bilateral", "multilateral"):
            for seed in seeds:
                record = negsim.simulate(scenario, protocol, seed).to_record()
                records[f"{name}/{protocol}/{seed}"] = {
                    k: None if isinstance(v, float) and math.isnan(v) else v
                    for k, v in record.items()
                }
    path = Path(__file__).with_name("records_before_perf.json")
    path.write_text(json.dumps({"commit": commit, "records": records}, indent=0, sort_keys=True))
    print(f"wrote {len(records)} records to {path} (engine: {negsim.__file__})")


if __name__ == "__main__":
    main()
