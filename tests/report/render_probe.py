#!/usr/bin/python3
"""Opens a `sluice report` page in headless Chromium (network unreachable, as
report_browser.py does) and prints the page's own timings from its status record
(#sluice-status): render_ms (navigation start until the charts in view were drawn),
all_drawn_ms (until every chart was), the script's phases, and with --bench N the
milliseconds of N off-screen rebuilds of every chart (page.js, `?bench=N`), which measure
the renderer's work rather than the machine's load. Also the CPU seconds Chromium and its
child processes used, and the load average. For docs/report.md's scale section; no test
asserts a time.

usage: render_probe.py PAGE.html [--runs K] [--bench N]
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bench", type=int, default=0)
    args = ap.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed")
        return 77
    url = "file://" + os.path.abspath(args.page) + (f"?bench={args.bench}" if args.bench else "")
    for run in range(args.runs):
        work = tempfile.mkdtemp(prefix="sluice_render_probe_")
        try:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            out = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-extensions", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--proxy-server=127.0.0.1:1",
                 "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + work,
                 "--window-size=1280,2000", "--timeout=20000", "--dump-dom", url],
                capture_output=True, text=True, timeout=300).stdout
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        m = re.search(r'<script type="application/json" id="sluice-status">(.*?)</script>', out, re.S)
        if not m:
            print(f"run {run + 1}: no status record")
            continue
        s = json.loads(m.group(1))
        line = {"render_ms": s.get("render_ms"), "all_drawn_ms": s.get("all_drawn_ms"),
                "timing": s.get("timing"), "charts": s.get("charts"), "drawn": len(s.get("drawn", [])),
                "errors": s.get("errors"), "chromium_cpu_s": round(cpu, 2),
                "loadavg": os.getloadavg()}
        if "bench" in s:
            ms = sorted(s["bench"]["charts_ms"])
            line["bench_charts_ms"] = ms
            line["bench_median_ms"] = ms[len(ms) // 2]
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
