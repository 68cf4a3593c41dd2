"""A named section of a results folder's report.md, written or replaced in place.

``negsim compare`` writes report.md whole; ``negsim sensitivity`` and ``negsim
discover`` add their own sections to it, each between two HTML comments naming it,
so running one again replaces its section and leaves the rest alone.
"""

from __future__ import annotations

import re
from pathlib import Path


def write_section(folder: Path, key: str, lines: list[str]) -> Path:
    """Put ``lines`` into ``folder/report.md`` as section ``key``; return the path."""
    path = folder / "report.md"
    begin, end = f"<!-- negsim {key}: begin -->", f"<!-- negsim {key}: end -->"
    block = "\n".join([begin, *lines, end])
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + block + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
