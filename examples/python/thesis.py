#!/usr/bin/python3
"""The liquidity-rotation thesis in a notebook-style script: pandas in, events and forward
returns out (docs/python.md).

    PYTHONPATH=build/python /usr/bin/python3 examples/python/thesis.py [examples/data]

Loads the example data (Yahoo and FRED file formats) with pandas, runs
examples/rotation.sluice over it, prints the events per rule, the forward-return table and
why one rule did not fire on a date, and plots the Russell 2000 with the rule firings when
matplotlib is installed (saved to thesis.png).
"""
import os
import sys

import pandas as pd

import sluice

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)


def load(path):
    """One price series from a Yahoo (Date, ..., Close, ...) or FRED (DATE, VALUE) file."""
    frame = pd.read_csv(path, index_col=0, parse_dates=True, na_values=["."])
    column = "Close" if "Close" in frame.columns else frame.columns[0]
    return frame[column].astype(float)


def main():
    data_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(EXAMPLES, "data")
    # In [1]: one DataFrame, one column per series (weekly tga leaves NaN = no observation).
    market = pd.DataFrame({os.path.splitext(f)[0]: load(os.path.join(data_dir, f))
                           for f in sorted(os.listdir(data_dir)) if f.endswith(".csv")})
    print(f"{len(market)} days, {market.index[0]:%Y-%m-%d} .. {market.index[-1]:%Y-%m-%d}, "
          f"series: {', '.join(market.columns)}\n")

    # In [2]: compile the thesis and run it.
    with open(os.path.join(EXAMPLES, "rotation.sluice")) as f:
        thesis = sluice.compile(f.read(), "rotation.sluice")
    events = thesis.run(market)
    print("events per rule:")
    print(events["rule"].value_counts(sort=False).to_string(), "\n")

    # In [3]: did the thesis pay? Forward returns of the watched series after each rule.
    stats = thesis.stats(market, horizons=["30d", "90d"])
    with pd.option_context("display.width", 140, "display.max_colwidth", 40):
        print(stats[["rule", "watch", "horizon", "count", "mean", "hit_rate"]].round(4).to_string(), "\n")

    # In [4]: why did the short-form rule not fire on this date?
    print(thesis.explain(market, "risk-on rotation", "2021-01-05"))

    # In [5]: a chart, when matplotlib is there.
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart")
        return
    ax = market["russell"].plot(figsize=(10, 4), title="Russell 2000 and the rotation rules' firings")
    for rule, group in events.groupby("rule", observed=True):
        ax.scatter(group["time"], market["russell"].reindex(group["time"]), s=12, label=rule[:40])
    ax.legend(fontsize=7)
    plt.tight_layout()
    plt.savefig("thesis.png", dpi=100)
    print("chart: thesis.png")


if __name__ == "__main__":
    main()
