#!/usr/bin/python3
"""The Dask row of the universe benchmark (docs/performance.md, Universes): the same inputs
as `scripts/bench --universe` (bench/universe_gen.py: SYMBOLS daily-bar CSVs and 50 `for
each` rules over universe u, one with rank and one with breadth) through
sluice.dask.run_universe on a LocalCluster of WORKERS single-threaded worker processes.
Each worker reads its own members' CSVs with Sluice's loader. Prints one Markdown row in
that table's columns: wall and CPU seconds (the workers' and the client's), peak memory
(the largest worker's maximum resident set, and all processes' together), the cost per
symbol-bar-rule and the load average. The workers import sluice (and pandas) before the
clock starts, as a running cluster's workers have: that one-time cost is printed apart.
--values long: run_universe(values="long"), one row per event value instead of one
column per member. With --sluice BIN, also runs `sluice run --threads WORKERS` on the same
inputs and fails unless both give the same events (time and rule of each).

    dask_universe_bench.py [--dir DIR] [--symbols 5000] [--years 20] [--workers 2]
                           [--chunk N] [--values wide|long] [--sluice build/sluice]
Needs PYTHONPATH to reach the sluice package (build/python).
"""
import argparse
import functools
import importlib
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def load_average():
    return open("/proc/loadavg").read().split()[0]


def usage():
    """(CPU seconds, peak RSS MB) of the calling process."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default="build-bench/universe")
    ap.add_argument("--symbols", type=int, default=5000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=None)
    ap.add_argument("--values", choices=["wide", "long"], default="wide")
    ap.add_argument("--sluice", default=None, help="the sluice CLI, to check the events against")
    a = ap.parse_args()
    import distributed
    import numpy as np
    import sluice.dask

    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["/usr/bin/python3", os.path.join(here, "universe_gen.py"), a.dir,
                    "--symbols", str(a.symbols), "--years", str(a.years)], check=True)
    data = os.path.join(a.dir, "data")
    # Members in file-name order, as `--universe u=DIR` orders them.
    symbols = sorted(f[:-4] for f in os.listdir(data) if f.endswith(".csv"))
    rules = open(os.path.join(a.dir, "rules.sluice")).read()
    bars = max(sum(1 for _ in open(os.path.join(data, f))) - 1 for f in os.listdir(data) if f.endswith(".csv"))
    rule_count = sum(1 for line in rules.splitlines() if line.strip())
    loader = functools.partial(str.format, os.path.join(os.path.abspath(data), "{}.csv"))

    cluster = distributed.LocalCluster(n_workers=a.workers, processes=True, threads_per_worker=1,
                                       dashboard_address=":0", host="127.0.0.1")
    client = distributed.Client(cluster)
    warm_before = client.run(usage)
    client.run(importlib.import_module, "sluice.dask")
    warm_after = client.run(usage)
    warm = sum(warm_after[w][0] - warm_before[w][0] for w in warm_after)
    before = load_average()
    workers_before = client.run(usage)
    client_before = usage()[0]
    start = time.perf_counter()
    events = sluice.dask.run_universe(client, rules, symbols, loader, chunk_size=a.chunk, values=a.values)
    wall = time.perf_counter() - start
    workers_after = client.run(usage)
    client_cpu = usage()[0] - client_before  # the LocalCluster's scheduler runs in this process too
    workers_cpu = sum(workers_after[w][0] - workers_before[w][0] for w in workers_after)
    cpu = client_cpu + workers_cpu
    peak = max(m for _, m in workers_after.values())
    total = sum(m for _, m in workers_after.values()) + usage()[1]
    client.close()
    cluster.close()

    cells = len(symbols) * bars * rule_count
    if a.values == "long":  # one row per event value: an event is one (time, rule)
        t, r = events["time"].to_numpy(), events["rule"].cat.codes.to_numpy()
        events = events[np.r_[True, (t[1:] != t[:-1]) | (r[1:] != r[:-1])]]
    print(f"{len(symbols)} symbols x {bars} bars x {rule_count} rules; {len(events):,} events; "
          f"chunk {a.chunk or 'default'}; values {a.values}; workers' imports before the clock: "
          f"{warm:.1f} CPU s; CPU s in the run: workers {workers_cpu:.1f}, client and scheduler "
          f"{client_cpu:.1f}\n")
    print(f"| Dask, {a.workers}-worker LocalCluster | {wall:.1f} | {cpu:.1f} | | "
          f"{peak:.0f} (largest worker; {total:.0f} all processes) | {1e9 * cpu / cells:.1f} "
          f"| {before} / {load_average()} |", flush=True)

    if a.sluice:
        cmd = [a.sluice, "run", os.path.join(a.dir, "rules.sluice"), "--universe", "u=" + data,
               "--threads", str(a.workers), "--quiet", "--format", "jsonl"]
        before = load_average()
        # The CLI's events go to a file and are compared line by line: at 5,000 symbols they
        # are millions of lines, too many to hold parsed.
        with tempfile.TemporaryFile("w+") as out:
            p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M"] + cmd, stdout=out, stderr=subprocess.PIPE,
                               text=True, check=True)
            wall, user, system, rss = (float(x) for x in p.stderr.strip().splitlines()[-1].split())
            print(f"| `sluice run --threads {a.workers}`, same inputs | {wall:.1f} | {user + system:.1f} | | "
                  f"{rss / 1024:.0f} | {1e9 * (user + system) / cells:.1f} | {before} / {load_average()} |")
            out.seek(0)
            cli = ((e["date"][:10], e["rule"]) for e in map(json.loads, out) if e.get("type") == "event")
            mine = ((t.strftime("%Y-%m-%d"), str(r)) for t, r in zip(events["time"], events["rule"]))
            count = 0
            for x, y in itertools.zip_longest(cli, mine):
                if x != y:
                    sys.exit(f"dask_universe_bench: event {count} differs from `{' '.join(cmd)}`: "
                             f"{y} through Dask, {x} through the CLI")
                count += 1
        print(f"events identical to `sluice run` ({count:,})")


if __name__ == "__main__":
    main()
