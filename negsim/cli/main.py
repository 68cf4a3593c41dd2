"""The ``negsim`` command line: the click group :data:`cli` and :func:`main`.

Each command lives in its own module of :mod:`negsim.cli` and is added below with
one ``cli.add_command(...)`` line. Every command reports bad input as one line on
stderr, ``negsim: error: ...``, and exits with status 2, without a traceback
(:mod:`negsim.cli.errors`).
"""

from __future__ import annotations

import sys

import click

from negsim.cli.compare import compare
from negsim.cli.dashboard import dashboard
from negsim.cli.economy import economy_command
from negsim.cli.errors import Group, UserError
from negsim.cli.run import run_command
from negsim.cli.scenarios import scenarios
from negsim.cli.sensitivity import discover, sensitivity
from negsim.cli.sweep import sweep
from negsim.cli.validate import validate_command


@click.group(
    name="negsim",
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="negsim")
def cli() -> None:
    """Agent-based simulator of trade negotiations (US, Japan, China, 2018).

    \b
    Examples:
      negsim scenarios                       # list built-in scenarios
      negsim scenarios show tag2018          # every parameter with path, value, unit
      negsim run --protocol bilateral --seed 7
      negsim run --protocol multilateral --seed 7 --set JP.security.reliance.US=0.95 --json
      negsim sweep bilateral_vs_multilateral --resume   # experiments/NAME.toml -> results/NAME/
      negsim compare results/bilateral_vs_multilateral     # statistics, figures, report.md
      negsim validate                                   # theory and 2018-2020 checks
    """


# -- the commands: one module each; add a new command with one line here -----
cli.add_command(scenarios)
cli.add_command(run_command)
cli.add_command(sweep)
cli.add_command(compare)
cli.add_command(validate_command)
cli.add_command(economy_command)
cli.add_command(dashboard)
cli.add_command(sensitivity)
cli.add_command(discover)


def main(argv: list[str] | None = None, command: click.Command | None = None) -> int:
    """Entry point of the ``negsim`` console script; returns the exit status.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).
        command: the command to run (default: :data:`cli`); the experiment scripts
            pass their own.
    """
    command = command or cli
    try:
        command.main(args=argv, prog_name=command.name or "negsim", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 0
    except click.UsageError as exc:  # click's own: one line, with where to get help
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        UserError(f"{exc.format_message()}{hint}").show()
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort:
        click.echo("negsim: aborted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
