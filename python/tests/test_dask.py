"""sluice.dask.run_universe on a real distributed.LocalCluster (two worker processes): its
events equal the serial run's exactly, with and without cross-sectional operators, with
members that start late, stop early, have gaps and tie; plus a case checked by hand.

Skipped when dask/distributed are not importable (Debian: python3-dask python3-distributed).
"""
import functools
import os

import numpy as np
import pandas as pd
import pytest

distributed = pytest.importorskip("distributed", reason="distributed (python3-distributed) is not installed")

import sluice  # noqa: E402
import sluice.dask  # noqa: E402

MEMBERS = ["s0", "s1", "s2", "s3", "s4", "s5", "s6"]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=":0", host="127.0.0.1")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def write_csv(folder, name, series):
    series = series.dropna()
    with open(os.path.join(folder, f"{name}.csv"), "w") as f:
        f.write("date,close\n")
        for t, v in series.items():
            f.write(f"{t:%Y-%m-%d},{v!r}\n")


def csv_loader(folder):
    # str.format pickles by reference on every worker (a test-module function would not:
    # the workers cannot import this file).
    return functools.partial(str.format, os.path.join(folder, "{}.csv"))


@pytest.fixture(scope="module")
def universe_data(tmp_path_factory):
    """Seven members on business days (random walks; s3 also on weekends, so a part without
    s3 sees fewer points than the whole run) and btc on every calendar day."""
    folder = str(tmp_path_factory.mktemp("universe"))
    rng = np.random.default_rng(21)
    days = pd.bdate_range("2023-01-02", periods=260)
    walks = {}
    for k, name in enumerate(MEMBERS):
        index = pd.date_range(days[0], days[-1]) if name == "s3" else days
        walks[name] = pd.Series(100 * np.exp(np.cumsum(rng.normal(0.0005 * k, 0.02, len(index)))), index=index)
    walks["s2"].iloc[:40] = np.nan        # starts late
    walks["s4"].iloc[100:130] = np.nan    # a gap longer than its staleness: absent there
    walks["s5"].iloc[200:] = np.nan       # stops early
    walks["s6"].iloc[60:160] = walks["s1"].iloc[60:160]  # ties with s1 (listed first)
    for name, s in walks.items():
        write_csv(folder, name, s)
    calendar = pd.date_range("2023-01-01", "2024-01-10", freq="D")
    write_csv(folder, "btc", pd.Series(20000 * np.exp(np.cumsum(rng.normal(0, 0.03, len(calendar)))), index=calendar))
    return folder


RANKED = """
rule "lead": for each coin in alts when rank(pct(coin, 10 bars)) == 1 and coin above sma(coin, 20 bars) then watch coin and alert "{coin.name} leads"
rule "top": for each coin in alts when top 2 of alts by pct(coin, 20d) and breadth(alts, coin above sma(coin, 20 bars)) > 0.5 then watch coin
rule "middle": for each coin in alts when pct(coin, 5 bars) > mean(alts, pct(coin, 5 bars)) and pct(coin, 5 bars) < median(alts, pct(coin, 5 bars)) then watch coin
btc crosses above sma(btc, 30 bars) then watch btc
"""

PLAIN = """
for each coin in alts when coin hits new high over 30 bars and coin above sma(coin, 10 bars) then watch coin and alert "{coin.name} at a 30-bar high"
"""


def serial_program_run(rules, folder):
    """Program.run over every series, the universe declared in the text: the package's own
    serial path (Program() compiles a universe program before its members' data is given)."""
    text = rules + "universe alts = " + ", ".join(MEMBERS) + "\n"
    return sluice.compile(text).run(os.path.join(folder))


def check_equal(got, want):
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_exact=True)


def test_ranked_universe_equals_serial_run(client, universe_data):
    loader = csv_loader(universe_data)
    want = sluice.dask.run_serial(RANKED, MEMBERS, loader)
    # Every rule fires, members tie and go missing: the comparison has something to compare.
    fired = {str(r).split("[")[0] for r in want["rule"]}
    assert {"lead", "top", "middle"} <= fired, fired
    assert len(want) > 50
    # Ranks within each part alone differ from the whole universe's.
    assert separately(RANKED, loader, 3) != sorted((t, str(r)) for t, r in zip(want["time"], want["rule"]))
    for chunk in (3, 1, 7):
        got = sluice.dask.run_universe(client, RANKED, MEMBERS, loader, chunk_size=chunk)
        check_equal(got, want)
    check_equal(got, serial_program_run(RANKED, universe_data))


def separately(rules, loader, size):
    """Each run of `size` members evaluated alone (its own timeline, its own ranks)."""
    parts = [sluice.dask.run_serial(rules, MEMBERS[i:i + size], loader) for i in range(0, len(MEMBERS), size)]
    return sorted((t, str(r)) for frame in parts for t, r in zip(frame["time"], frame["rule"]))


def test_universe_without_cross_sections_equals_serial_run(client, universe_data):
    loader = csv_loader(universe_data)
    want = sluice.dask.run_serial(PLAIN, MEMBERS, loader)
    assert len(want) > 10
    # Parts on their own timelines would not do: `30 bars` counts the whole run's points.
    assert separately(PLAIN, loader, 2) != sorted((t, str(r)) for t, r in zip(want["time"], want["rule"]))
    got = sluice.dask.run_universe(client, PLAIN, MEMBERS, loader, chunk_size=2)
    check_equal(got, want)
    # start/end cut the report and the timeline as Program.run's do.
    got = sluice.dask.run_universe(client, PLAIN, MEMBERS, loader, start="2023-06-01", end="2023-10-31")
    check_equal(got, sluice.dask.run_serial(PLAIN, MEMBERS, loader, start="2023-06-01", end="2023-10-31"))


def test_rank_and_breadth_by_hand(client, tmp_path):
    # x, y, z over four days; z has no data on the first (absent, not zero), all three tie
    # on the second (x is listed first), x's last value is carried to day 4 (not stale).
    days = pd.date_range("2024-01-01", periods=4)
    write_csv(tmp_path, "x", pd.Series([1.0, 3.0, 3.0, np.nan], index=days))
    write_csv(tmp_path, "y", pd.Series([2.0, 3.0, 1.0, 5.0], index=days))
    write_csv(tmp_path, "z", pd.Series([np.nan, 3.0, 4.0, 4.0], index=days))
    rules = ('rule "first": for each s in u when rank(s) == 1 then watch s\n'
             'rule "wide": for each s in u when breadth(u, s > 2) > 0.6 and rank(s) == 1 then watch s\n')
    got = sluice.dask.run_universe(client, rules, ["x", "y", "z"], csv_loader(str(tmp_path)), chunk_size=1)
    rows = [(t.strftime("%m-%d"), str(r)) for t, r in zip(got["time"], got["rule"])]
    # breadth(u, s > 2): day 1 0/2, day 2 3/3, day 3 2/3, day 4 3/3.
    assert rows == [("01-01", "first[y]"),
                    ("01-02", "first[x]"), ("01-02", "wide[x]"),
                    ("01-03", "first[z]"), ("01-03", "wide[z]"),
                    ("01-04", "first[y]"), ("01-04", "wide[y]")]


def event_starts(frame):
    """Where each event's rows begin in a values="long" frame (an event is one (time, rule))."""
    times = frame["time"].to_numpy()
    rules = frame["rule"].cat.codes.to_numpy()
    return np.flatnonzero(np.r_[True, (times[1:] != times[:-1]) | (rules[1:] != rules[:-1])])


def test_long_values_hold_the_wide_frames_events_and_values(client, universe_data):
    loader = csv_loader(universe_data)
    wide = sluice.dask.run_serial(RANKED, MEMBERS, loader)
    got = sluice.dask.run_universe(client, RANKED, MEMBERS, loader, chunk_size=3, values="long")
    assert list(got.columns) == ["time", "rule", "actions", "alert", "value_name", "value"]
    starts = event_starts(got)
    # The events, in the same order, with the same rule, actions and alert columns.
    check_equal(got.iloc[starts][["time", "rule", "actions", "alert"]], wide[["time", "rule", "actions", "alert"]])
    # Each long row is a cell of the wide frame: its event's row, its value's column.
    event = np.cumsum(np.isin(np.arange(len(got)), starts)) - 1
    named = got["value_name"].notna().to_numpy()
    assert named.all()  # every rule here carries values
    for column in got["value_name"].cat.categories:
        mine = (got["value_name"] == column).to_numpy()
        np.testing.assert_array_equal(got["value"].to_numpy()[mine], wide[column].to_numpy()[event[mine]])
    # ... and every value the wide frame holds is a long row.
    assert wide[list(got["value_name"].cat.categories)].notna().to_numpy().sum() == got["value"].notna().sum()
    assert len(got["value_name"].cat.categories) == len(wide.columns) - 4


def test_long_values_of_events_with_none_and_with_several(client, tmp_path):
    # "on" reads no series: its event has no values and keeps one row (value_name NaN);
    # "over" reads s and b: two rows per event, in the rule's value order.
    days = pd.date_range("2024-01-01", periods=3)
    for name, values in {"x": [1.0, 2.0, 3.0], "y": [3.0, 2.0, 1.0], "b": [2.0, 2.0, 2.0]}.items():
        write_csv(tmp_path, name, pd.Series(values, index=days))
    rules = ('rule "up": for each s in u when rank(s) == 1 then watch s and alert "{s.name} first"\n'
             'rule "on": when 2 > 1 then alert "on"\n'
             'rule "over": for each s in u when s > b then watch s\n')
    loader = csv_loader(str(tmp_path))
    want = sluice.dask.run_serial(rules, ["x", "y"], loader)
    for chunk in (1, 2):
        check_equal(sluice.dask.run_universe(client, rules, ["x", "y"], loader, chunk_size=chunk), want)
    got = sluice.dask.run_universe(client, rules, ["x", "y"], loader, chunk_size=1, values="long")
    starts = event_starts(got)
    check_equal(got.iloc[starts][["time", "rule", "actions", "alert"]], want[["time", "rule", "actions", "alert"]])
    # By hand: y ranks first on day 1 (3 > 1), x from day 2 (a tie at 2, x listed first);
    # "on" fires once, when its condition first holds; y > b on day 1, x > b on day 3.
    rows = [(t.day, str(r), a, None if pd.isna(n) else n, None if np.isnan(v) else v)
            for t, r, a, n, v in zip(got["time"], got["rule"], got["alert"], got["value_name"], got["value"])]
    assert rows == [(1, "up[y]", "y first", "y", 3.0), (1, "on", "on", None, None),
                    (1, "over[y]", None, "y", 3.0), (1, "over[y]", None, "b", 2.0),
                    (2, "up[x]", "x first", "x", 2.0),
                    (3, "over[x]", None, "x", 3.0), (3, "over[x]", None, "b", 2.0)]


def test_exact_values_equal_the_serial_run(client, universe_data):
    loader = csv_loader(universe_data)
    want = sluice.dask.run_serial(PLAIN, MEMBERS, loader, exact=True)
    assert len(want) > 10
    got = sluice.dask.run_universe(client, PLAIN, MEMBERS, loader, chunk_size=3, exact=True)
    check_equal(got, want)
    long = sluice.dask.run_universe(client, PLAIN, MEMBERS, loader, chunk_size=3, exact=True, values="long")
    starts = event_starts(long)
    check_equal(long.iloc[starts][["time", "rule", "actions", "alert"]], want[["time", "rule", "actions", "alert"]])
    for row, (name, value) in enumerate(zip(long["value_name"], long["value"])):
        assert value == want[name].iloc[np.searchsorted(starts, row, side="right") - 1]


def test_refusals(client, universe_data):
    loader = csv_loader(universe_data)
    with pytest.raises(ValueError, match="do not declare"):
        sluice.dask.run_universe(client, "btc > 1 then watch btc\n", MEMBERS, loader)
    with pytest.raises(ValueError, match="exact=True"):
        sluice.dask.run_universe(client, RANKED, MEMBERS, loader, exact=True)
    with pytest.raises(ValueError, match="'wide' or 'long'"):
        sluice.dask.run_universe(client, PLAIN, MEMBERS, loader, values="tall")


def test_a_fraction_of_a_second_is_refused_not_merged(client, tmp_path):
    # The parts' shared timeline counts seconds: two ticks 250 ms apart would become one point.
    for name in ("x", "y"):
        with open(tmp_path / f"{name}.csv", "w") as f:
            f.write("date,close\n2024-01-02T10:00:00Z,1\n2024-01-02T10:00:00.250Z,2\n")
    rules = 'rule "first": for each s in u when rank(s) == 1 then watch s\n'
    with pytest.raises(sluice.DataError, match=r"whole seconds: the data has a point at 2024-01-02 10:00:00\.250"):
        sluice.dask.run_universe(client, rules, ["x", "y"], csv_loader(str(tmp_path)), chunk_size=1)
