"""A sweep's progress: a rich progress bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import math
import sys
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class SweepProgress:
    """Progress of ``total`` runs: a bar on a terminal, a log line every ``interval`` s.

    Args:
        total: runs to do.
        label: the experiment's name.
        mode: True or None: shown (a bar on a terminal, log lines otherwise);
            False: silent.
    """

    def __init__(self, total: int, label: str, mode: bool | None, interval: float = 10.0) -> None:
        self.total, self.label, self.interval = total, label, interval
        self.done = self.errors = 0
        self.start = self.last = time.perf_counter()
        self.enabled = mode is not False
        self.console = Console(stderr=True)
        self.bar: Progress | None = None
        if self.enabled and sys.stderr.isatty():
            self.bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f} runs/s"),
                TextColumn("{task.fields[errors]} errors"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self.task = self.bar.add_task(label, total=total, rate=0.0, errors=0)
            self.bar.start()

    def update(self, n: int, errors: int) -> None:
        """Count ``n`` more finished runs, ``errors`` of them failed."""
        self.done += n
        self.errors += errors
        now = time.perf_counter()
        rate = self.done / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, advance=n, rate=rate, errors=self.errors)
        elif self.enabled and (now - self.last >= self.interval or self.done == self.total):
            self.last = now
            eta = (self.total - self.done) / rate if rate > 0 else float("nan")
            print(
                f"negsim sweep {self.label}: {self.done}/{self.total} runs "
                f"({100 * self.done / max(self.total, 1):.0f}%), {rate:.1f} runs/s, "
                f"ETA {_fmt_seconds(eta)}, {self.errors} errors",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        """Stop the bar."""
        if self.bar is not None:
            self.bar.stop()


def _fmt_seconds(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "?"
    minutes, sec = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{sec:02d}s"
