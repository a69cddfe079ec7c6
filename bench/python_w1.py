#!/usr/bin/python3
"""W1 from Python on in-memory DataFrames (the `sluice` package), against bench/api_w1 (the
public C++ API on the same data): the package's overhead. CPU time, best of R, like the
C++ benchmark programs (bench/timing.hpp).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_w1.py DIR [--reps R] [--api build/bench/api_w1] [--phases]
    PYTHONPATH=build/python /usr/bin/python3 bench/python_w1.py DIR --instructions --api build/bench/api_w1

DIR as written by `bench_gen DIR N`. Timed in Python: Program.run(frame), which converts the
DataFrame, registers the series, compiles, runs and builds the events DataFrame. The bars
are dated one minute apart from 2000-01-01, as api_w1 does (a million business days from
1900 pass 2262, where datetime64[ns] ends; W1's windows are in bars). --phases also times
each step of Program.run on its own (best of R each), to show where the overhead is.

--instructions counts instructions instead of CPU time, which a shared machine does not move:
each side runs under valgrind's callgrind once with 1 repetition and once with 3, and the
difference, halved, is one run's instructions (start-up, imports, reading the CSVs and the
first run's warm-up cancel out).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import pandas as pd

import sluice
from sluice import _data, _program


def phases(program, frame, reps):
    """Best CPU time of each step Program.run(frame, lags=LAGS) takes, done one by one."""
    best = {}

    def timed(name, f):
        start = time.process_time()
        out = f()
        best[name] = min(best.get(name, float("inf")), time.process_time() - start)
        return out

    for _ in range(reps):
        series = timed("series_of (DataFrame checks)", lambda: _data.series_of(frame))
        engine = timed("add_series x4", lambda: program._engine(series, _data.catalogue_lags(series)))
        core, _ = timed("compile", lambda: engine.compile(program.source, program.name))
        core = timed("with_lags", lambda: _program._lagged(core, LAGS, series))
        d = timed("run (engine, event columns)", lambda: core.run(None, None, False))
        timed("events DataFrame", lambda: _program._frame(d, False))
    for name, s in best.items():
        print(f"phase {name:32s} {1000 * s:8.2f} ms")


# W1's generated `tga` is not FRED's weekly TGA: read without the catalogue's publication lag,
# as api_w1 reads it.
LAGS = {"tga": "0d"}


def callgrind_total(command):
    """Instructions `command` executes, counted by callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        # A fixed hash seed: Python's string hashing otherwise moves the count by ~0.3%.
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        with open(out) as f:
            return int(re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M).group(1))


def instructions(directory, api):
    """Instructions per run of Python and of api_w1: (3 runs - 1 run) / 2 of each."""
    python = [sys.executable, os.path.abspath(__file__), directory, "--reps"]
    per_run = {}
    for name, command in (("python", python), ("api", [api, directory, "--reps"])):
        one, three = (callgrind_total([*command, str(r)]) for r in (1, 3))
        per_run[name] = (three - one) / 2
        print(f"{name}_instructions_per_run {per_run[name]:.0f}")
    print(f"overhead_pct {100 * (per_run['python'] - per_run['api']) / per_run['api']:.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--api", help="the api_w1 program, to print the overhead")
    ap.add_argument("--phases", action="store_true", help="also time each step of Program.run")
    ap.add_argument("--instructions", action="store_true",
                    help="count instructions per run under callgrind (needs --api and valgrind)")
    a = ap.parse_args()
    if a.instructions:
        if not a.api:
            raise SystemExit("--instructions needs --api build/bench/api_w1")
        instructions(a.dir, a.api)
        return
    columns = {name: pd.read_csv(f"{a.dir}/{name}.csv", usecols=["value"])["value"].to_numpy()
               for name in ("russell", "spx", "tga", "alts")}
    index = pd.date_range("2000-01-01", periods=len(columns["russell"]), freq="min")
    frame = pd.DataFrame(columns, index=index)
    with open(f"{a.dir}/w1.sluice") as f:
        program = sluice.compile(f.read(), "w1.sluice")
    print(f"load_average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if a.phases:
        phases(program, frame, a.reps)
    # Python and the C++ API take turns, one repetition each, so that both see the same
    # conditions on a shared machine; the best CPU time of each is compared.
    best = api = float("inf")
    for _ in range(a.reps):
        start = time.process_time()
        events = program.run(frame, lags=LAGS)
        best = min(best, time.process_time() - start)
        if a.api:
            out = dict(line.split() for line in subprocess.run([a.api, a.dir, "--reps", "1"], check=True,
                                                                 capture_output=True, text=True).stdout.splitlines())
            if int(out["events"]) != len(events):
                raise SystemExit(f"api_w1 found {out['events']} events, Python {len(events)}")
            api = min(api, float(out["api_s"]))
    print(f"bars {len(frame)}\nevents {len(events)}\npython_s {best:.6f}")
    if a.api:
        print(f"api_s {api:.6f}\noverhead_pct {100 * (best - api) / api:.1f}")
    print(f"load_average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
