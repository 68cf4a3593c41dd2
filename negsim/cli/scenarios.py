"""``negsim scenarios``: list the built-in scenarios, or show one's parameters."""

from __future__ import annotations

import click

from negsim.scenarios import builtin_scenarios, load_scenario, parameters


@click.group(invoke_without_command=True)
@click.pass_context
def scenarios(ctx: click.Context) -> None:
    """List built-in scenarios, or show one with `negsim scenarios show NAME`.

    \b
    Examples:
      negsim scenarios
      negsim scenarios show tag2018
      negsim scenarios show my_scenario.toml
    """
    if ctx.invoked_subcommand is None:
        for name in builtin_scenarios():
            scenario = load_scenario(name)
            click.echo(f"{name:12s} {scenario.description}")


@scenarios.command("show")
@click.argument("name")
def scenarios_show(name: str) -> None:
    """Print every parameter of scenario NAME (a built-in name or a TOML path).

    Each line holds the dotted path (usable with `negsim run --set PATH=VALUE`),
    the value and its unit.

    \b
    Examples:
      negsim scenarios show tag2018
      negsim scenarios show tag2018 | grep security
    """
    scenario = load_scenario(name)
    rows = parameters(scenario)
    width = max(len(path) for path, _, _ in rows)
    for path, value, unit in rows:
        shown = value if not isinstance(value, float) else f"{value:g}"
        click.echo(f"{path:<{width}}  {shown!s:<14} {unit}".rstrip())
