#!/usr/bin/python3
"""Opens the example `sluice report` page in headless Chromium with the network
unreachable (a dead proxy and a resolver that resolves nothing) and checks, from the
browser's own records:
  - the NetLog (--log-net-log) holds no request made by the page (requests carrying the
    page's file:// network isolation key) other than the page's own file: URL;
  - no console message at all (logged to stderr: script errors, requests refused by the
    page's Content-Security-Policy) and no script error in the page's status record;
  - every chart was drawn (the page's status record lists each chart whose canvas has
    non-blank pixels in its plot area);
  - the triangles sit at the firings' dates: each marker's x position, turned back into a
    date through the chart's scale, equals the event dates of `sluice run`.

usage: report_browser.py SLUICE_BINARY SOURCE_DIR
Exit 77 (skipped) when chromium is not installed. Bounded: chromium is killed after 90 s.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77


def main():
    sluice, root = sys.argv[1], sys.argv[2]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("SKIP: chromium is not installed (Debian: apt-get install chromium; scripts/install-deps)")
        return SKIP
    work = tempfile.mkdtemp(prefix="sluice_report_browser_")
    try:
        page = os.path.join(work, "report.html")
        subprocess.run([sluice, "report", "examples/rotation.sluice", "--data", "examples/data",
                        "--quiet", "-o", page], cwd=root, check=True, timeout=60)
        events = subprocess.run([sluice, "run", "examples/rotation.sluice", "--data", "examples/data",
                                 "--quiet", "--format", "jsonl"], cwd=root, check=True, timeout=60,
                                capture_output=True, text=True).stdout
        expected = {}
        for line in events.splitlines():
            e = json.loads(line)
            if e.get("type") != "event":
                continue
            expected.setdefault(e["rule"], []).append(e["date"][:10])

        netlog = os.path.join(work, "netlog.json")
        profile = os.path.join(work, "profile")
        url = "file://" + page
        args = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--disable-default-apps", "--no-default-browser-check",
                "--metrics-recording-only", "--disable-domain-reliability",
                "--proxy-server=127.0.0.1:1", "--host-resolver-rules=MAP * ~NOTFOUND",
                "--user-data-dir=" + profile, "--log-net-log=" + netlog, "--net-log-capture-mode=Default",
                "--enable-logging=stderr", "--v=0", "--window-size=1280,2000",
                "--virtual-time-budget=8000", "--dump-dom", url]
        try:
            run = subprocess.run(args, capture_output=True, text=True, timeout=90)
        except subprocess.TimeoutExpired:
            print("FAIL: chromium did not finish within 90 s")
            return 1
        dom, log = run.stdout, run.stderr
        failures = []

        m = re.search(r'<script type="application/json" id="sluice-status">(.*?)</script>', dom, re.S)
        if not m:
            print("FAIL: the page wrote no status record; chromium said:\n" + log[-3000:])
            return 1
        status = json.loads(m.group(1))
        if status["errors"]:
            failures.append("script errors: %s" % status["errors"])
        # The page writes nothing to the console: any message from it is a failure (script
        # errors, and the browser's report of a request refused by the page's
        # Content-Security-Policy, which then never reaches the NetLog).
        for line in log.splitlines():
            if ":CONSOLE" in line:
                failures.append("console: " + line)
        if status["charts"] < 2 or len(status["drawn"]) != status["charts"]:
            failures.append("charts drawn %d of %d: %s" % (len(status["drawn"]), status["charts"], status["drawn"]))
        got = {m["rule"]: m["dates"] for m in status["markers"] if m}
        for rule, dates in expected.items():
            if got.get(rule) != dates:
                failures.append("markers of %r at %s, events at %s" % (rule, got.get(rule), dates))

        # Every URL the network stack saw (NetLog constants map the event source types).
        with open(netlog) as f:
            text = f.read().rstrip().rstrip(",")
        if not text.endswith("}"):
            text += "]}"
        try:
            log_json = json.loads(text)
        except json.JSONDecodeError:
            log_json = json.loads(text + "]}")
        # A request the page made carries the page's network isolation key (file://);
        # the browser's own background traffic (component updates, account checks: no
        # page asked for it) carries another and is not the page's doing.
        page_requests, background = set(), set()
        for ev in log_json.get("events", []):
            params = ev.get("params") or {}
            if not isinstance(params.get("url"), str):
                continue
            nik = str(params.get("network_isolation_key", ""))
            if nik.startswith("file://"):
                page_requests.add(params["url"])
            elif "network_isolation_key" in params:
                background.add(params["url"])
        outside = sorted(u for u in page_requests if u != url and not u.startswith("file://" + work))
        if outside:
            failures.append("requests other than the file: %s" % outside)

        if failures:
            print("FAIL:\n  " + "\n  ".join(failures))
            return 1
        print("ok: %d charts drawn, markers of %d rules at their event dates, no request from the page"
              " (%d background requests of the browser itself ignored)"
              % (status["charts"], len(expected), len(background)))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
