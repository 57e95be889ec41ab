"""`python app.py` (or the baseline server) under cProfile: where a server's CPU goes under load.

    python bench/load.py --phones 500 --tables 60 --server-script bench/profile_server.py
    TAFELRONDE_PROFILE_TARGET=bench/baseline_server.py python bench/load.py ... \\
        --server-script bench/profile_server.py

The profile is written when the server is stopped (SIGTERM, as the load generator does) to
``TAFELRONDE_PROFILE_OUT`` (default ``profile.pstats`` in the server's working folder, which
``--keep`` keeps), and the 25 functions with the most own time are printed to the server's log.
Under eventlet or gevent every greenlet runs on the one thread cProfile watches, so own time
("tottime") is right; cumulative time of functions that switch greenlets is not. cProfile slows
the server down by half or more: read the shares, not the seconds.

On a busy machine the wall clock charges the time the server waited for a core to whatever
function was running: ``TAFELRONDE_PROFILE_CLOCK=cpu`` times with the process's CPU clock instead
(slower still, but the shares are of CPU, like `bench/load.py`'s CPU per vote).
"""

import cProfile
import os
import pstats
import runpy
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = Path(os.environ.get("TAFELRONDE_PROFILE_TARGET") or HERE.parent / "app.py").resolve()

sys.path.insert(0, str(HERE.parent))
from game.patching import patch  # noqa: E402 - imports only os and warnings

patch()  # before cProfile or the target import sockets; the target's own patch() is then a no-op


def main():
    """Run the target as __main__ under the profiler; dump the profile on SIGTERM."""
    out = os.environ.get("TAFELRONDE_PROFILE_OUT", "profile.pstats")
    cpu = os.environ.get("TAFELRONDE_PROFILE_CLOCK") == "cpu"
    profiler = cProfile.Profile(time.process_time) if cpu else cProfile.Profile()

    real_exit = os._exit

    def dump_and_exit(status=0):
        profiler.disable()
        profiler.dump_stats(out)
        pstats.Stats(out).sort_stats("tottime").print_stats(25)
        sys.stdout.flush()
        real_exit(status)

    # app.py handles SIGTERM itself (it hands sessions over, then calls os._exit): catch that
    # exit too; the baseline has no handler of its own and gets this one.
    os._exit = dump_and_exit
    signal.signal(signal.SIGTERM, lambda signum, frame: dump_and_exit(0))
    sys.argv = [str(TARGET), *sys.argv[1:]]
    sys.path.insert(0, str(TARGET.parent))
    profiler.enable()
    runpy.run_path(str(TARGET), run_name="__main__")


if __name__ == "__main__":
    main()
