"""How the command line reports bad input: one line, exit status 2, no traceback.

:class:`UserError` is a ``click.ClickException`` with exit code 2 whose ``show``
prints ``negsim: error: MESSAGE``. :class:`Group` turns the library's own one-line
errors (``ScenarioError``, ``ExperimentError``, ``AnalysisError``) and the operating
system's (an unreadable or unwritable path, a full disk) into it, so commands raise
what they like and click does the reporting.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import IO, Any

import click

from negsim.scenarios import ScenarioError
from negsim.sweeps import ExperimentError


class UserError(click.ClickException):
    """Bad input from the user: reported as one line on stderr, exit status 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        """Print ``negsim: error: MESSAGE`` (one line)."""
        message = " ".join(self.format_message().split("\n"))
        click.echo(f"negsim: error: {message}", err=True, file=file)


def renamed(old: str, new: str, meaning: str) -> Any:
    """A click callback refusing a renamed option with a one-line hint."""

    def refuse(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and value != ():
            raise UserError(f"{old} was renamed {new} ({meaning}): use {new}")
        return value

    return refuse


def path_option(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A click callback: an optional path given as text, refused when empty."""
    if value is None:
        return None
    if str(value).strip() == "":
        raise click.BadParameter("an empty path; give a file or folder name")
    from pathlib import Path

    return Path(value)


def _user_errors() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [ScenarioError, ExperimentError]
    analysis = sys.modules.get("negsim.analysis")
    if analysis is not None and hasattr(analysis, "AnalysisError"):
        found.append(analysis.AnalysisError)
    return tuple(found)


def as_user_error(exc: BaseException) -> UserError | None:
    """The :class:`UserError` for a library or OS error, or None for anything else."""
    if isinstance(exc, _user_errors()):
        return UserError(str(exc))
    if isinstance(exc, UnicodeDecodeError):
        return UserError(f"not a text file ({exc.reason})")
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return UserError(f"{where}{exc.strerror or type(exc).__name__}")
    return None


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Turn a library or OS error raised inside into a :class:`UserError`."""
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
        raise
    except (ValueError, OSError) as exc:
        error = as_user_error(exc)
        if error is None:
            raise
        raise error from None


class Group(click.Group):
    """A click group whose commands' library and OS errors become :class:`UserError`."""

    def invoke(self, ctx: click.Context) -> Any:
        """Invoke the subcommand, translating its one-line errors."""
        with translated():
            return super().invoke(ctx)
