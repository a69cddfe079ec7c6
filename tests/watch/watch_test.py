#!/usr/bin/python3
"""End-to-end tests of `sluice watch`: they run the real binary on tests/watch/data.

usage: watch_test.py SLUICE SOURCE_DIR CASE      (CASE: see CASES at the bottom)

Expected outputs are golden files written and checked by hand (the reasoning is in the
comments of each case); event ids are checked against this file's own FNV-1a of the
definition in docs/watch.md, an independent implementation. Exit 0: pass, 1: fail.
Servers listen on 127.0.0.1 only; every wait is bounded.
"""
import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone

SLUICE, SRC, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
HERE = os.path.join(SRC, "tests", "watch")
DATA = os.path.join(HERE, "data")
RULES = os.path.join(HERE, "rules.sluice")
NOW = "2026-01-06"  # the fake wall clock: history ends 2026-01-05, grace is a day


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def watch(args, stdin="", env_now=NOW, timeout=60):
    """Runs `sluice watch` to the end of its input; returns (status, stdout, stderr)."""
    env = dict(os.environ)
    env.pop("SLUICE_WATCH_NOW", None)
    if env_now:
        env["SLUICE_WATCH_NOW"] = env_now
    p = subprocess.run([SLUICE, "watch"] + args, input=stdin, capture_output=True, text=True,
                       env=env, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def same(actual, expected_path, what):
    expected = read(expected_path)
    if actual != expected:
        sys.stderr.write(f"--- expected {what} ({expected_path})\n{expected}--- actual\n{actual}")
        raise Failure(f"{what} differs from {os.path.basename(expected_path)}")


# --- event ids, computed independently of the C++ (definition: docs/watch.md) ---
def fnv1a(data, h=14695981039346656037):
    for byte in data:
        h ^= byte
        h = (h * 1099511628211) % (1 << 64)
    return h


def epoch(date_text):
    d = datetime.strptime(date_text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return int(d.timestamp())


def event_id(rule_text, rule, date_text):
    key = b"%016x" % fnv1a(rule_text.encode()) + b"\0" + rule.encode() + b"\0" + \
        str(epoch(date_text)).encode()
    a = fnv1a(key)
    b = fnv1a(key, a ^ 0x9E3779B97F4A7C15)
    return "%016x%016x" % (a, b)


def check_ids(lines, rule_path=RULES):
    text = read(rule_path)
    for line in lines:
        e = json.loads(line)
        check(e["id"] == event_id(text, e["rule"], e["date"]),
              f"event id {e['id']} is not FNV-1a of (rule text, {e['rule']}, {e['date']})")


def run_batch(rules, data_dir, extra=()):
    """`sluice run` on the final data: the events watch must have found (jsonl, no ids)."""
    p = subprocess.run([SLUICE, "run", rules, "--data", data_dir, "--format", "jsonl", "--quiet"]
                       + list(extra), capture_output=True, text=True, timeout=60)
    check(p.returncode == 0, f"sluice run failed: {p.stderr}")
    return [e for e in (json.loads(l) for l in p.stdout.splitlines() if l) if e.get("type") == "event"]


def without_id(line):
    e = json.loads(line)
    e.pop("id")
    return e


# --- cases ---

def case_basic():
    # Golden files checked by hand, line by line: history a = 8 9 11 9 9.5 and
    # b = 1 1 1 1 1 on 2026-01-01..05. Lines 1-2 complete 01-06: a crosses 10 (9.5 -> 10.5)
    # and b rises above 5 -> two events. Line 13 (clock 01-08) completes 01-08, where a
    # crosses 10 again (9 -> 10.25); b stays above 5 on 01-07/01-08, so it does not fire
    # again. Lines 3, 4, 7, 8, 9 (late: before the horizon 01-06 23:59:59), 15 (late: the
    # clock line promised 01-08 complete), 17-20 are bad; 5 is a duplicate, 6 a revision
    # of an evaluated value, 14 blank, 16 a null.
    rc, out, err = watch([RULES, "--data", DATA], read(os.path.join(HERE, "basic.ndjson")))
    check(rc == 0, f"exit status {rc}")
    same(out, os.path.join(HERE, "basic.expected"), "stdout")
    same(err.replace(HERE, "HERE"), os.path.join(HERE, "basic.stderr"), "stderr")
    check_ids(out.splitlines())


def case_table():
    rc, out, err = watch([RULES, "--data", DATA, "--format", "table"],
                         read(os.path.join(HERE, "basic.ndjson")))
    check(rc == 0, f"exit status {rc}")
    lines = out.splitlines()
    check(len(lines) == 3, f"3 table rows expected: {out}")
    check(lines[0].startswith("2026-01-06  a breaks 10") and "a crossed 10 at 10.5" in lines[0],
          f"first row: {lines[0]}")


def case_complete():
    """No repainting: a point waits until every series is complete through it."""
    a6 = '{"series":"a","time":"2026-01-06","value":10.5}\n'
    b6 = '{"series":"b","time":"2026-01-06","value":1}\n'
    # Only a has reported 01-06: b may still send 01-06, so nothing is evaluated.
    rc, out, err = watch([RULES, "--data", DATA], a6)
    check(rc == 0 and out == "", f"a alone fired: {out}")
    check("evaluated through 2026-01-05 23:59:59\n" in err, f"horizon: {err}")
    # b's observation completes 01-06 -> a's crossing fires.
    rc, out, err = watch([RULES, "--data", DATA], a6 + b6)
    check([json.loads(l)["rule"] for l in out.splitlines()] == ["a breaks 10"], f"a+b: {out}")
    # A clock line completes it as well.
    rc, out, err = watch([RULES, "--data", DATA], a6 + '{"clock":"2026-01-06"}\n')
    check(len(out.splitlines()) == 1, f"clock: {out}")
    # So does the wall clock: b's grace (its median gap, 1 day) passes at 01-07 00:00. The
    # fake clock is fixed per run, so the same watch (its state and journal) is started at
    # 12:00 on 01-06, when a's line is not late yet and b's grace has not passed, and again
    # at midnight: then b is complete through 01-06 and a's crossing fires.
    tmp = tempfile.mkdtemp(prefix="watch_grace_")
    try:
        state = ["--state", os.path.join(tmp, "state.json")]
        rc, out, err = watch([RULES, "--data", DATA] + state, a6, env_now="2026-01-06T12:00:00Z")
        check(rc == 0 and out == "", f"before the grace: {out} {err}")
        rc, out, err = watch([RULES, "--data", DATA, "--grace", "3d"] + state, "", env_now="2026-01-07")
        check(rc == 0 and out == "", f"--grace 3d fired: {out}")
        rc, out, err = watch([RULES, "--data", DATA] + state, "", env_now="2026-01-07")
        check(len(out.splitlines()) == 1 and '"date":"2026-01-06"' in out, f"grace: {out} {err}")
    finally:
        shutil.rmtree(tmp)
    # A weekly series (w, Mondays, last 2026-01-05) does not hold a daily rule back: nothing
    # of w dated before 01-12 can come, so a's 01-06 observation alone completes 01-06.
    weekly = os.path.join(HERE, "weekly.sluice")
    rc, out, err = watch([weekly, "--data", DATA], a6)
    events = [json.loads(l) for l in out.splitlines()]
    check([(e["date"], e["messages"]) for e in events] == [("2026-01-06", ["a 10.5 above w 10"])],
          f"weekly: {out} {err}")


def case_batch():
    """watch's events == `sluice run` on the final data, double and exact."""
    tmp = tempfile.mkdtemp(prefix="watch_batch_")
    try:
        stream, rows = [], {"a": [], "b": []}
        rnd = random.Random(7)
        for day in range(6, 31):
            for s in ("a", "b"):
                v = round(rnd.uniform(8.5, 11.5) if s == "a" else rnd.uniform(3, 7), 2)
                date = f"2026-01-{day:02}"
                rows[s].append(f"{date},{v}\n")
                stream.append(json.dumps({"series": s, "time": date, "value": str(v)}) + "\n")
        stream.append('{"clock":"2026-01-30"}\n')
        final = os.path.join(tmp, "data")
        os.mkdir(final)
        for s in ("a", "b"):
            with open(os.path.join(final, s + ".csv"), "w") as f:
                f.write(read(os.path.join(DATA, s + ".csv")) + "".join(rows[s]))
        for mode in ([], ["--exact"]):
            rc, out, err = watch([RULES, "--data", DATA, "--replay-from", "1970-01-01"] + mode,
                                 "".join(stream))
            check(rc == 0, f"exit status {rc}: {err}")
            got = [without_id(l) for l in out.splitlines()]
            want = run_batch(RULES, final, mode)
            check(len(want) > 5, "the stream should fire several times")
            check(got == want, f"watch {mode} != run:\n{got}\n{want}")
    finally:
        shutil.rmtree(tmp)


def split_and_compare(src, files, rules, split, need_events=3):
    """History: the rows of `files` (in `src`) dated <= split; the later rows streamed (every
    series in date order, a clock line per day). The events sent must be the batch run's on
    the whole files after `split`, in double and exact mode."""
    tmp = tempfile.mkdtemp(prefix="watch_split_")
    try:
        hist, full = os.path.join(tmp, "data"), os.path.join(tmp, "full")
        os.mkdir(hist)
        os.mkdir(full)
        by_day = {}
        for name in files:
            shutil.copy(os.path.join(src, name), full)
            lines = read(os.path.join(src, name)).splitlines()
            header = lines[0].split(",")
            # The loader's default column: Close for Yahoo files, the only value column else.
            col = header.index("Close") if "Close" in header else 1
            keep = [lines[0]]
            for line in lines[1:]:
                cells = line.split(",")
                if cells[0] <= split:
                    keep.append(line)
                elif cells[col] not in ("", ".", "null", "NaN"):
                    by_day.setdefault(cells[0], []).append(
                        json.dumps({"series": name[:-4], "time": cells[0], "value": cells[col]}))
            with open(os.path.join(hist, name), "w") as f:
                f.write("\n".join(keep) + "\n")
        stream = ""
        for day in sorted(by_day):
            stream += "\n".join(by_day[day]) + "\n" + json.dumps({"clock": day}) + "\n"
        for mode in ([], ["--exact"]):
            rc, out, err = watch([rules, "--data", hist, "--quiet"] + mode, stream, env_now=split)
            check(rc == 0, f"exit status {rc}: {err}")
            check("sluice watch:" not in err, f"unexpected reports: {err}")
            got = [without_id(l) for l in out.splitlines()]
            want = [e for e in run_batch(rules, full, mode) if e["date"] > split]
            check(len(want) >= need_events, f"only {len(want)} events after the split")
            print(f"{mode or ['--double']}: {len(got)} events after {split}, as sluice run")
            check(got == want, f"watch {mode} != run: {len(got)} vs {len(want)} events\n"
                  + "\n".join(f"{g}\n{w}\n" for g, w in zip(got, want) if g != w)[:3000])
    finally:
        shutil.rmtree(tmp)


def case_examples():
    """examples/rotation.sluice on examples/data, split at 2024-06-30."""
    src = os.path.join(SRC, "examples", "data")
    split_and_compare(src, sorted(f for f in os.listdir(src) if f.endswith(".csv")),
                      os.path.join(SRC, "examples", "rotation.sluice"), "2024-06-30")


def case_real():
    """The real downloads (../shared/data/real beside the source tree, or $SLUICE_REAL_DATA;
    read in place, never copied into the project), split at 2024-06-30; skipped (77) when
    they are absent."""
    src = os.environ.get("SLUICE_REAL_DATA") or os.path.join(SRC, "..", "shared", "data", "real")
    files = ["rut.csv", "gspc.csv", "tga.csv", "hy_oas.csv", "btc.csv"]
    if not all(os.path.exists(os.path.join(src, f)) for f in files):
        print(f"skipped: the real data files {files} are not in {src}")
        sys.exit(77)
    split_and_compare(src, files, os.path.join(HERE, "real.sluice"), "2024-06-30")


def case_restart():
    """A state file: no duplicates after a restart, nothing lost while down."""
    tmp = tempfile.mkdtemp(prefix="watch_restart_")
    try:
        data = os.path.join(tmp, "data")
        shutil.copytree(DATA, data)
        state = os.path.join(tmp, "state.json")
        args = [RULES, "--data", data, "--state", state]
        day6 = '{"series":"a","time":"2026-01-06","value":10.5}\n' \
               '{"series":"b","time":"2026-01-06","value":6}\n'
        # First start: history's firing (01-03) is not sent; 01-06's two are.
        rc, out, err = watch(args, day6)
        check(rc == 0 and len(out.splitlines()) == 2, f"first start: {out} {err}")
        first = out.splitlines()
        st = json.loads(read(state))
        # Version 2 of the state file counts milliseconds: 2026-01-06 23:59:59.000.
        check(st["version"] == 2 and st["evaluated_through"] == (epoch("2026-01-07") - 1) * 1000,
              f"state: {st}")
        check(sorted(st["delivered"]) == sorted(json.loads(l)["id"] for l in first), f"ids: {st}")
        check(st["outbox"] == [], "outbox not empty")
        # The producer re-sends after the restart: duplicates, dropped quietly, nothing sent.
        rc, out, err = watch(args, day6)
        check(rc == 0 and out == "", f"re-sent day 6 fired again: {out}")
        check(" 2 duplicates," in err, f"duplicates not counted: {err}")
        # While watch is down, the history files grow (a crosses 10 again on 01-08, after
        # 9 on 01-07): the restart catches up and sends that firing once.
        with open(os.path.join(data, "a.csv"), "a") as f:
            f.write("2026-01-07,9\n2026-01-08,10.25\n")
        with open(os.path.join(data, "b.csv"), "a") as f:
            f.write("2026-01-07,6\n2026-01-08,6\n")
        rc, out, err = watch(args, "")
        events = [json.loads(l) for l in out.splitlines()]
        check([(e["date"], e["rule"]) for e in events] == [("2026-01-08", "a breaks 10")],
              f"catch-up: {out} {err}")
        rc, out, err = watch(args, "")
        check(out == "", f"second catch-up sent again: {out}")
        # --replay-from on a first start sends the past from that date.
        os.remove(state)
        os.remove(state + ".journal")
        rc, out, err = watch(args + ["--replay-from", "2026-01-03"], "")
        # The history now skips 01-06 (it was on stdin only): b rises to 6 on 01-07.
        got = [(json.loads(l)["date"], json.loads(l)["rule"]) for l in out.splitlines()]
        check(got == [("2026-01-03", "a breaks 10"), ("2026-01-07", "b high"), ("2026-01-08", "a breaks 10")],
              f"replay: {out}")
    finally:
        shutil.rmtree(tmp)


class Receiver:
    """An HTTP receiver on 127.0.0.1 that records deliveries and fails on demand."""

    def __init__(self, port=0, fail=lambda n: None):
        self.deliveries = []  # (status, idempotency key, body)
        self.fail = fail
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                with outer.lock:
                    n = len(outer.deliveries)
                    action = outer.fail(n)
                    status = 200
                    if action == "stall":
                        time.sleep(0.4)  # longer than watch's --timeout: no answer in time
                        status = 0
                    elif action is not None:
                        status = action
                    outer.deliveries.append((status, self.headers.get("Idempotency-Key"), body))
                if status:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def ok(self):
        return [(k, b) for s, k, b in self.deliveries if 200 <= s < 300]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def case_webhook():
    """Retries with backoff on 503, Idempotency-Key = id, 4xx refused and reported."""
    day6 = '{"series":"a","time":"2026-01-06","value":10.5}\n{"series":"b","time":"2026-01-06","value":6}\n'
    # The first two POSTs fail with 503: both events still arrive, once each, in order.
    r = Receiver(fail=lambda n: 503 if n < 2 else None)
    try:
        rc, out, err = watch([RULES, "--data", DATA, "--webhook", r.url()], day6)
        check(rc == 0, f"exit status {rc}: {err}")
        stdout_events = out.splitlines()
        check(len(stdout_events) == 2, f"stdout sink: {out}")
        got = r.ok()
        check([b for _, b in got] == stdout_events, f"bodies {got} != {stdout_events}")
        check([k for k, _ in got] == [json.loads(l)["id"] for l in stdout_events], "Idempotency-Key")
        check("HTTP status 503" in err, f"the failure is reported: {err}")
    finally:
        r.close()
    # A receiver answering 400 refuses the event: reported, not retried, not kept.
    r = Receiver(fail=lambda n: 400)
    try:
        rc, out, err = watch([RULES, "--data", DATA, "--webhook", r.url(), "--format", "none"], day6)
        check(rc == 0, f"exit status {rc}: {err}")
        check(len(r.deliveries) == 2 and err.count("refused by webhook") == 2, f"400: {err}")
    finally:
        r.close()
    # A template posts the alert text.
    r = Receiver()
    try:
        rc, out, err = watch([RULES, "--data", DATA, "--webhook", r.url(), "--format", "none",
                              "--template", "{date} {rule}: {message}"], day6)
        check([b for _, b in r.ok()] == ["2026-01-06 a breaks 10: a crossed 10 at 10.5",
                                         "2026-01-06 b high: b is 6"], f"template: {r.ok()}")
    finally:
        r.close()


def case_exec():
    """--exec: the event JSON on stdin and in SLUICE_EVENT_*; a failing command is retried."""
    tmp = tempfile.mkdtemp(prefix="watch_exec_")
    try:
        log = os.path.join(tmp, "log")
        day6 = '{"series":"a","time":"2026-01-06","value":10.5}\n{"series":"b","time":"2026-01-06","value":6}\n'
        cmd = f'cat >> {log}; echo "$SLUICE_EVENT_ID|$SLUICE_EVENT_DATE|$SLUICE_EVENT_RULE|$SLUICE_EVENT_MESSAGE" >> {log}'
        rc, out, err = watch([RULES, "--data", DATA, "--exec", cmd], day6)
        check(rc == 0, f"exit status {rc}: {err}")
        events = out.splitlines()
        ids = [json.loads(l)["id"] for l in events]
        want = f"{events[0]}\n{ids[0]}|2026-01-06|a breaks 10|a crossed 10 at 10.5\n" \
               f"{events[1]}\n{ids[1]}|2026-01-06|b high|b is 6\n"
        check(read(log) == want, f"exec saw:\n{read(log)}\nwant:\n{want}")
        # A command failing twice (it counts its runs in a file) delivers on its third run.
        count = os.path.join(tmp, "count")
        cmd = f'n=$(cat {count} 2>/dev/null || echo 0); echo $((n+1)) > {count}; [ $n -ge 2 ]'
        rc, out, err = watch([RULES, "--data", DATA, "--exec", cmd, "--format", "none"],
                             '{"series":"a","time":"2026-01-06","value":10.5}\n{"clock":"2026-01-06"}\n')
        check(rc == 0 and read(count).strip() == "3", f"retries: {rc} {read(count)} {err}")
        check("exited with status 1" in err, f"the failure is reported: {err}")
    finally:
        shutil.rmtree(tmp)


def case_sigterm():
    """SIGTERM while watching: the state is flushed and watch exits 0."""
    tmp = tempfile.mkdtemp(prefix="watch_term_")
    try:
        state = os.path.join(tmp, "state.json")
        env = dict(os.environ, SLUICE_WATCH_NOW=NOW)
        p = subprocess.Popen([SLUICE, "watch", RULES, "--data", DATA, "--state", state],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, text=True)
        p.stdin.write('{"series":"a","time":"2026-01-06","value":10.5}\n{"series":"b","time":"2026-01-06","value":6}\n')
        p.stdin.flush()
        first = p.stdout.readline() + p.stdout.readline()  # both events are out
        check('"a breaks 10"' in first and '"b high"' in first, f"events: {first}")
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        check(p.returncode == 0, f"exit status after SIGTERM: {p.returncode} {err}")
        st = json.loads(read(state))
        # Version 2 of the state file counts milliseconds.
        check(st["evaluated_through"] == (epoch("2026-01-07") - 1) * 1000 and st["outbox"] == [],
              f"state: {st}")
        check(len(read(state + ".journal").splitlines()) == 2, "journal")
    finally:
        shutil.rmtree(tmp)


class Watcher:
    """A watch kept running (--follow, --poll): lines of its stdout read with a deadline."""

    def __init__(self, args, env_now=NOW):
        env = dict(os.environ, SLUICE_WATCH_NOW=env_now)
        self.p = subprocess.Popen([SLUICE, "watch"] + args, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        self.lines, self.err = [], []
        self.cond = threading.Condition()
        self.readers = [threading.Thread(target=self._read, args=(self.p.stdout, self.lines), daemon=True),
                        threading.Thread(target=self._read, args=(self.p.stderr, self.err), daemon=True)]
        for t in self.readers:
            t.start()

    def _read(self, stream, into):
        for line in stream:
            with self.cond:
                into.append(line)
                self.cond.notify_all()

    def wait_started(self, deadline=20):
        """Until the history has been read (the "N rules over M series" line)."""
        with self.cond:
            self.cond.wait_for(lambda: any(" rules over " in l for l in self.err), timeout=deadline)
            check(any(" rules over " in l for l in self.err), f"no start line: {self.err}")

    def wait_lines(self, n, deadline=20):
        with self.cond:
            self.cond.wait_for(lambda: len(self.lines) >= n, timeout=deadline)
            check(len(self.lines) >= n, f"waited for {n} events, got {self.lines}")
            return [json.loads(l) for l in self.lines]

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=30)
        for t in self.readers:
            t.join(timeout=10)
        check(self.p.returncode == 0, f"exit status {self.p.returncode}: {''.join(self.err)}")
        return "".join(self.err)


def append(path, text):
    with open(path, "a") as f:
        f.write(text)


def case_follow():
    """--follow: rows appended to a history file are observations; a rewritten file is
    read again and a changed past value is reported as a revision; a cut file loses nothing."""
    tmp = tempfile.mkdtemp(prefix="watch_follow_")
    try:
        data = os.path.join(tmp, "data")
        shutil.copytree(DATA, data)
        w = Watcher([RULES, "--data", data, "--follow", "--every", "1s"])
        try:
            w.wait_started()
            append(os.path.join(data, "a.csv"), "2026-01-06,10.5\n")
            append(os.path.join(data, "b.csv"), "2026-01-06,6\n")
            got = w.wait_lines(2)
            check([(e["date"], e["rule"]) for e in got] == [("2026-01-06", "a breaks 10"), ("2026-01-06", "b high")],
                  f"appended rows: {got}")
            # Rewritten: 01-03 changed (a revision of an evaluated point), 01-07/08 added.
            a = read(os.path.join(data, "a.csv")).replace("2026-01-03,11", "2026-01-03,12")
            with open(os.path.join(data, "a.csv.new"), "w") as f:
                f.write(a + "2026-01-07,9\n2026-01-08,10.25\n")
            os.replace(os.path.join(data, "a.csv.new"), os.path.join(data, "a.csv"))
            append(os.path.join(data, "b.csv"), "2026-01-07,6\n2026-01-08,6\n")
            got = w.wait_lines(3)
            check((got[2]["date"], got[2]["rule"]) == ("2026-01-08", "a breaks 10"), f"rewritten: {got}")
            # Cut to its header: nothing is taken back, nothing fires.
            with open(os.path.join(data, "a.csv"), "w") as f:
                f.write("date,value\n")
            time.sleep(1.5)
        finally:
            err = w.stop()
        check(len(w.lines) == 3, f"events after the cut: {w.lines}")
        check("a.csv, row 2026-01-03: revision of a at 2026-01-03: 11 -> 12 (its point is complete" in err,
              f"revision report: {err}")
        check(err.count("revision of a at 2026-01-03") == 1, f"reported more than once: {err}")
        check("was rewritten or cut short: read again" in err, f"rewrite report: {err}")
    finally:
        shutil.rmtree(tmp)


def case_load():
    """Series named by `load` in the rule file start with the loaded file's history, as
    `sluice run` reads them (a --data file of the same name does not replace it: the rule
    file's `load` wins, as in run), and the file is followed like a --data file."""
    tmp = tempfile.mkdtemp(prefix="watch_load_")
    try:
        data, decoy = os.path.join(tmp, "data"), os.path.join(tmp, "decoy")
        shutil.copytree(DATA, data)
        os.mkdir(decoy)
        # Were the decoy read, a would stay at 20 and never cross above 10 on 01-06.
        with open(os.path.join(decoy, "a.csv"), "w") as f:
            f.write("date,value\n" + "".join(f"2026-01-0{d},20\n" for d in range(1, 6)))
        rules = os.path.join(tmp, "load.sluice")
        with open(rules, "w") as f:
            f.write('load a from "data/a.csv"\nload b from "data/b.csv"\n' + read(RULES))
        # The history is basic's (tests/watch/data), so the events are basic's, checked by
        # hand there; only the ids differ (the rule text does). Without the history, a's
        # 10.5 on 01-06 would be its first value and could not cross 10.
        rc, out, err = watch([rules, "--data", decoy], read(os.path.join(HERE, "basic.ndjson")))
        check(rc == 0, f"exit status {rc}: {err}")
        check("starts empty" not in err, f"a loaded series started empty: {err}")
        want = [without_id(l) for l in read(os.path.join(HERE, "basic.expected")).splitlines()]
        check([without_id(l) for l in out.splitlines()] == want, f"events: {out}")
        check_ids(out.splitlines(), rules)
        # And as `sluice run` on the same files: the history's firing on 01-03 (a 9 -> 11).
        hist = run_batch(rules, decoy)
        check([(e["date"], e["rule"]) for e in hist] == [("2026-01-03", "a breaks 10")], f"run: {hist}")
        # Followed: rows appended to the loaded files are observations.
        w = Watcher([rules, "--follow", "--every", "1s"])
        try:
            w.wait_started()
            append(os.path.join(data, "a.csv"), "2026-01-06,10.5\n")
            append(os.path.join(data, "b.csv"), "2026-01-06,6\n")
            got = w.wait_lines(2)
            check([(e["date"], e["rule"]) for e in got] == [("2026-01-06", "a breaks 10"), ("2026-01-06", "b high")],
                  f"appended rows: {got}")
        finally:
            w.stop()
    finally:
        shutil.rmtree(tmp)


def case_readers():
    """The two JSON readers agree: lines of exactly series/time/value take the fast reader
    (simdjson), the same lines with an extra member the full one (nlohmann); the events,
    values (exact digits included) and reports must be identical, in double and exact mode."""
    values = ["10.5", "-0", "1e1", "\"10.50\"", "9", "12345678901234567890", "10.100000000000000000000001",
              "9.999999999999999999999", "11", "\"+10.5\"", "-1.5E-3", "10.25"]
    plain, extra = [], []
    for k, v in enumerate(values):
        date = f"2026-01-{k + 6:02}"
        for s, val in (("a", v), ("b", "6")):
            plain.append('{"series":"%s","time":"%s","value":%s}' % (s, date, val))
            extra.append('{"producer":{"id":[1,2.5,null]},"series":"%s","time":"%s","value":%s}' % (s, date, val))
    plain.append('{"clock":"2026-01-31"}')
    extra.append('{"clock":"2026-01-31","note":"end"}')
    for mode in ([], ["--exact"]):
        args = [RULES, "--data", DATA, "--replay-from", "2026-01-06"] + mode
        rc1, out1, err1 = watch(args, "\n".join(plain) + "\n")
        rc2, out2, err2 = watch(args, "\n".join(extra) + "\n")
        check(rc1 == 0 and rc2 == 0, f"exit status {rc1}, {rc2}: {err1}{err2}")
        check(out1.count("a breaks 10") >= 3, f"too few events to compare: {out1}")
        check(out1 == out2, f"{mode}: the readers differ:\n{out1}\n{out2}")
        check(err1 == err2, f"{mode}: the reports differ:\n{err1}\n{err2}")
        print(f"{mode or ['--double']}: {len(out1.splitlines())} events, identical")
    # Lines the fast reader could be lax about are rejected as malformed JSON, with
    # nlohmann's position (control characters in strings, a trailing comma, text after the
    # object, a number cut short): the reports nlohmann alone gave before the fast reader.
    bad = ['{"series":"a","time":"2026-01-06","value":"10.5\t"}', '{"series":"a\t","time":"2026-01-06","value":1}',
           '{"series":"a","time":"2026-01-06","value":10.5,}', '{"series":"a","time":"2026-01-06","value":10.5}x',
           '{"series":"a","time":"2026-01-06","value":1.}']
    rc, out, err = watch([RULES, "--data", DATA, "--quiet"], "\n".join(bad) + "\n")
    for n in range(1, len(bad) + 1):
        check(f"stdin:{n}: malformed JSON at byte " in err, f"line {n} not rejected as malformed: {err}")
    check("invalid string: control character U+0009" in err and "expected end of input" in err,
          f"nlohmann's reasons: {err}")


def case_poll():
    """--poll CMD --every D: the command refreshes the files (its output goes to stderr)."""
    tmp = tempfile.mkdtemp(prefix="watch_poll_")
    try:
        upstream, data = os.path.join(tmp, "upstream"), os.path.join(tmp, "data")
        shutil.copytree(DATA, upstream)
        os.mkdir(data)  # empty until the first poll, which runs before the history is read
        cmd = f"cp {upstream}/*.csv {data}/ && echo refreshed"
        w = Watcher([RULES, "--data", data, "--poll", cmd, "--every", "1s"])
        try:
            w.wait_started()
            append(os.path.join(upstream, "a.csv"), "2026-01-06,10.5\n")
            append(os.path.join(upstream, "b.csv"), "2026-01-06,1\n")
            got = w.wait_lines(1)
            check([(e["date"], e["rule"]) for e in got] == [("2026-01-06", "a breaks 10")], f"poll: {got}")
        finally:
            err = w.stop()
        check("refreshed" in err and all("refreshed" not in l for l in w.lines), f"command output: {err}")
    finally:
        shutil.rmtree(tmp)


def case_deadhook():
    """A dead webhook loses nothing: events wait in the state's outbox and go out later."""
    tmp = tempfile.mkdtemp(prefix="watch_dead_")
    try:
        port = free_port()  # nothing listens there yet: connections are refused
        state = os.path.join(tmp, "state.json")
        url = f"http://127.0.0.1:{port}/hook"
        args = [RULES, "--data", DATA, "--state", state, "--webhook", url, "--format", "none",
                "--retries", "3", "--max-backoff", "0.2", "--drain", "1"]
        day6 = '{"series":"a","time":"2026-01-06","value":10.5}\n{"series":"b","time":"2026-01-06","value":6}\n'
        rc, out, err = watch(args, day6)
        check(rc == 3, f"a dead webhook should exit 3, got {rc}: {err}")
        check(f"webhook {url} is down" in err and "2 events not delivered: kept in" in err, f"report: {err}")
        st = json.loads(read(state))
        check(len(st["outbox"]) == 2, f"outbox: {st}")
        r = Receiver(port=port)
        try:
            rc, out, err = watch(args, "")
            check(rc == 0, f"restart: {rc} {err}")
            ids = [event_id(read(RULES), rule, "2026-01-06") for rule in ("a breaks 10", "b high")]
            check([k for k, _ in r.ok()] == ids, f"delivered after restart: {r.deliveries}")
            check(json.loads(read(state))["outbox"] == [], "outbox not emptied")
        finally:
            r.close()
    finally:
        shutil.rmtree(tmp)


def case_crash():
    """SIGKILL at random instants, restarts, a flaky receiver: every firing arrives, every
    re-send carries the same id and body, nothing arrives for a point before it was
    complete. WATCH_KILLS sets the number of kills (default 100)."""
    kills = int(os.environ.get("WATCH_KILLS", "100"))
    rnd = random.Random(int(os.environ.get("WATCH_SEED", "1")))
    tmp = tempfile.mkdtemp(prefix="watch_crash_")
    try:
        # 60 more days of a and b; a wanders around 10, so "a breaks 10" fires often.
        stream, rows = [], {"a": [], "b": []}
        day0 = epoch("2026-01-06")
        for d in range(60):
            date = datetime.fromtimestamp(day0 + d * 86400, timezone.utc).strftime("%Y-%m-%d")
            for s in ("a", "b"):
                v = round(rnd.uniform(8.5, 11.5) if s == "a" else rnd.uniform(3, 7), 2)
                rows[s].append(f"{date},{v}\n")
                stream.append(json.dumps({"series": s, "time": date, "value": v}) + "\n")
        last = date
        stream.append(json.dumps({"clock": last}) + "\n")
        final = os.path.join(tmp, "final")
        os.mkdir(final)
        for s in ("a", "b"):
            with open(os.path.join(final, s + ".csv"), "w") as f:
                f.write(read(os.path.join(DATA, s + ".csv")) + "".join(rows[s]))
        feed = os.path.join(tmp, "feed.ndjson")
        with open(feed, "w") as f:
            f.write("".join(stream))
        # What a batch run finds after the first start's horizon (2026-01-05 23:59:59).
        text = read(RULES)
        expected = {event_id(text, e["rule"], e["date"]): e for e in run_batch(RULES, final)
                    if e["date"] >= "2026-01-06"}
        check(len(expected) >= 10, f"only {len(expected)} events to deliver")

        # The receiver fails 1 request in 5 (503), stalls 1 in 20 past watch's timeout.
        def flaky(n):
            x = rnd.random()
            return 503 if x < 0.2 else "stall" if x < 0.25 else None

        r = Receiver(fail=flaky)
        state = os.path.join(tmp, "state.json")
        env = dict(os.environ, SLUICE_WATCH_NOW=NOW)
        cmd = [SLUICE, "watch", RULES, "--data", DATA, "--state", state, "--webhook", r.url(),
               "--format", "none", "--timeout", "0.2", "--max-backoff", "0.05", "--quiet"]
        try:
            for k in range(kills + 1):
                with open(feed) as f:  # the producer re-sends everything after each restart
                    p = subprocess.Popen(cmd, stdin=f, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, env=env)
                    if k < kills:
                        time.sleep(rnd.uniform(0, 0.1))
                        p.send_signal(signal.SIGKILL)
                        p.wait(timeout=30)
                    else:
                        _, err = p.communicate(timeout=120)
                        check(p.returncode == 0, f"the last run exited {p.returncode}: {err.decode()}")
        finally:
            r.close()
        bodies = {}
        for status, key, body in r.deliveries:
            e = json.loads(body)
            check(e["id"] == key, "Idempotency-Key differs from the body's id")
            check(bodies.setdefault(key, body) == body, f"a re-send of {key} changed its body")
        delivered = {k for k, _ in r.ok()}
        check(delivered == set(expected),
              f"delivered {len(delivered)} ids, batch finds {len(expected)}: "
              f"missing {sorted(expected[i]['date'] for i in set(expected) - delivered)}, "
              f"extra {sorted(delivered - set(expected))}")
        # Complete before delivered: an event evaluated before all of its point's inputs were
        # in would differ from the batch run's on the final data (values, or the firing).
        for key in delivered:
            e = json.loads(bodies[key])
            want = {k: v for k, v in expected[key].items()}
            check({k: v for k, v in e.items() if k != "id"} == want, f"body of {key} != batch: {e}")
        dup = len(r.ok()) - len(delivered)
        print(f"{kills} kills, {len(r.deliveries)} requests, {len(delivered)} events delivered, "
              f"{dup} re-sends (same id and body)")
    finally:
        shutil.rmtree(tmp)


def case_bounds():
    """A rule file `sluice run` takes, watch takes too: 1,001 rules is past the embedding
    default (1,000 rules, for strangers' text) and within the command line's bound."""
    tmp = tempfile.mkdtemp(prefix="watch_bounds_")
    try:
        rules = os.path.join(tmp, "many.sluice")
        with open(rules, "w") as f:
            for i in range(1001):
                f.write(f'rule "r{i}": when a crosses above {8 + (i % 4)} then alert "r{i}"\n')
        stream = '{"series":"a","time":"2026-01-06","value":12}\n{"clock":"2026-01-06"}\n'
        rc, out, err = watch([rules, "--data", DATA], stream)
        check(rc == 0, f"exit status {rc}: {err}")
        # History a = 8 9 11 9 9.5, then 12 on 01-06: a crosses above 10 and 11 there (from
        # 9.5), not above 8 or 9 (already above): the 500 rules with thresholds 10 and 11.
        fired = sorted(int(json.loads(l)["rule"][1:]) for l in out.splitlines())
        check(fired == [i for i in range(1001) if 8 + (i % 4) >= 10],
              f"{len(fired)} rules fired: {fired[:10]}...")
    finally:
        shutil.rmtree(tmp)


def case_ids():
    """Event ids of whole seconds are those of the release whose times were seconds:
    tests/watch/rotation_ids.jsonl holds the ids that release's watch gave
    examples/rotation.sluice on examples/data (every firing, --replay-from 1970-01-01)."""
    rules = os.path.join(SRC, "examples", "rotation.sluice")
    rc, out, err = watch([rules, "--data", os.path.join(SRC, "examples", "data"),
                          "--replay-from", "1970-01-01", "--quiet"], "", env_now="2100-01-01")
    check(rc == 0, f"exit status {rc}: {err}")
    got = [{k: json.loads(l)[k] for k in ("date", "rule", "id")} for l in out.splitlines()]
    want = [json.loads(l) for l in read(os.path.join(HERE, "rotation_ids.jsonl")).splitlines()]
    check(len(want) == 146, "the golden file has 146 events")
    check(got == want, "event ids differ from the golden file:\n"
          + "\n".join(f"{g}\n{w}\n" for g, w in zip(got, want) if g != w)[:3000])
    check_ids(out.splitlines(), rules)


def event_id_ms(rule_text, rule, seconds, ms):
    """The id of an event at `seconds` + `ms` milliseconds (docs/watch.md): the time is
    written as decimal seconds, with `.mmm` when it is not a whole second."""
    when = str(seconds) + (".%03d" % ms if ms else "")
    key = b"%016x" % fnv1a(rule_text.encode()) + b"\0" + rule.encode() + b"\0" + when.encode()
    a = fnv1a(key)
    b = fnv1a(key, a ^ 0x9E3779B97F4A7C15)
    return "%016x%016x" % (a, b)


def case_millis():
    """Ticks 250 ms apart are two points (not duplicates): history every 250 ms, then
    stdin at 10:15:30.000, .250 and .500 with times carrying milliseconds. a: 9 9 | 11 9 12
    crosses above 10 at .000 and .500; b: 1 1 | 6 4 7 is above 5 from .000 and again from
    .500. The ids at 10:15:30.000 are the ones the seconds release gave the same rule text,
    rule and second (e4544015..., c6b7f719..., from its watch fed whole seconds)."""
    tmp = tempfile.mkdtemp(prefix="watch_millis_")
    try:
        for s, v in (("a", 9), ("b", 1)):
            with open(os.path.join(tmp, s + ".csv"), "w") as f:
                f.write(f"time,value\n2026-01-06T10:15:29.500Z,{v}\n2026-01-06T10:15:29.750Z,{v}\n")
        stream = ""
        for ms, a, b in ((0, 11, 6), (250, 9, 4), (500, 12, 7)):
            t = "2026-01-06T10:15:30.%03dZ" % ms
            stream += json.dumps({"series": "a", "time": t, "value": a}) + "\n"
            stream += json.dumps({"series": "b", "time": t, "value": b}) + "\n"
        stream += '{"clock":"2026-01-06T10:15:30.500Z"}\n'
        rc, out, err = watch([RULES, "--data", tmp], stream, env_now="2026-01-06T10:15:29.750Z")
        check(rc == 0, f"exit status {rc}: {err}")
        check("6 observations" in err and "0 duplicates" in err and "0 bad lines" in err,
              f"every tick should be accepted: {err}")
        events = [json.loads(l) for l in out.splitlines()]
        check([(e["date"], e["rule"]) for e in events] == [
            ("2026-01-06 10:15:30", "a breaks 10"), ("2026-01-06 10:15:30", "b high"),
            ("2026-01-06 10:15:30.500", "a breaks 10"), ("2026-01-06 10:15:30.500", "b high")],
            f"events: {out}")
        check(events[0]["id"] == "e45440154383a758aef09035bc545cf0", "id of a at 10:15:30")
        check(events[1]["id"] == "c6b7f719ea99c8fc38d5ac9e7e8e4668", "id of b at 10:15:30")
        text = read(RULES)
        second = epoch("2026-01-06") + 10 * 3600 + 15 * 60 + 30
        for e, ms in zip(events, (0, 0, 500, 500)):
            check(e["id"] == event_id_ms(text, e["rule"], second, ms), f"id of {e}")
        print(f"{len(events)} events at millisecond times; ids as defined")
    finally:
        shutil.rmtree(tmp)


def case_state1():
    """A version-1 state file (times in seconds, before milliseconds) is read as seconds:
    evaluated through 2026-01-06 23:59:59, so 01-06's two firings count as handled and are
    not sent again (read as milliseconds it would be January 1970, and both would go out)."""
    tmp = tempfile.mkdtemp(prefix="watch_state1_")
    try:
        state = os.path.join(tmp, "state.json")
        with open(state, "w") as f:
            json.dump({"version": 1, "evaluated_through": epoch("2026-01-07") - 1,
                       "delivered": [], "outbox": []}, f)
        day6 = '{"series":"a","time":"2026-01-06","value":10.5}\n' \
               '{"series":"b","time":"2026-01-06","value":6}\n'
        rc, out, err = watch([RULES, "--data", DATA, "--state", state], day6)
        check(rc == 0, f"exit status {rc}: {err}")
        check(out == "", f"firings before the stored point were sent again: {out}")
        check("evaluated through 2026-01-06 23:59:59" in err, f"summary: {err}")
    finally:
        shutil.rmtree(tmp)


CASES = {
    "basic": case_basic,
    "table": case_table,
    "complete": case_complete,
    "batch": case_batch,
    "examples": case_examples,
    "real": case_real,
    "restart": case_restart,
    "webhook": case_webhook,
    "deadhook": case_deadhook,
    "exec": case_exec,
    "follow": case_follow,
    "load": case_load,
    "readers": case_readers,
    "poll": case_poll,
    "sigterm": case_sigterm,
    "crash": case_crash,
    "bounds": case_bounds,
    "ids": case_ids,
    "millis": case_millis,
    "state1": case_state1,
}

if __name__ == "__main__":
    try:
        CASES[CASE]()
    except Failure as f:
        print(f"FAIL {CASE}: {f}")
        sys.exit(1)
    print(f"ok {CASE}")
