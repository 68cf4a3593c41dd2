"""Which parameters matter: Morris screening, then Sobol' on the eight that matter most.

Step 1 runs experiments/what_matters.toml (a Morris design over tag2018's estimated
parameters) into results/what_matters/ and screens it (`negsim sensitivity --method
morris`). Step 2 writes experiments/what_matters_sobol.toml, a Sobol' design over the
eight parameters with the largest mu* (relative to the largest, over the headline
outcomes), with the same ranges, and runs and analyses it into
results/what_matters_sobol/. Step 3 asks where US-China escalation fails (PRIM,
`negsim discover` on the Sobol' runs, whose quasi-random points suit it). All steps
resume:
stop the script and run it again to finish. Extra arguments (e.g. ``--workers 2``)
go to both `negsim sensitivity` calls::

    python experiments/what_matters.py
    python experiments/what_matters.py --workers 2
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pandas as pd

from negsim.analysis.sensitivity import Sensitivity, ranking
from negsim.cli import main
from negsim.sweeps import Experiment, read_manifest

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
#: The headline outcomes: the deal, escalation, tariffs at the end, each utility.
METRICS = (
    "agreement.US-JP,coerced.CN,tariff.JP.US.agriculture,tariff.US.CN.other,"
    "tariff.CN.US.agriculture,utility.US,utility.JP,utility.CN"
)
TOP = 8
SOBOL_SAMPLES = 512  # 512 x (8 + 2) = 5,120 design points (128 gave negative indices)


def sobol_definition(morris_toml: Path, top: list[str]) -> str:
    """The Sobol' experiment over ``top``, with the Morris experiment's ranges."""
    spec = tomllib.loads(morris_toml.read_text(encoding="utf-8"))
    ranges = spec["design"]["parameters"]
    lines = [
        "# Written by experiments/what_matters.py from the Morris screening of",
        "# results/what_matters/: do not edit (run the script again instead).",
        'name = "what_matters_sobol"',
        f'description = "Sobol\' indices of the {len(top)} parameters that matter most"',
        f'scenario = "{spec["scenario"]}"',
        f"replications = {spec['replications']}",
        f"root_seed = {spec['root_seed'] + 1}",
        "",
    ]
    for arm, settings in spec["arms"].items():
        lines.append(f"[arms.{arm}]")
        lines += [f'{key} = "{value}"' for key, value in settings.items()]
        lines.append("")
    lines += ["[design]", 'kind = "sobol"', f"samples = {SOBOL_SAMPLES}", "", "[design.parameters]"]
    lines += [
        f'"{name}" = {{ low = {ranges[name]["low"]}, high = {ranges[name]["high"]} }}'
        for name in top
    ]
    return "\n".join(lines) + "\n"


def run(args: list[str]) -> int:
    """Screen, pick the top parameters, run Sobol' on them; return the exit status."""
    if {"-h", "--help"} & set(args):  # the options of both steps, and nothing run
        print(__doc__)
        return main(["sensitivity", "--help"])
    morris_toml = HERE / "what_matters.toml"
    status = main(
        [
            "sensitivity",
            str(morris_toml),
            "--method",
            "morris",
            "--out",
            str(RESULTS / "what_matters"),
            "--metrics",
            METRICS,
            *args,
        ]
    )
    if status != 0:
        return status
    table = pd.read_csv(RESULTS / "what_matters" / "sensitivity_morris.csv")
    top = list(ranking(Sensitivity("morris", table, pd.DataFrame())).index[:TOP])
    folder = RESULTS / "what_matters_sobol"
    sobol_toml = HERE / "what_matters_sobol.toml"
    sobol_toml.write_text(sobol_definition(morris_toml, top), encoding="utf-8")
    # a new screening picks a new top: the old Sobol' runs answer another question
    manifest = read_manifest(folder) if folder.is_dir() else None
    stale = manifest is not None and (
        manifest.get("fingerprint") != Experiment.from_file(sobol_toml).fingerprint()
    )
    fresh = ["--overwrite"] if stale else []
    print(f"Sobol' on the top {len(top)}: {', '.join(top)}")
    status = main(
        [
            "sensitivity",
            str(sobol_toml),
            "--method",
            "sobol",
            "--out",
            str(folder),
            *fresh,
            "--metrics",
            METRICS,
            *args,
        ]
    )

    if status != 0:
        return status
    return main(["discover", str(folder), "--metric", "coerced.CN", "--below", "0.5"])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
