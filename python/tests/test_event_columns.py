"""How events become columns, and how a DataFrame's columns share its index on the way in.
Expected events are worked out by hand from the small series below."""
import numpy as np
import pandas as pd
import pytest

import sluice
from sluice import _data

RULES = ('rule "zeta": when x breaks 1 then watch x\n'
         'rule "alpha": when x breaks 5 then watch x\n'
         'rule "mid": when y breaks 1 then watch y\n')


def frame(x, y, start="2021-01-01"):
    index = pd.date_range(start, periods=len(x), freq="D")
    return pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)}, index=index)


def own_index(series):
    """The series on an index object of its own (not shared with its frame's other columns)."""
    return pd.Series(series.to_numpy(), index=series.index.copy(), name=series.name)


def test_rule_codes_are_rule_positions_and_values_are_per_rule():
    program = sluice.compile(RULES)
    assert program.rules == ["zeta", "alpha", "mid"]
    events = program.run(frame([0, 2, 0, 6], [0, 0, 2, 2]))
    # x goes above 1 on days 1 and 3 and above 5 on day 3; y goes above 1 on day 2.
    days = (events["time"] - pd.Timestamp("2021-01-01")).dt.days.tolist()
    got = sorted(zip(days, events["rule"].astype(str), events["actions"].astype(str)))
    assert got == [(1, "zeta", "watch x"), (2, "mid", "watch y"), (3, "alpha", "watch x"),
                   (3, "zeta", "watch x")]
    # The categories are the program's rules in file order, whichever fired first.
    assert list(events["rule"].cat.categories) == ["zeta", "alpha", "mid"]
    assert [list(events["rule"].cat.categories).index(str(r)) for r in events["rule"]] == \
        events["rule"].cat.codes.tolist()
    # Each rule's events carry the series its condition read; other columns are NaN.
    by_rule = {(d, str(r)): (x, y) for d, r, x, y in zip(days, events["rule"], events["x"], events["y"])}
    assert by_rule[(1, "zeta")][0] == 2 and np.isnan(by_rule[(1, "zeta")][1])
    assert by_rule[(3, "alpha")][0] == 6 and np.isnan(by_rule[(3, "alpha")][1])
    assert np.isnan(by_rule[(2, "mid")][0]) and by_rule[(2, "mid")][1] == 2


def test_exact_mode_columns_follow_the_same_rules():
    events = sluice.compile(RULES, exact=True).run(frame([0, 2, 0, 6], [0, 0, 2, 2]))
    assert list(events["rule"].cat.categories) == ["zeta", "alpha", "mid"]
    values = {str(r): (x, y) for r, x, y in zip(events["rule"], events["x"], events["y"])
              if str(r) != "zeta"}
    assert str(values["alpha"][0]) == "6" and values["alpha"][1] is None
    assert values["mid"][0] is None and str(values["mid"][1]) == "2"


def test_frame_columns_on_one_index_equal_separate_series():
    # A DataFrame's columns share its index (converted once); separate Series each have their
    # own. NaN is "no observation" in that column only.
    data = frame([0, 2, np.nan, 0, 6, 0, 3], [0, 0, 2, 2, np.nan, 0, 2])
    # The frame's columns get one times array (the core converts it once); own_index's don't.
    from_frame = _data.series_of(data)
    assert from_frame["x"][0] is from_frame["y"][0]
    from_series = _data.series_of({"x": own_index(data["x"]), "y": own_index(data["y"])})
    assert from_series["x"][0] is not from_series["y"][0]
    program = sluice.compile(RULES)
    shared = program.run(data)
    separate = program.run({"x": own_index(data["x"].dropna()), "y": own_index(data["y"].dropna())})
    pd.testing.assert_frame_equal(shared, separate)
    # x: 0 2 . 0 6 0 3 breaks 1 on days 1, 4 (from 0 on day 3) and 6, 5 on day 4;
    # y: 0 0 2 2 . 0 2 breaks 1 on days 2 and 6.
    days = (shared["time"] - pd.Timestamp("2021-01-01")).dt.days.tolist()
    assert sorted(zip(days, shared["rule"].astype(str))) == [
        (1, "zeta"), (2, "mid"), (4, "alpha"), (4, "zeta"), (6, "mid"), (6, "zeta")]


def test_fraction_of_a_millisecond_on_a_shared_index_names_the_first_series():
    data = frame([0, 2, 0], [0, 0, 2])
    data.index = data.index + pd.to_timedelta([0, 0, 500_250], unit="us")
    with pytest.raises(sluice.DataError,
                       match=r"series 'x': the time at index 2 \(2021-01-03 00:00:00.500 \+ 0.00025 s\) "
                             r"has a fraction of a millisecond"):
        sluice.compile(RULES).run(data)


def test_bad_value_in_the_second_column_of_a_shared_index():
    data = frame([0, 2, 0], [0, np.inf, 2])
    with pytest.raises(sluice.DataError, match=r"series 'y': the value at index 1 \(2021-01-02\) is not finite"):
        sluice.compile(RULES).run(data)


def test_shared_index_before_1970():
    # Negative times: whole milliseconds are converted exactly, a fraction of one is refused.
    data = frame([0, 2, 0, 6], [0, 0, 2, 2], start="1969-12-30")
    program = sluice.compile(RULES)
    shared = program.run(data)
    separate = program.run({"x": own_index(data["x"]), "y": own_index(data["y"])})
    pd.testing.assert_frame_equal(shared, separate)
    assert sorted(zip(shared["time"].dt.strftime("%Y-%m-%d"), shared["rule"].astype(str))) == [
        ("1969-12-31", "zeta"), ("1970-01-01", "mid"), ("1970-01-02", "alpha"), ("1970-01-02", "zeta")]
    # 250 ms earlier, before 1970 for the first two: the same events, 250 ms earlier.
    data.index = data.index - pd.Timedelta(milliseconds=250)
    early = program.run(data)
    assert list(early["time"]) == list(shared["time"] - pd.Timedelta(milliseconds=250))
    pd.testing.assert_frame_equal(early, program.run({"x": own_index(data["x"]), "y": own_index(data["y"])}))
    data.index = data.index - pd.to_timedelta([0, 500, 0, 0], unit="us")
    with pytest.raises(sluice.DataError, match=r"series 'x': the time at index 1 \(1969-12-30 23:59:59.749 "
                                               r"\+ 0.0005 s\) has a fraction of a millisecond"):
        program.run(data)
