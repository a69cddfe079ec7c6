#!/usr/bin/env python3
# Checks the golden data block of the example report (tests/report/golden/rotation.data.json,
# `sluice report examples/rotation.sluice --data examples/data`) against the CSV files in
# examples/data, computed here independently of Sluice, in plain Python:
#   - the data files: sha256, first and last dates, rows;
#   - the timeline (decoded from the drawn frame) and every drawn column: each value equals
#     the CSV cell of the last row dated on or before the point (as-of, no lag);
#   - rule 1's condition (`russell breaks 2600 and tga falls over 4w`), its held points,
#     episodes, bands and its event (the rising edge), threshold 2600 on russell;
#   - every rule's markers (all its events' dates, delta-encoded) with the triangle's height
#     (the first charted series' as-of value there), and which events are listed in detail
#     (the first and last 50 of each rule) with their dates;
#   - every rule's forward-return table and every baseline row, per horizon: n, pending,
#     no data, mean, median, hit rate, worst, max drawdown, episodes, from the event dates
#     and the CSVs; the per-event returns and drawdowns (rounded to 6 decimals in the page).
#
#   /usr/bin/python3 tests/report/check_example_block.py REPO_ROOT [BLOCK.json]
# Exit 0 when every check holds; otherwise prints each failure and exits 1.
import bisect
import csv
import datetime
import hashlib
import json
import math
import os
import sys

root = sys.argv[1]
path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "tests/report/golden/rotation.data.json")
block = json.load(open(path))
DETAIL_LIMIT = 100  # events per rule listed in detail: the first and last half (docs/report.md)
failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)


def close(a, b, rel=1e-12):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


def epoch(date):
    return int(datetime.datetime.strptime(date[:10], "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc).timestamp())


# Each series: its file's dates and values. Yahoo files (Date,Open,High,Low,Close,...) give
# Close (docs/language.md: the default column); two-column files their second column.
series = {}
lags = {}  # seconds: a series with a publication lag reads the value dated t - lag at t
for s in block["series"]:
    check(s["lag"] == "none" or s["lag"].endswith("d"), f"{s['series']}: lag {s['lag']}")
    lags[s["series"]] = 0 if s["lag"] == "none" else int(s["lag"][:-1]) * 86400
    with open(os.path.join(root, s["file"]), newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    column = header.index("Close") if "Close" in header else 1
    # An empty cell is no observation on that date (docs/language.md): the as-of value
    # stays the previous one.
    body = [r for r in rows[1:] if r and r[column] != ""]
    series[s["series"]] = ([epoch(r[0]) for r in body], [float(r[column]) for r in body])

# The data files: hash, rows, first and last observation.
for d in block["data"]:
    raw = open(os.path.join(root, d["path"]), "rb").read()
    check(hashlib.sha256(raw).hexdigest() == d["sha256"], f"{d['path']}: sha256")
    body = [line for line in raw.decode().splitlines()[1:] if line]
    check(d["rows"] == len(body), f"{d['path']}: rows {d['rows']} != {len(body)}")
    check(d["first"] == body[0][:10] and d["last"] == body[-1][:10], f"{d['path']}: first/last")
    check(d["rejected"] == 0, f"{d['path']}: rejected")

# The timeline: every date of any series, ascending (the example's files are all daily or
# weekly at midnight UTC); the frame draws all of it (3,834 points < 4,000).
# (A lag moves values, not dates: the timeline is the files' dates.)
timeline = sorted(set(t for ts, _ in series.values() for t in ts))
frame = block["frames"][0]
times = [frame["t0"]]
for d in frame["dt"]:
    times.append(times[-1] + d * frame["unit"])
check(times == timeline, "the frame's times are not the union of the files' dates")
check(block["timeline"]["points"] == len(timeline) == frame["points"] == frame["of"], "timeline points")


def instants(e):
    # n times: t0, then each the previous plus dt * unit (docs/report.md, the data block).
    out = [e["t0"]] if e["n"] else []
    for d in e["dt"]:
        out.append(out[-1] + d * e["unit"])
    check(len(out) == e["n"], f"instants: {len(out)} decoded, n = {e['n']}")
    return out


check(block["format"] == 2, "format")


def as_of(name):
    ts, vs = series[name]
    out = []
    for t in timeline:
        i = bisect.bisect_right(ts, t - lags[name]) - 1
        out.append(vs[i] if i >= 0 else None)
    return out


values = {name: as_of(name) for name in series}


def decode(column):
    if "values" in column:
        return column["values"]
    m, out = 0, []
    for d in column["d"]:
        if d is None:
            out.append(None)
            continue
        m += d
        out.append(m / 10 ** column["scale"])
    return out


for name, column in frame["columns"].items():
    check(decode(column) == values[name], f"drawn column {name} differs from the CSV as-of values")

# Rule 1 (and 2, the same condition with a window): russell > 2600 after <= 2600 the point
# before, and tga below its as-of value 28 days earlier. Held where both are true.
russell, tga = values["russell"], values["tga"]
tga_ts, tga_vs = series["tga"]


def tga_at(t):
    i = bisect.bisect_right(tga_ts, t - lags["tga"]) - 1
    return tga_vs[i] if i >= 0 else None


held = []
for i, t in enumerate(timeline):
    breaks = i > 0 and None not in (russell[i], russell[i - 1]) and russell[i] > 2600 >= russell[i - 1]
    before = tga_at(t - 28 * 86400)
    falls = None not in (tga[i], before) and tga[i] < before
    held.append(bool(breaks and falls))
bands, start = [], None
for i, h in enumerate(held + [False]):
    if h and start is None:
        start = i
    if not h and start is not None:
        bands.append([timeline[start], timeline[i - 1]])
        start = None
for rule in block["rules"][:2]:
    edges = instants(rule["held"]["bands"])
    check(rule["held"]["points"] == sum(held), f"{rule['name']}: held points")
    check([edges[i:i + 2] for i in range(0, len(edges), 2)] == bands, f"{rule['name']}: bands")
    check(rule["held"]["episodes"] == len(bands), f"{rule['name']}: episodes")
    check(instants(rule["markers"]) == [b[0] for b in bands], f"{rule['name']}: events")
    check(rule["chart"]["thresholds"] == [{"series": "russell", "value": 2600.0}], f"{rule['name']}: threshold")

# Forward returns (docs/semantics.md): X(t + h) at the last point on or before t + h; pending
# when t + h is past the last point; no data when X is unknown (or 0) at t or at t + h; the
# drawdown is the lowest X over (t, t + h], with X(t), against X(t).
horizons = [int(h[:-1]) for h in block["horizons"]]
check(block["horizons"] == ["30d", "60d", "90d"], "horizons")


def forward(x, i, days):
    target = timeline[i] + days * 86400
    if x[i] is None or x[i] == 0:
        return ("no_data", None, None)
    if target > timeline[-1]:
        return ("pending", None, None)
    j = bisect.bisect_right(timeline, target) - 1
    if x[j] is None:
        return ("no_data", None, None)
    low = min([x[i]] + [v for v in x[i + 1:j + 1] if v is not None])
    return ("ok", x[j] / x[i] - 1, low / x[i] - 1)


def summary(x, points, days, episodes):
    results = [forward(x, i, days) for i in points]
    ok = [r for r in results if r[0] == "ok"]
    rets = sorted(r[1] for r in ok)
    n = len(rets)
    row = {"n": n, "pending": sum(r[0] == "pending" for r in results),
           "no_data": sum(r[0] == "no_data" for r in results)}
    if n:
        row.update(mean=sum(rets) / n, median=rets[n // 2] if n % 2 else (rets[n // 2 - 1] + rets[n // 2]) / 2,
                   hit_rate=sum(r > 0 for r in rets) / n, worst=rets[0], max_drawdown=min(r[2] for r in ok))
    if episodes:  # a counted event at or past the previous episode's horizon end starts one
        count, end = 0, None
        for i, r in zip(points, results):
            if r[0] != "ok":
                continue
            if end is None or timeline[i] >= end:
                count += 1
            end = max(end or 0, timeline[i] + days * 86400)
        row["episodes"] = count
    return row, results


def compare(row, mine, where):
    for key, want in mine.items():
        got = row[key]
        good = close(got, want) if isinstance(want, float) else got == want
        check(good, f"{where} {key}: page {got}, computed {want}")
    if mine["n"] == 0:
        for key in ("mean", "median", "hit_rate", "worst", "max_drawdown"):
            check(row[key] is None, f"{where} {key}: page {row[key]}, expected null")


index = {t: i for i, t in enumerate(timeline)}


def day(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d")


# Markers and listed events: every event's date is a marker; the triangle sits at the first
# charted series' value; the listed events are the first and last DETAIL_LIMIT / 2.
for rule in block["rules"]:
    times = instants(rule["markers"])
    check(times == sorted(times), f"{rule['name']}: markers out of order")
    first = rule["chart"]["series"][0]["name"]
    check(decode(rule["markers"]["y"]) == [values[first][index[t]] for t in times], f"{rule['name']}: marker heights")
    n, half = len(times), DETAIL_LIMIT // 2
    want = [k for k in range(n) if k < half or k >= n - half]
    check([e["k"] for e in rule["events"]] == want, f"{rule['name']}: listed events")
    check(all(e["date"] == day(times[e["k"]]) for e in rule["events"]), f"{rule['name']}: listed dates")

compared = 0
for rule in block["rules"]:
    points = [index[t] for t in instants(rule["markers"])]
    listed = [e["k"] for e in rule["events"]]
    for w in rule["watch"]:
        x = values[w["series"]]
        for k, days in enumerate(horizons):
            mine, results = summary(x, points, days, True)
            compare(w["rows"][k], mine, f"rule {rule['name']!r} watch {w['series']} {days}d")
            check(len(w["event_returns"]) == len(listed) == len(w["event_drawdowns"]), f"{rule['name']}: per-event rows")
            for e, pos in enumerate(listed):
                r = results[pos]
                got_ret, got_dd = w["event_returns"][e][k], w["event_drawdowns"][e][k]
                if r[0] != "ok":
                    check(got_ret is None and got_dd is None, f"{rule['name']} event {e} {days}d: not null")
                else:
                    check(abs(got_ret - r[1]) <= 5e-7 and abs(got_dd - r[2]) <= 5e-7,
                          f"{rule['name']} event {e} {days}d: {got_ret} {got_dd} vs {r[1]} {r[2]}")
            compared += 1
for name, baseline in block["baselines"].items():
    for k, days in enumerate(horizons):
        mine, _ = summary(values[name], range(len(timeline)), days, False)
        compare(baseline["rows"][k], mine, f"baseline {name} {days}d")
        compared += 1

check(compared >= 15, f"only {compared} tables compared")
for f in failures[:40]:
    print("FAIL:", f)
print(f"{checks} checks, {len(failures)} failed, {compared} forward-return rows computed from the CSVs")
sys.exit(1 if failures else 0)
