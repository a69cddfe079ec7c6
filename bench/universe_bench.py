#!/usr/bin/python3
"""scripts/bench --universe: 50 `for each` rules (one with rank, one with breadth) over
SYMBOLS generated daily-bar series (bench/universe_gen.py), through `sluice run` on 1
thread and on all cores, each under /usr/bin/time -v (peak memory = maximum resident set).
Fails unless every thread count prints the same events. Prints a Markdown table for
docs/performance.md (Universes) with wall and CPU seconds, peak memory, the cost per
symbol-bar-rule and the load average (wall times mean little on a loaded machine).

    universe_bench.py SLUICE [--dir DIR] [--symbols 5000] [--years 20] [--threads 1,2]
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys


def load_average():
    return open("/proc/loadavg").read().split()[0]


def timed_run(sluice, d, threads):
    cmd = ["/usr/bin/time", "-v", sluice, "run", os.path.join(d, "rules.sluice"),
           "--universe", "u=" + os.path.join(d, "data"), "--threads", str(threads),
           "--quiet", "--format", "jsonl"]
    before = load_average()
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"universe_bench: {' '.join(cmd)} failed:\n{p.stderr[-3000:]}")
    err = p.stderr

    def field(name):
        m = re.search(re.escape(name) + r":\s*(.+)", err)
        return m.group(1).strip() if m else ""

    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    parts = [float(x) for x in wall.split(":")]
    seconds = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
    events = p.stdout.count("\n")
    return {"threads": threads, "wall": seconds, "cpu": cpu, "rss": rss_mb, "events": events,
            "digest": hashlib.sha256(p.stdout.encode()).hexdigest()[:16],
            "load": f"{before} / {load_average()}", "cmd": " ".join(cmd[2:])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sluice")
    ap.add_argument("--dir", default="build-bench/universe")
    ap.add_argument("--symbols", type=int, default=5000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--threads", default=f"1,{os.cpu_count()}")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["/usr/bin/python3", os.path.join(here, "universe_gen.py"), a.dir,
                    "--symbols", str(a.symbols), "--years", str(a.years)], check=True)
    data = os.path.join(a.dir, "data")
    bars = max(sum(1 for _ in open(os.path.join(data, f))) - 1
               for f in os.listdir(data) if f.endswith(".csv"))
    rules = sum(1 for line in open(os.path.join(a.dir, "rules.sluice")) if line.strip())
    runs = [timed_run(a.sluice, a.dir, int(t)) for t in a.threads.split(",")]
    if len({r["digest"] for r in runs}) != 1:
        sys.exit("universe_bench: the events differ between thread counts: "
                 + ", ".join(f"{r['threads']}: {r['digest']}" for r in runs))
    cells = a.symbols * bars * rules
    print(f"{a.symbols} symbols x {bars} bars x {rules} rules = {cells:,} symbol-bar-rules; "
          f"{runs[0]['events']:,} events (identical on every thread count, sha256 "
          f"{runs[0]['digest']}); {os.cpu_count()} cores\n")
    print("| threads | wall s | CPU s | speed-up (wall) | peak RSS MB | ns per symbol-bar-rule (CPU) "
          "| load avg before / after |")
    print("|---|---|---|---|---|---|---|")
    for r in runs:
        print(f"| {r['threads']} | {r['wall']:.1f} | {r['cpu']:.1f} | "
              f"{runs[0]['wall'] / r['wall']:.2f}x | {r['rss']:.0f} | {1e9 * r['cpu'] / cells:.1f} "
              f"| {r['load']} |")
    print("| Dask, 2-worker LocalCluster | (sluice.dask.run_universe: docs/scale.md) | | | | | |")
    print("\ncommand (each thread count): " + runs[0]["cmd"])


if __name__ == "__main__":
    main()
