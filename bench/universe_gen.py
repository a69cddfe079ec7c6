#!/usr/bin/python3
"""The universe benchmark's inputs (scripts/bench --universe, docs/performance.md):
SYMBOLS daily-bar CSVs (weekdays over YEARS years, log-normal random walks from a fixed
seed; one symbol in ten lists later, so the early cross-sections have members absent) and
a rule file of 50 `for each` rules over them, one with rank and one with breadth.

    universe_gen.py DIR [--symbols 5000] [--years 20]
writes DIR/data/sNNNN.csv and DIR/rules.sluice (skips the data when DIR/data is complete).
"""
import argparse
import datetime
import os

import numpy as np

RULES = [
    'rule "rank": for each s in u when rank(pct(s, 20 bars)) <= 10 and s above sma(s, 50 bars) '
    'then watch s',
    'rule "breadth": for each s in u when breadth(u, s above sma(s, 200 bars)) < 20% and '
    's crosses above sma(s, 20 bars) then watch s',
]
# Each rule fires rarely, as alerts do (a few times a year per symbol): 5,000 symbols
# firing on most bars would make the run about printing tens of millions of events.
WINDOWS = [50, 60, 80, 100, 120, 150, 180, 200, 250, 300, 400, 500]
SHAPES = [
    'when s crosses above sma(s, {w} bars) and pct(s, 20 bars) > 15% then watch s',
    'when s hits new high over {w} bars and s > 1.3 * sma(s, {w} bars) then watch s',
    'when s hits new low over {w} bars and s < 0.7 * sma(s, {w} bars) then watch s',
    'when pct(s, {w} bars) > 60% then watch s',
]


def rules():
    out = list(RULES)
    k = 0
    while len(out) < 50:
        shape = SHAPES[k % len(SHAPES)]
        w = WINDOWS[(k // len(SHAPES)) % len(WINDOWS)]
        out.append(f'rule "r{len(out) + 1:02}": for each s in u ' + shape.format(w=w))
        k += 1
    return "\n".join(out) + "\n"


def weekdays(years):
    day = datetime.date(2005, 1, 3)
    end = day.replace(year=day.year + years)
    out = []
    while day < end:
        if day.weekday() < 5:
            out.append(day.isoformat())
        day += datetime.timedelta(days=1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--symbols", type=int, default=5000)
    ap.add_argument("--years", type=int, default=20)
    a = ap.parse_args()
    data = os.path.join(a.dir, "data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(a.dir, "rules.sluice"), "w") as f:
        f.write(rules())
    dates = weekdays(a.years)
    done = os.path.join(data, ".complete")
    stamp = f"{a.symbols} {a.years}\n"
    if os.path.exists(done) and open(done).read() == stamp:
        return
    for name in os.listdir(data):
        os.remove(os.path.join(data, name))
    rng = np.random.default_rng(21)
    n = len(dates)
    for i in range(a.symbols):
        steps = rng.normal(0.0003, 0.02, n)
        prices = 50 * np.exp(np.cumsum(steps))
        first = int(rng.integers(0, n // 2)) if i % 10 == 9 else 0
        lines = [f"{dates[t]},{prices[t]:.4f}" for t in range(first, n)]
        with open(os.path.join(data, f"s{i:04}.csv"), "w") as f:
            f.write("date,close\n" + "\n".join(lines) + "\n")
    with open(done, "w") as f:
        f.write(stamp)


if __name__ == "__main__":
    main()
