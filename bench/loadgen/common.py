"""What every module of the load generator shares: the repository's root, the clock, the timeout."""

import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # bench/loadgen/common.py -> the repository
ACK_TIMEOUT = 10.0


def now():
    """The one clock every measurement uses (monotonic, seconds)."""
    return time.perf_counter()
