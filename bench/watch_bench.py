#!/usr/bin/python3
"""`sluice watch` benchmark (docs/watch.md, "Measured"): sustained NDJSON observations per
second through 10 and 100 rules, and latency from writing a line to the sink's output
(stdout, and a webhook on 127.0.0.1).

usage: bench/watch_bench.py SLUICE [--n OBSERVATIONS] [--events EVENTS] [--instructions LINES]
Run by `scripts/bench --watch`. Prints wall and CPU rates: on a shared machine the CPU
rate (user + system time of the watch process) is the steadier number. --instructions
LINES also counts the instructions watch executes per observation under valgrind's
callgrind (the first LINES lines of the feed, less a run on an empty feed: start-up and
history excluded), a figure that does not depend on the machine's load.
"""
import argparse
import http.server
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta


def write_inputs(tmp, n, rules):
    os.makedirs(os.path.join(tmp, "data"), exist_ok=True)
    for s, v in (("a", 9), ("b", 5)):
        with open(os.path.join(tmp, "data", s + ".csv"), "w") as f:
            f.write(f"date,value\n1799-12-30,{v}\n1799-12-31,{v}\n")
    # Rules that fire now and then (a crosses a level while b is high enough).
    path = os.path.join(tmp, f"rules{rules}.sluice")
    with open(path, "w") as f:
        for i in range(rules):
            f.write(f'rule "r{i}": when a crosses above {9 + (i % 30) * 0.1:.1f} and b > {6.5 + (i % 5) * 0.1:.1f} '
                    f'then alert "a {{a}}"\n')
    feed = os.path.join(tmp, "feed.ndjson")
    if not os.path.exists(feed):
        rnd = random.Random(1)
        d0 = date(1800, 1, 1)
        with open(feed, "w") as f:
            for k in range(n // 2):
                t = (d0 + timedelta(days=k)).isoformat()
                f.write('{"series":"a","time":"%s","value":%.2f}\n' % (t, rnd.uniform(8.5, 11.5)))
                f.write('{"series":"b","time":"%s","value":%.2f}\n' % (t, rnd.uniform(3, 7)))
    return path, feed


def throughput(sluice, tmp, n, rules, fmt):
    path, feed = write_inputs(tmp, n, rules)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(feed) as f, open(os.devnull, "w") as out:
        p = subprocess.run([sluice, "watch", path, "--data", os.path.join(tmp, "data"), "--now", "1800-01-01",
                            "--quiet", "--format", fmt], stdin=f, stdout=out, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit(f"watch failed: {p.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  {rules:>3} rules, stdout {fmt:<5}: {n / wall:>10,.0f} obs/s wall ({wall:.2f} s), "
          f"{n / cpu:>10,.0f} obs/s CPU ({cpu:.2f} s)")


class Receiver:
    def __init__(self):
        self.times = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: libcurl reuses the connection

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.times.append(time.perf_counter())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"


def producer_floor(tmp, n):
    """What the benchmark's own side costs: the feed read through a pipe by `cat` into
    `wc -l` (the rate no reader of this feed can beat on this machine)."""
    feed = os.path.join(tmp, "feed.ndjson")
    t0 = time.perf_counter()
    with open(feed) as f:
        cat = subprocess.Popen(["cat"], stdin=f, stdout=subprocess.PIPE)
        subprocess.run(["wc", "-l"], stdin=cat.stdout, stdout=subprocess.DEVNULL, check=True)
        cat.stdout.close()
        cat.wait()
    wall = time.perf_counter() - t0
    print(f"  producer floor (cat | wc -l): {n / wall:>10,.0f} lines/s ({wall:.2f} s)")


def latency_floor(events):
    """The latency loop below with `cat` in place of watch: the round trip of the Python
    writer and reader themselves (pipe, scheduling), included in every latency sample."""
    p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    samples = []
    for k in range(events):
        t0 = time.perf_counter()
        p.stdin.write('{"series":"a","time":"1800-01-01","value":%d}\n' % k)
        p.stdin.flush()
        p.stdout.readline()
        samples.append((time.perf_counter() - t0) * 1000)
    p.stdin.close()
    p.wait(timeout=60)
    print(f"  {'harness floor (cat)':<20}: p50 {percentile(samples, 0.5):.3f} ms, "
          f"p99 {percentile(samples, 0.99):.3f} ms ({len(samples)} lines)")


def percentile(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def latency(sluice, tmp, events, webhook):
    """a alternates 9 and 11 (one series: each line completes its own day), so every other
    line fires; the time from writing it to seeing the event is one sample."""
    path = os.path.join(tmp, "latency.sluice")
    with open(path, "w") as f:
        f.write('rule "up": when a crosses above 10 then alert "a {a}"\n')
    args = [sluice, "watch", path, "--series", f"a={os.path.join(tmp, 'data', 'a.csv')}", "--now", "1800-01-01",
            "--quiet"]
    rec = None
    if webhook:
        rec = Receiver()
        args += ["--webhook", rec.url, "--format", "none"]
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         bufsize=1)
    d0 = date(1800, 1, 1)
    samples = []
    for k in range(2 * events):
        t = (d0 + timedelta(days=k)).isoformat()
        v = 11 if k % 2 else 9
        t0 = time.perf_counter()
        p.stdin.write('{"series":"a","time":"%s","value":%d}\n' % (t, v))
        p.stdin.flush()
        if v == 11:
            if webhook:
                while len(rec.times) < len(samples) + 1:
                    time.sleep(0.00005)
                samples.append(rec.times[-1] - t0)
            else:
                p.stdout.readline()
                samples.append(time.perf_counter() - t0)
    p.stdin.close()
    p.wait(timeout=60)
    ms = [s * 1000 for s in samples]
    sink = "webhook (127.0.0.1)" if webhook else "stdout"
    print(f"  {sink:<20}: p50 {percentile(ms, 0.5):.3f} ms, p99 {percentile(ms, 0.99):.3f} ms "
          f"({len(ms)} events)")


def instructions(sluice, tmp, lines, rules):
    """Instructions per observation: callgrind's total on the first `lines` lines of the
    feed, less its total on an empty feed, over `lines`."""
    path, feed = write_inputs(tmp, lines, rules)
    part = os.path.join(tmp, "feed_part.ndjson")
    with open(feed) as f, open(part, "w") as out:
        for _, line in zip(range(lines), f):
            out.write(line)

    def count(stdin_path):
        with open(stdin_path) as f:
            p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.path.join(tmp, "cg.out"),
                                sluice, "watch", path, "--data", os.path.join(tmp, "data"), "--now", "1800-01-01",
                                "--quiet", "--format", "jsonl"], stdin=f, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
        for line in p.stderr.splitlines():
            if "Collected :" in line:
                return int(line.split(":")[-1].strip())
        sys.exit(f"callgrind failed: {p.stderr[-2000:]}")

    per = (count(part) - count(os.devnull)) / lines
    print(f"  {rules:>3} rules, stdout jsonl: {per:>10,.0f} instructions per observation "
          f"(callgrind, {lines:,} lines)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sluice")
    ap.add_argument("--n", type=int, default=400_000)
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--instructions", type=int, default=0, metavar="LINES")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="watch_bench_")
    try:
        print(f"sluice watch: {a.n:,} NDJSON observations (2 daily series)")
        print(f"load average {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} cores")
        for rules in (10, 100):
            for fmt in ("none", "jsonl"):
                throughput(a.sluice, tmp, a.n, rules, fmt)
        producer_floor(tmp, a.n)
        if a.instructions:
            if shutil.which("valgrind") is None:
                print("  instructions: skipped (valgrind is not installed)")
            else:
                for rules in (10, 100):
                    instructions(a.sluice, tmp, min(a.instructions, a.n), rules)
        print("latency, line written -> event at the sink")
        latency_floor(a.events)
        latency(a.sluice, tmp, a.events, webhook=False)
        latency(a.sluice, tmp, a.events, webhook=True)
        print(f"load average {os.getloadavg()[0]:.2f} (1 min)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
