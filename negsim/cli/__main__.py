"""``python -m negsim.cli``: the same as the ``negsim`` command."""

from __future__ import annotations

from negsim.cli.main import main

raise SystemExit(main())
