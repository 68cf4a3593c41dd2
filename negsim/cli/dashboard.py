"""``negsim dashboard``: serve the browser dashboard (:mod:`negsim.dashboard`) locally.

The command checks its input (the optional extra, the port, the folders) before it
starts anything, then runs ``solara run negsim.dashboard.app --production`` in a
child process on 127.0.0.1 and waits; Ctrl-C (or SIGTERM) stops the server and
returns exit status 0.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from types import FrameType

import click

from negsim.cli.errors import path_option
from negsim.dashboard import RESULTS_ENV, SCENARIO_ENV
from negsim.scenarios import load_scenario

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
APP = "negsim.dashboard.app"
STOP_SECONDS = 10.0  # how long the server gets to stop after Ctrl-C before it is killed
EXTRA_HINT = "pip install 'negsim[dashboard]'"


def _user_error(message: str) -> Exception:
    """The CLI's one-line user error (imported late: main.py imports this module)."""
    cli_main = importlib.import_module("negsim.cli.main")  # the package exports main()
    return cli_main.UserError(message)


def missing_extra() -> list[str]:
    """The modules of the ``dashboard`` extra that cannot be found."""
    missing = []
    for module in ("solara", "mesa.visualization", "matplotlib"):
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            missing.append(module)
    return missing


def port_in_use(host: str, port: int) -> bool:
    """True when a server already listens on ``host:port`` (or the port cannot be bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def check_host(host: str) -> None:
    """Refuse an address this machine cannot listen on, in one line."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))  # resolves the name too
    except (OSError, UnicodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise _user_error(
            f"--host {host}: not an address this machine can listen on ({why}); "
            f"e.g. {DEFAULT_HOST} or 0.0.0.0"
        ) from None


def check_results(results: Path) -> None:
    """Refuse a --results that is a file or missing (the default may be missing)."""
    if results.exists() and not results.is_dir():
        raise _user_error(f"--results {results}: a file, not a folder of results")
    if results != Path("results") and not results.is_dir():
        raise _user_error(f"--results {results}: no such folder")


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def server_command(host: str, port: int) -> list[str]:
    """The child process: Solara's server in production mode, no version check."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--production",
        "--no-check-version",
        "--no-open",
        "--host",
        host,
        "--port",
        str(port),
    ]


def server_environment(results: Path, scenario: str) -> dict[str, str]:
    """The child's environment: the folders, and no telemetry or CDN requests."""
    env = dict(os.environ)
    env[RESULTS_ENV] = str(results)
    env[SCENARIO_ENV] = scenario
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("PYTHONWARNINGS", "ignore::UserWarning")  # Solara's cookie and hook notes
    env.setdefault("MPLBACKEND", "Agg")
    return env


def serve(command: list[str], env: dict[str, str]) -> int:
    """Run the server until it ends or Ctrl-C / SIGTERM arrives; return its status."""
    # its own session: Ctrl-C reaches this process only, which stops the server once
    child = subprocess.Popen(command, env=env, start_new_session=True)

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        return child.wait()
    except KeyboardInterrupt:
        with contextlib.suppress(ProcessLookupError):
            child.terminate()  # uvicorn shuts down gracefully on SIGTERM
        try:
            child.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        click.echo("negsim dashboard: stopped", err=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("dashboard")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to serve on; 0 picks a free one.",
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option(
    "--results",
    "results",
    default="results",
    callback=path_option,  # an empty path is refused
    show_default=True,
    help="Folder of results folders (or one results folder) for the explorer.",
)
@click.option(
    "--scenario", default="tag2018", show_default=True, help="Scenario the sliders are made for."
)
def dashboard(port: int, host: str, results: Path, scenario: str) -> None:
    """Serve the browser dashboard: one negotiation round by round, and a results explorer.

    Open the address it prints: `/` plays one negotiation (Step / Play / Reset,
    sliders), `/results` explores the results folders under --results. Needs the
    optional extra: pip install 'negsim[dashboard]'. Ctrl-C stops it.

    \b
    Examples:
      negsim dashboard
      negsim dashboard --port 8800 --results results/escalation
    """
    missing = missing_extra()
    if missing:
        raise _user_error(
            f"the dashboard needs the optional extra: {EXTRA_HINT} (missing: {', '.join(missing)})"
        )
    check_results(results)
    check_host(host)
    load_scenario(scenario)  # a bad name is reported as one line
    if port == 0:
        port = free_port(host)
    elif port_in_use(host, port):
        raise _user_error(f"--port {port}: {host}:{port} is already in use; choose another port")
    url = f"http://{host}:{port}/"
    click.echo(f"negsim dashboard: {url} (results explorer: {url}results); Ctrl-C stops it")
    status = serve(server_command(host, port), server_environment(results.resolve(), scenario))
    if status not in (0, -signal.SIGINT, 130):
        raise _user_error(f"the dashboard server stopped with status {status}")
