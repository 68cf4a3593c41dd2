"""``negsim run``: one negotiation, printed as a summary, a JSON record or a trace."""

from __future__ import annotations

import click

from negsim.cli.errors import UserError
from negsim.negotiation.protocols import PROTOCOLS
from negsim.scenarios import load_scenario, parse_assignment, read_toml


@click.command("run")
@click.option(
    "--scenario", default="tag2018", show_default=True, help="Built-in name or TOML path."
)
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="bilateral", show_default=True)
@click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**63 - 1),
    default=0,
    show_default=True,
    help="Seed of the model's rng (0 .. 2**63-1).",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a parameter by dotted path (repeatable).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the outcome record as one JSON object."
)
@click.option("--trace", is_flag=True, help="Print the round-by-round table.")
def run_command(
    scenario: str,
    protocol: str,
    seed: int,
    assignments: tuple[str, ...],
    as_json: bool,
    trace: bool,
) -> None:
    """Run one negotiation and print what happened.

    \b
    Examples:
      negsim run --protocol bilateral --seed 7
      negsim run --protocol multilateral --seed 7 --json
      negsim run --seed 3 --set JP.security.reliance.US=0.95 --set US.politics.salience_peak=0.5
      negsim run --seed 3 --trace
    """
    import json

    from negsim.negotiation.kinds import check_strategies
    from negsim.negotiation.model import NegotiationModel
    from negsim.record.outcome import summary
    from negsim.record.trace import trace_table

    if as_json and trace:
        raise UserError("--json and --trace exclude each other: a JSON record or a table")
    overrides = dict(parse_assignment(text) for text in assignments)
    loaded = load_scenario(scenario, overrides)
    check_strategies(loaded, label=read_toml(scenario)[1])
    model = NegotiationModel(loaded, protocol=protocol, rng=seed, collect="rounds")
    outcome = model.run()
    if as_json:
        record = outcome.to_record()
        click.echo(json.dumps({k: (None if v != v else v) for k, v in record.items()}))
        return
    if trace:
        click.echo(trace_table(model))
        click.echo()
    click.echo(summary(outcome))
