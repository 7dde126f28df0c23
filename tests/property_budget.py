"""How many examples a property test runs: a fifth of its full count in the default run (the suite's time
budget), the full count with ``MOJODEX_FULL_PROPERTIES=1`` (before a release, or after changing a parser)."""

from __future__ import annotations

import os


def examples(full: int) -> int:
    """``full`` with MOJODEX_FULL_PROPERTIES=1 in the environment, else a fifth of it (never fewer than 20)."""
    if os.environ.get("MOJODEX_FULL_PROPERTIES", "") not in ("", "0"):
        return full
    return max(20, full // 5)
