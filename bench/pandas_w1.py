#!/usr/bin/env python3
"""W1 in pandas, vectorised the way an analyst would write it (bench/, docs/performance.md).

    pandas_w1.py DIR [--reps R]

Prints `fires R<i> <count> <position sum>` per rule, then load/compute times and peak RSS.
"""
import resource
import sys
import time

import numpy as np
import pandas as pd


def load(directory):
    frames = []
    for name in ("russell", "spx", "tga", "alts"):
        s = pd.read_csv(f"{directory}/{name}.csv", index_col=0, parse_dates=True,
                        float_precision="round_trip")["value"]
        frames.append(s.rename(name))
    return pd.concat(frames, axis=1, join="outer").ffill()  # as-of: last value at or before t


def edges(cond):
    """Rising edges of a boolean series: true now, not true at the previous point."""
    prev = cond.shift(1, fill_value=False)
    fired = cond & ~prev
    pos = np.flatnonzero(fired.to_numpy())
    return len(pos), int(pos.sum())


def compute(df):
    russell, spx, tga, alts = df["russell"], df["spx"], df["tga"], df["alts"]
    n = len(df)
    idx = np.arange(n)
    out = []
    # R1 russell breaks 2600 and tga falls over 28 bars
    breaks = (russell > 2600) & (russell.shift(1) <= 2600)
    out.append(edges(breaks & (tga < tga.shift(28))))
    # R2 sma(spx, 50 bars) crosses above sma(spx, 200 bars)
    fast = spx.rolling(50).mean()
    slow = spx.rolling(200).mean()
    out.append(edges((fast > slow) & (fast.shift(1) <= slow.shift(1))))
    # R3 spx rises over 20 bars followed by russell outperforms spx over 20 bars within 60 bars
    rises = (spx > spx.shift(20)).to_numpy()
    outperforms = (russell / russell.shift(20) - 1) > (spx / spx.shift(20) - 1)
    last_rise = pd.Series(np.where(rises, idx, np.nan)).ffill().shift(1).to_numpy()
    followed = outperforms.to_numpy() & (idx - last_rise <= 60)  # NaN compares false
    out.append(edges(pd.Series(followed)))
    # R4 alts hits new high over 250 bars and zscore(russell, 100 bars) > 1
    prior_high = alts.shift(1).rolling(250).max()
    z = (russell - russell.rolling(100).mean()) / russell.rolling(100).std()
    out.append(edges((alts > prior_high) & (z > 1)))
    return out


def main():
    directory = sys.argv[1]
    reps = int(sys.argv[sys.argv.index("--reps") + 1]) if "--reps" in sys.argv else 3
    start = time.process_time()
    df = load(directory)
    load_s = time.process_time() - start
    best, result = float("inf"), None
    for _ in range(reps):
        start = time.process_time()
        result = compute(df)
        best = min(best, time.process_time() - start)
    for r, (count, total) in enumerate(result, 1):
        print(f"fires R{r} {count} {total}")
    size = sum(__import__("os").path.getsize(f"{directory}/{s}.csv")
               for s in ("russell", "spx", "tga", "alts"))
    print(f"points {len(df)}\nload_s {load_s:.6f}\nload_bytes {size}\ncompute_s {best:.6f}")
    print(f"rss_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")


if __name__ == "__main__":
    main()
