"""``negsim compare``: statistics, figures and a report from a results folder.

The work is in :mod:`negsim.analysis`, imported when the command runs so that the
other commands start fast.
"""

from __future__ import annotations

from pathlib import Path

import click

from negsim.cli.errors import UserError, path_option, renamed
from negsim.sweeps import resolve_results_folder
from negsim.sweeps.atomic import staged_folder
from negsim.sweeps.manifest import MANIFEST, read_manifest


@click.command("compare")
@click.argument("results", type=click.Path(path_type=Path))
@click.argument("more_metrics", nargs=-1, metavar="")
@click.option("--by", default="arm", show_default=True, help="Column whose values are the arms.")
@click.option(
    "--metrics",
    "-m",
    multiple=True,
    metavar="M ...",
    help="Metrics or patterns (utility.*), space- or comma-separated, or repeated. "
    "Default: payoffs, agreement, escalation, econ, balances, nash_gap, varying tariffs.",
)
@click.option("--baseline", help="Reference arm. Default: the manifest's first arm.")
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    callback=path_option,
    help="Folder for report.md, comparison.csv and figures/. Default: RESULTS.",
)
@click.option(
    "--n-resamples",
    default=9999,
    show_default=True,
    type=click.IntRange(min=100, max=10**7),
    help="Resamples of each bootstrap interval.",
)
@click.option(
    "--resamples",
    type=int,
    hidden=True,
    expose_value=False,
    callback=renamed("--resamples", "--n-resamples", "the bootstrap's resamples"),
)
@click.option(
    "--bootstrap-seed",
    default=20180926,
    show_default=True,
    type=click.IntRange(min=0, max=2**63 - 1),
    help="Seed of the bootstrap's resampling.",
)
@click.option(
    "--seed",
    type=int,
    hidden=True,
    expose_value=False,
    callback=renamed("--seed", "--bootstrap-seed", "the bootstrap's seed"),
)
def compare(
    results: Path,
    more_metrics: tuple[str, ...],
    by: str,
    metrics: tuple[str, ...],
    baseline: str | None,
    out: Path | None,
    n_resamples: int,
    bootstrap_seed: int,
) -> None:
    """Compare outcome distributions between arms of the experiment in RESULTS.

    RESULTS is a results folder, or an experiment's name for results/NAME.

    Writes report.md, comparison.csv, summary.csv and figures/*.png (ECDFs and violins
    per metric, sweep curves, who gains what) and prints the largest effects.

    \b
    Examples:
      negsim compare results/bilateral_vs_multilateral
      negsim compare security_reliance          # = results/security_reliance
      negsim compare results/bilateral_vs_multilateral --metrics utility.JP agreement
      negsim compare escalation --by protocol --metrics 'utility.*' --out /tmp/rep
    """
    from negsim import analysis

    if more_metrics and not metrics:
        raise UserError(f"unexpected argument {more_metrics[0]!r} (one RESULTS folder only)")
    source = resolve_results_folder(results)
    folder = out or source
    manifest = read_manifest(source)
    _warn_if_not_whole(source, manifest)
    if out is not None:
        _refuse_other_results(out, source, manifest)
    created = not folder.exists()
    try:
        with staged_folder(folder) as staging:  # every file replaced whole, or none on an error
            table = analysis.report(
                source,
                staging,
                by,
                [*metrics, *more_metrics] or None,
                baseline=baseline,
                n_resamples=n_resamples,
                bootstrap_seed=bootstrap_seed,
            )
    except OSError as exc:
        if created and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # nothing was written: leave no empty folder behind
        why = exc.strerror or str(exc)
        raise UserError(
            f"{folder}: cannot write the report there ({why}); nothing in it was changed"
            + ("; write it elsewhere with --out FOLDER" if out is None else "")
        ) from None
    click.echo(f"wrote {folder / 'report.md'}, comparison.csv and figures/")
    for sentence in analysis.effect_sentences(table, by, names=table.attrs.get("names")):
        click.echo(f"- {sentence}")


def _warn_if_not_whole(source: Path, manifest: dict | None) -> None:
    """One warning line when the folder's sweep did not finish, or has no manifest."""
    if manifest is None:
        if not any(source.glob("*.parquet")):
            return  # not a results folder: the analysis says so
        click.echo(
            f"negsim: warning: {source}: no {MANIFEST}: the parts' checksums and the "
            "experiment they belong to cannot be checked (negsim sweep EXPERIMENT --out "
            f"{source} --resume rebuilds it from the parts)",
            err=True,
        )
        return
    state, counts = manifest.get("state"), manifest.get("counts", {})
    if state not in ("complete", None):
        click.echo(
            f"negsim: warning: {source}: the sweep is {state} ({counts.get('written', '?')} "
            f"of {counts.get('runs', '?')} runs): the comparison reads only the runs there, "
            "and arms may hold different seeds (negsim sweep --resume finishes it)",
            err=True,
        )


def _refuse_other_results(out: Path, source: Path, manifest: dict | None) -> None:
    """Refuse to write a report into the results folder of another experiment."""
    if out.resolve() == source.resolve():
        return
    there = read_manifest(out) if out.is_dir() else None
    if there is None:
        return
    mine = (manifest or {}).get("experiment")
    if there.get("experiment") != mine or there.get("fingerprint") != (manifest or {}).get(
        "fingerprint"
    ):
        raise UserError(
            f"--out {out}: the results folder of experiment {there.get('experiment')!r}; "
            f"a report of {mine!r} would sit beside runs it does not describe: "
            "choose another folder"
        )
