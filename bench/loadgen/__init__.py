"""The load generator behind `python bench/load.py`, in small modules.

- `common`: the repository's location, the one clock, the acknowledgement timeout;
- `server`: the server process (spawned or given), its memory and CPU, and this machine's counters;
- `clients`: the facilitator and the phones: signing in, connecting, voting, adding notes;
- `analysis`: turning what the clients recorded into latencies, percentiles and counts;
- `run`: one benchmark run, phase by phase, and the figures it collects;
- `report`: the figures as the plain-text table `load.py` prints.

`bench/load.py` is the entry point; it puts `bench/` on `sys.path` so this package imports.
"""
