"""The package against the `sluice` CLI on the same rules and files (an independent path:
the CLI reads the CSVs itself and prints jsonl). Events and stats must agree, in double and
in exact mode, on the synthetic examples and on the real public data."""
import math
import os
import subprocess
import warnings
from decimal import Decimal

import pytest

import sluice
from conftest import cli_jsonl

# Rules over real series (../shared/data/real), in the spirit of examples/rotation.sluice.
REAL_RULES = """\
rule "small caps break out":
  when russell crosses above sma(russell, 200d) and tga falls over 4w
  then watch btc for 90d and alert "Russell {russell} over its 200-day average"

rule "credit eases":
  when hy_spread narrows by 10% over 4w and spx rises over 4w
  then watch btc

btc hits new high over 1y then watch eth
"""
REAL_FILES = {  # series name -> file in the real data folder
    "russell": "rut_2016_2026.csv",
    "tga": "tga_2013_2024.csv",
    "hy_spread": "hy_oas.csv",
    "spx": "sp500.csv",
    "btc": "btc_coingecko.csv",
    "eth": "eth_coingecko.csv",
}


def event_records(frame, exact):
    """Program.run's DataFrame as the CLI's jsonl records (na values left out)."""
    fixed = ("time", "rule", "actions", "alert")
    out = []
    for row in frame.to_dict("records"):
        t = row["time"]
        values = {k: v for k, v in row.items()
                  if k not in fixed and v is not None and not (isinstance(v, float) and math.isnan(v))}
        out.append({
            "date": t.strftime("%Y-%m-%d") if (t.hour, t.minute) == (0, 0) else t.strftime("%Y-%m-%d %H:%M"),
            "rule": row["rule"],
            "actions": row["actions"].split("; ") if row["actions"] else [],
            "values": values,
            "messages": [] if row["alert"] is None else [row["alert"]],
        })
    return out


def assert_events_equal(ours, cli, exact):
    assert len(ours) == len(cli)
    for a, b in zip(ours, cli):
        assert a["date"] == b["date"]
        assert a["rule"] == b["rule"]
        assert a["actions"] == b["actions"]
        assert a["messages"] == (["; ".join(b["messages"])] if b["messages"] else [])
        # The CLI lists every value (null for na); the frame leaves na cells empty.
        cli_values = {k: v for k, v in b["values"].items() if v is not None}
        assert set(a["values"]) == set(cli_values)
        for name, v in cli_values.items():
            if exact:
                # jsonl prints the exact decimal text; json parsed it as a float, so compare
                # the Decimal's shortest float form.
                assert isinstance(a["values"][name], Decimal)
                assert float(a["values"][name]) == pytest.approx(v, rel=1e-15)
            else:
                assert a["values"][name] == pytest.approx(v, rel=1e-9)


def close(ours, theirs, key):
    if theirs is None:
        assert math.isnan(ours), key
    else:
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12), key


def assert_stats_equal(table, cli_rows, cli_returns):
    assert len(table) == len(cli_rows)
    for ours, theirs in zip(table.to_dict("records"), cli_rows):
        for key in ("rule", "watch", "horizon", "count", "pending", "no_data", "episodes"):
            assert ours[key] == theirs[key], key
        for key in ("mean", "median", "hit_rate", "worst", "max_drawdown", "max_runup"):
            close(ours[key], theirs[key], key)
    returns = table.attrs["returns"]
    assert len(returns) == len(cli_returns)
    for ours, theirs in zip(returns.to_dict("records"), cli_returns):
        assert ours["time"].strftime("%Y-%m-%d") == theirs["date"]
        for key in ("rule", "watch", "horizon", "status"):
            assert ours[key] == theirs[key], key
        for key in ("return", "max_drawdown", "max_runup"):
            close(ours[key], theirs[key], key)


def split(records):
    """The CLI's jsonl by type: events, stats rows, per-event returns."""
    kinds = {"event": [], "stats": [], "event_return": [], "warning": []}
    for r in records:
        kinds[r.pop("type")].append(r)
    return kinds["event"], kinds["stats"], kinds["event_return"], [w["message"] for w in kinds["warning"]]


@pytest.mark.parametrize("exact", [False, True], ids=["double", "exact"])
def test_examples_agree_with_cli(sluice_binary, examples, exact):
    rules_file = os.path.join(examples, "rotation.sluice")
    data_dir = os.path.join(examples, "data")
    args = [rules_file, "--data", data_dir, "--stats"] + (["--exact"] if exact else [])
    cli_events, cli_stats, cli_returns, cli_warnings = split(cli_jsonl(sluice_binary, *args))
    assert len(cli_events) > 20  # the examples fire every rule several times

    with open(rules_file) as f:
        program = sluice.compile(f.read(), rules_file, exact=exact)
    # The same files given three ways: a directory, a dict of paths, and pandas Series read
    # by sluice.read_csv, which must all give the CLI's events.
    paths = {os.path.splitext(n)[0]: os.path.join(data_dir, n) for n in os.listdir(data_dir)}
    series = {name: sluice.read_csv(p) for name, p in paths.items()}
    for data in (data_dir, paths, series):
        assert_events_equal(event_records(program.run(data), exact), cli_events, exact)
    with pytest.warns(sluice.SluiceWarning) as caught:
        table = program.stats(data_dir)
    assert [str(w.message) for w in caught] == cli_warnings
    assert_stats_equal(table, cli_stats, cli_returns)
    assert len(table.attrs["events"]) == len(cli_events)


@pytest.mark.parametrize("exact", [False, True], ids=["double", "exact"])
def test_real_data_agrees_with_cli(sluice_binary, real_data, tmp_path, exact):
    rules_file = tmp_path / "real.sluice"
    rules_file.write_text(REAL_RULES)
    paths = {name: os.path.join(real_data, f) for name, f in REAL_FILES.items()}
    for p in paths.values():
        if not os.path.exists(p):
            pytest.skip(f"{p} is missing from the real data")
    args = [str(rules_file), "--stats", "--from", "2018-01-01"] + (["--exact"] if exact else [])
    for name, p in paths.items():
        args += ["--series", f"{name}={p}"]
        # The package reads catalogued names with their publication lag whatever form the
        # data takes; the CLI does so for --data folders only, so --series gets it spelled out.
        lag = sluice._core.catalogue_lag(name)
        if lag is not None:
            args += ["--lag", f"{name}={lag[0]}{'mo' if lag[1] == 'months' else 'd'}"]
    cli_events, cli_stats, cli_returns, cli_warnings = split(cli_jsonl(sluice_binary, *args))
    assert cli_events, "the real-data rules should fire"

    program = sluice.compile(REAL_RULES, str(rules_file), exact=exact)
    ours = program.run(paths, start="2018-01-01")
    assert_events_equal(event_records(ours, exact), cli_events, exact)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = program.stats(paths, start="2018-01-01")
    assert [str(w.message) for w in caught] == cli_warnings
    assert_stats_equal(table, cli_stats, cli_returns)


def test_explain_is_the_cli_text(sluice_binary, examples):
    rules_file = os.path.join(examples, "rotation.sluice")
    data_dir = os.path.join(examples, "data")
    cli = subprocess.run([sluice_binary, "explain", rules_file, "--data", data_dir, "--rule",
                          "risk-on rotation", "--at", "2021-01-05"],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    with open(rules_file) as f:
        program = sluice.compile(f.read(), rules_file)
    text = program.explain(data_dir, "risk-on rotation", "2021-01-05")
    assert text == cli
    assert "did not fire" in text
    assert text._repr_html_().startswith("<pre>rule &quot;risk-on rotation&quot;")
    with pytest.raises(KeyError, match='no rule named "nope"'):
        program.explain(data_dir, "nope")
