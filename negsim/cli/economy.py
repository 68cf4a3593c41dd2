"""``negsim economy SCENARIO``: the economist's view of a world before any talks."""

from __future__ import annotations

import json

import click

from negsim.cli.errors import UserError
from negsim.economy import SolverError, World
from negsim.economy.view import economy_view, view_lines
from negsim.scenarios import load_scenario, parse_assignment


@click.command("economy")
@click.argument("scenario")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a parameter by dotted path (repeatable), as for negsim run.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def economy_command(scenario: str, assignments: tuple[str, ...], as_json: bool) -> None:
    """Optimal tariffs, a full trade war and welfare of SCENARIO (name or TOML path).

    Each economy's unilateral optimal MFN tariffs by sector (the others at the
    start); the tariffs when every economy, ROW included, plays best responses;
    real income (% of GDP, relative to the start) at free trade, the start and war.

    \b
    Examples:
      negsim economy tag2018
      negsim economy symmetric --json | jq .welfare.war
      negsim economy tag2018 --set economy.elasticity_scale=1.5
    """
    config = load_scenario(scenario, dict(parse_assignment(text) for text in assignments))
    try:
        view = economy_view(World.from_scenario(config))
    except SolverError as exc:
        raise UserError(f"{scenario}: {exc}") from None
    if as_json:
        click.echo(json.dumps(view))
    else:
        click.echo("\n".join(view_lines(view)))
