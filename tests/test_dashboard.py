"""The dashboard: its model wrapper and data, the command, and both pages in a real browser.

The browser tests start ``negsim dashboard`` on a free port of 127.0.0.1 and drive
Debian's chromium (``/usr/bin/chromium``) through Playwright from pip; without
chromium they are skipped, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from negsim import load_scenario
from negsim.cli import main
from negsim.cli.dashboard import free_port, missing_extra
from negsim.dashboard.explorer import (
    apply_filters,
    ecdf,
    metrics,
    parameter_ranges,
    results_folders,
    snapped,
)
from negsim.dashboard.model import DashboardModel, model_params, sliders
from negsim.dashboard.series import (
    mean_edge_tariff,
    numeric_groups,
    offer_log,
    split_by_table,
    trade_network,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"
START_SECONDS = 180  # the server's start-up on a loaded two-core machine
WAIT_MS = 60_000


# --------------------------------------------------------------------------- the model


def test_model_is_rebuilt_from_scalar_keywords_as_solaraviz_reset_does():
    params = model_params("tag2018")
    values = {name: spec["value"] for name, spec in params.items()}
    assert all(isinstance(v, str | int | float) for v in values.values())
    values["JP.security.reliance.US"] = 0.5
    first = DashboardModel(**values)
    # SolaraViz's Reset; Mesa 3.5's adds a `scenario` keyword holding its own Scenario
    mesa_scenario = getattr(first, "scenario", None)
    extra = {"scenario": type(mesa_scenario)()} if mesa_scenario is not None else {}
    again = first.__class__(**values, **extra)
    assert again.ignored == {}
    assert again.played.nations["JP"].security.reliance["US"] == 0.5
    assert again.changed == {"JP.security.reliance.US": 0.5}
    for model in (first, again):
        model.step()
        model.step()
    a = first.datacollector.get_model_vars_dataframe()
    b = again.datacollector.get_model_vars_dataframe()
    pd.testing.assert_frame_equal(a, b)  # same keywords, same seed: the same rounds


def test_slider_moves_the_parameter_it_names():
    base = DashboardModel()
    assert base.changed == {}
    moved = DashboardModel(**{"economy.elasticity": 6.5, "US.politics.elections.0": 7})
    assert moved.played.economy.elasticity == 6.5
    assert moved.played.nations["US"].politics.elections[0] == 7
    assert set(moved.changed) == {"economy.elasticity", "US.politics.elections.0"}


def test_override_of_another_scenario_is_ignored_not_fatal():
    model = DashboardModel(scenario_name="symmetric", **{"JP.security.reliance.US": 0.5})
    assert model.ignored == {"JP.security.reliance.US": 0.5}
    assert model.overrides == {}


def test_sliders_follow_the_scenario_countries_and_tables():
    scenario = load_scenario("symmetric")
    paths = [s.path for s in sliders("symmetric")]
    # three tables, each giving both countries' reliance on the other
    pairs = {(a, b) for a, b in scenario.tables} | {(b, a) for a, b in scenario.tables}
    reliance = {p for p in paths if ".security.reliance." in p}
    assert reliance == {f"{a}.security.reliance.{b}" for a, b in pairs}
    assert len(reliance) == 6
    # no elections in this scenario: no salience or election sliders
    assert not [p for p in paths if "salience" in p or "elections" in p]
    assert not [p for p in paths if p.split(".")[0] in ("US", "JP", "CN")]


def test_sliders_start_at_the_scenario_values_and_contain_them():
    scenario = load_scenario("tag2018")
    by_path = {s.path: s for s in sliders("tag2018")}
    assert (
        by_path["JP.security.reliance.US"].value == scenario.nations["JP"].security.reliance["US"]
    )
    first_election = scenario.nations["US"].politics.elections[0]
    assert by_path["US.politics.elections.0"].value == first_election
    assert by_path["economy.elasticity_scale"].value == scenario.economy.elasticity_scale
    # each country's retaliation resolve: the highest type of its prior
    for code in scenario.countries:
        support = scenario.nations[code].strategy.resolve.values
        assert by_path[f"{code}.strategy.resolve.values.{len(support) - 1}"].value == support[-1]
    for slider in by_path.values():
        assert slider.low <= slider.value <= slider.high


# --------------------------------------------------------------------------- what is plotted


def test_columns_are_grouped_by_prefix_text_left_out():
    df = pd.DataFrame(
        {
            "utility.A": [0.0, 1.0],
            "tariff.A.B.x": [0.1, 0.2],
            "alliance.A-B": [1.0, 0.9],
            "retaliations": [0, 1],
            "status.A-B": ["open", "agreed"],
            "newthing.A": [2.0, 3.0],
        }
    )
    groups = numeric_groups(df)
    assert list(groups) == ["tariff", "utility", "alliance", "events", "newthing"]
    assert groups["events"] == ["retaliations"]
    assert "status" not in groups


def test_tariffs_are_split_by_the_table_of_both_countries():
    columns = ["tariff.A.B.x", "tariff.B.A.y", "tariff.A.C.x", "tariff.C.B.x"]
    split = split_by_table(columns, ["A-B", "A-C"])
    assert split == {
        "A-B": ["tariff.A.B.x", "tariff.B.A.y"],
        "A-C": ["tariff.A.C.x"],
        "other": ["tariff.C.B.x"],
    }


def test_offer_log_reads_the_last_round():
    df = pd.DataFrame(
        {"status.A-B": ["open", "agreed"], "offer.A-B": ["A: [0.1]", "B: [0.0] accepted"]}
    )
    assert offer_log(df) == [("A-B", "agreed", "B: [0.0] accepted")]


def test_edge_tariff_is_export_weighted():
    data = {"tariffs": {"x": 0.1, "y": 0.3}, "exports": {"x": 3.0, "y": 1.0}}
    assert mean_edge_tariff(data) == pytest.approx((0.1 * 3 + 0.3 * 1) / 4)
    assert mean_edge_tariff({"tariffs": {"x": 0.1, "y": 0.3}}) == pytest.approx(0.2)


def test_network_holds_the_tariffs_in_force():
    model = DashboardModel()
    graph = trade_network(model)
    assert isinstance(graph, nx.DiGraph)
    scenario = model.played
    assert set(scenario.countries) <= set(graph.nodes)
    # edge exporter -> importer carries the importer's tariff on the exporter
    jp_on_us = scenario.nations["JP"].tariffs["US"]["agriculture"]
    assert graph.edges["US", "JP"]["tariffs"]["agriculture"] == pytest.approx(jp_on_us)


# --------------------------------------------------------------------------- the explorer's data


def _runs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "arm": ["a", "b", "a", "b"],
            "status": ["ok"] * 4,
            "param.x": [1.0, 1.0, 2.0, 2.0],
            "param.fixed": [5.0] * 4,
            "utility.A": [0.1, 0.2, 0.3, 0.5],
            "flat": [1.0] * 4,
        }
    )


def test_parameter_filters_keep_runs_within_both_ends():
    df = _runs()
    assert parameter_ranges(df) == {"param.x": (1.0, 2.0)}
    assert apply_filters(df, {"param.x": (1.5, 2.0)})["utility.A"].tolist() == [0.3, 0.5]
    assert len(apply_filters(df, {"param.x": (1.0, 2.0)})) == 4


def test_range_slider_rounding_at_the_ends_keeps_every_run():
    # a slider of 50 steps over 0.4012..0.8987 rounded by the browser to 3 decimals
    assert snapped((0.401, 0.899), 0.4012, 0.8987) == (0.4012, 0.8987)
    step = (0.8987 - 0.4012) / 50
    assert snapped((0.4012 + step, 0.899), 0.4012, 0.8987) == (0.4012 + step, 0.8987)


def test_metrics_leave_out_ids_parameters_and_constants():
    assert metrics(_runs()) == ["utility.A"]


def test_ecdf_steps_by_one_over_n():
    x, y = ecdf(np.array([3.0, 1.0, np.nan, 2.0]))
    assert x.tolist() == [1.0, 2.0, 3.0]
    assert y.tolist() == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_results_folders_are_found_below_the_root(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "one" / "manifest.json").write_text("{}")
    (tmp_path / "notes").mkdir()
    assert results_folders(tmp_path) == [tmp_path / "one"]


# --------------------------------------------------------------------------- the command


def test_missing_extra_is_one_line_exit_2(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "solara" else real(name, *a)
    )
    assert main(["dashboard", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "negsim[dashboard]" in err and "solara" in err


def test_port_taken_is_one_line_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--port", str(port)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{port}" in err and "in use" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--host", "999.1.1.1"], "--host 999.1.1.1: not an address this machine can listen on"),
        (["--results", "README.md"], "--results README.md: a file, not a folder of results"),
        (["--results", ""], "an empty path"),
        (["--results", "no/such/folder"], "--results no/such/folder: no such folder"),
    ],
)
def test_dashboard_options_that_cannot_serve_are_one_line(args, message, capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    monkeypatch.setattr("negsim.cli.dashboard.missing_extra", lambda: [])  # before serving
    assert main(["dashboard", "--port", "0", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def _need_extra() -> None:
    missing = missing_extra()
    if missing:
        _unavailable(f"the dashboard extra is not installed (missing: {', '.join(missing)})")


def _need_browser() -> None:
    _need_extra()
    if not CHROMIUM.exists():
        _unavailable(f"Debian's chromium is not installed ({CHROMIUM}; apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        _unavailable("playwright is not installed (pip install playwright)")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def _start(port: int, results: Path, cwd: Path) -> subprocess.Popen:
    """Start ``negsim dashboard`` with its output in a file of ``cwd`` (``_output`` reads it).

    A file, not a pipe: a pipe nobody reads while the server runs fills up, and the
    server then blocks on its next line of log (a stop that never comes).
    """
    command = [sys.executable, "-m", "negsim.cli", "dashboard", "--port", str(port)]
    log = cwd / f"dashboard-{port}.log"
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        # pytest started in the background by a shell (`... &`) ignores Ctrl-C, and a child
        # would inherit that; the server must see Ctrl-C as it does from a terminal
        signal.signal(signal.SIGINT, signal.default_int_handler)
    with log.open("w") as handle:
        server = subprocess.Popen(
            [*command, "--results", str(results)],
            cwd=cwd,
            stdout=handle,
            stderr=subprocess.STDOUT,
            text=True,
        )
    LOGS[server.pid] = log
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server ended early:\n{_output(server)}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
            return server
        time.sleep(0.5)
    server.kill()
    raise AssertionError(f"the server did not listen on {HOST}:{port} in {START_SECONDS} s")


LOGS: dict[int, Path] = {}


def _output(server: subprocess.Popen) -> str:
    """What the server has written so far (stdout and stderr)."""
    return LOGS[server.pid].read_text(errors="replace")


def _stop(server: subprocess.Popen) -> int:
    server.send_signal(signal.SIGINT)  # Ctrl-C
    try:  # a generous wait: on a loaded two-core machine the shutdown once took over 30 s
        return server.wait(timeout=90)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
        return -1


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
        return True
    return False


def test_dashboard_serves_on_localhost_and_stops_on_ctrl_c(tmp_path):
    _need_extra()
    port = free_port()
    server = _start(port, tmp_path, tmp_path)
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=60) as response:
            assert response.status == 200
    finally:
        status = _stop(server)
    assert status == 0, _output(server)[-4000:]
    assert "stopped" in _output(server)
    assert not _listening(port)


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def results_root(tmp_path_factory):
    """A results folder written by the real writer: 2 arms x 2 elasticities x 3 runs."""
    _need_extra()
    from negsim.sweeps import Experiment, run_experiment

    root = tmp_path_factory.mktemp("results")
    experiment = Experiment.model_validate(
        {
            "name": "tiny",
            "scenario": "tag2018",
            "arms": {
                "bilateral": {"protocol": "bilateral"},
                "multilateral": {"protocol": "multilateral"},
            },
            "design": {"kind": "grid", "parameters": {"economy.elasticity_scale": [0.8, 1.2]}},
            "replications": 3,
            "root_seed": 1,
        }
    )
    run_experiment(experiment, out=root / "tiny", workers=0)
    return root


@pytest.fixture(scope="module")
def server(results_root, tmp_path_factory):
    _need_browser()
    port = free_port()
    process = _start(port, results_root, tmp_path_factory.mktemp("cwd"))
    yield f"http://{HOST}:{port}"
    _stop(process)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    """A page that records every request and websocket it opens."""
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("websocket", lambda socket: page.requests.append(socket.url))
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def _left_localhost(urls: list[str]) -> list[str]:
    """The URLs that reach a host other than 127.0.0.1 (``data:`` stays in the page)."""
    away = []
    for url in urls:
        if url.startswith("data:"):
            continue
        host = urlparse(url.removeprefix("blob:")).hostname
        if host != HOST:
            away.append(url)
    return away


def _figures(page) -> list[str]:
    return [img.get_attribute("src") or "" for img in page.locator("img").all()]


def _reset_until(page, text: str, attempts: int = 8) -> None:
    """Press Reset until ``text`` shows (the slider's value reaches the server a little later)."""
    shown = page.get_by_text(text)
    for _ in range(attempts):
        page.get_by_role("button", name="Reset").click()
        with contextlib.suppress(Exception):
            shown.wait_for(timeout=15000)  # a Reset builds a new model: seconds under load
            return
    shown.wait_for(timeout=1)


def test_negotiation_page_slider_reset_and_step(server, page, tmp_path):
    page.goto(f"{server}/", wait_until="networkidle")
    page.get_by_text("Round 0 of").wait_for()
    page.wait_for_function("document.querySelectorAll('img').length >= 5")
    before = _figures(page)
    status_before = page.get_by_text("utility:").inner_text()

    slider = page.get_by_role("slider", name="JP reliance on US")
    assert float(slider.get_attribute("aria-valuenow")) == pytest.approx(0.8)
    slider.focus()
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    assert float(slider.get_attribute("aria-valuenow")) == pytest.approx(0.8 - 6 * 0.05)
    _reset_until(page, "changed: JP.security.reliance.US = 0.5")

    # talks open in round 4 (the TPA notice, model.md C2): step past it so offers move
    for rounds in range(1, 7):
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Round {rounds} of").wait_for()
    page.wait_for_function(
        "old => Array.from(document.querySelectorAll('img')).every(i => !old.includes(i.src))",
        arg=before,
    )
    after = _figures(page)
    assert len(after) == len(before) and not set(after) & set(before)
    assert page.get_by_text("utility:").inner_text() != status_before
    page.screenshot(path=str(tmp_path / "negotiation.png"), full_page=True)
    assert _left_localhost(page.requests) == []


def test_explorer_draws_a_results_folder_and_filters_it(server, page, tmp_path):
    page.goto(f"{server}/results", wait_until="networkidle")
    page.get_by_text("12 of 12 runs").wait_for()  # 2 arms x 2 design points x 3 replications
    page.wait_for_function("document.querySelectorAll('img').length >= 2")  # distribution, sweep
    page.get_by_text("Comparison").wait_for()
    page.get_by_role("cell", name="multilateral").first.wait_for()

    low_end = page.get_by_role("slider", name="economy.elasticity_scale").first
    low_end.focus()
    page.keyboard.press("ArrowRight")  # the low end leaves 0.8: only scale 1.2 is kept
    page.get_by_text("6 of 12 runs").wait_for()
    page.screenshot(path=str(tmp_path / "explorer.png"), full_page=True)
    assert _left_localhost(page.requests) == []


def test_negotiation_page_plays_another_scenario_with_its_countries(server, page):
    page.goto(f"{server}/", wait_until="networkidle")
    page.get_by_text("Round 0 of").wait_for()
    page.locator(".v-select", has_text="Scenario").click()
    page.get_by_role("option", name="symmetric").click()
    _reset_until(page, "symmetric, bilateral, seed 0")
    scenario = load_scenario("symmetric")
    for a, b in scenario.tables:  # the offer log lists the new scenario's tables
        page.get_by_role("cell", name=f"{a}-{b}", exact=True).wait_for()
    page.get_by_text("not in this scenario:").wait_for()  # tag2018's sliders are ignored
    page.get_by_role("button", name="Step").click()
    page.get_by_text("Round 1 of").wait_for()
    assert _left_localhost(page.requests) == []


def test_status_values_that_round_to_zero_read_as_zero():
    from negsim.dashboard.negotiation_page import shown

    assert [shown(v) for v in (-1e-14, 0.0, 3.0, 0.01234, -0.5)] == [
        "0",
        "0",
        "3",
        "+0.0123",
        "-0.5000",
    ]
