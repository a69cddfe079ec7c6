"""Events checked against pandas computing the same rule on an in-memory fixture (an
independent method: docs/semantics.md's definitions written with shift and rolling)."""
import numpy as np
import pandas as pd
import pytest

import sluice


@pytest.fixture()
def prices():
    # Deterministic noisy waves around 100 and 50 that cross them many times.
    rng = np.random.default_rng(7)
    index = pd.date_range("2020-01-01", periods=600, freq="D")
    t = np.arange(len(index))
    x = 100 + 10 * np.sin(t / 15) + rng.normal(0, 1.5, len(index))
    y = 50 + 5 * np.sin(t / 23) + rng.normal(0, 1.0, len(index))
    return pd.DataFrame({"x": x, "y": y}, index=index)


def test_breaks_matches_pandas_crossings(prices):
    program = sluice.compile('x breaks 100 then alert "x at {x}"')
    events = program.run(prices)
    # docs/semantics.md: `x breaks 100` is x > 100 now and x <= 100 at the previous point.
    x = prices["x"]
    crossings = x.index[(x > 100) & (x.shift(1) <= 100)]
    assert len(crossings) > 5
    assert list(events["time"]) == list(crossings)
    assert events["time"].dtype == "datetime64[ns]"
    assert isinstance(events["rule"].dtype, pd.CategoricalDtype)
    assert list(events["rule"].cat.categories) == program.rules
    np.testing.assert_array_equal(events["x"].to_numpy(), x[crossings].to_numpy())
    # Alert numbers print with 10 significant digits (format_number, interpreter/number.hpp).
    assert list(events["alert"]) == [f"x at {v:.10g}" for v in x[crossings]]


def test_rises_over_window_and_start_end_match_pandas(prices):
    program = sluice.compile("rule \"up\":\n  when x rises over 10d and y below 50\n  then watch x")
    start, end = "2020-03-01", "2021-03-01"
    events = program.run(prices, start=start, end=end)
    # `x rises over 10d`: x(t) > x(t - 10 days); a rule fires when its condition becomes true
    # (true now, not true at the previous point).
    x, y = prices["x"], prices["y"]
    cond = (x > x.shift(10)) & (y < 50)
    fired = cond & ~cond.shift(1, fill_value=False)
    expected = fired.index[fired & (fired.index >= start) & (fired.index <= end)]
    assert len(expected) > 3
    assert list(events["time"]) == list(expected)
    assert set(events["actions"]) == {"watch x"}


def test_nan_is_no_observation(prices):
    # A NaN cell is no observation: the as-of value is the previous one, so a series with
    # holes gives the events of the same series with the holes forward-filled.
    holes = prices.copy()
    holes.iloc[::7, 0] = np.nan
    filled = holes.ffill()
    program = sluice.compile("x breaks 100 then watch x")
    a = program.run(holes)
    b = program.run(filled)
    pd.testing.assert_frame_equal(a, b)


def test_catalogue_lag_and_per_call_lags(prices):
    # `tga` is catalogued with a 1-day publication lag (docs/data.md: FRED's Wednesday TGA is
    # published on Thursday): read as of t - 1d, each crossing pandas finds is seen a day
    # late (one on the last day is not seen at all). lags={"tga": "0d"} reads it on the day,
    # over the catalogue and over a `set lag` in the rules.
    frame = prices.rename(columns={"x": "tga"})
    t = frame["tga"]
    day = pd.Timedelta(days=1)
    on_the_day = list(t.index[(t > 100) & (t.shift(1) <= 100)])
    day_late = [c + day for c in on_the_day if c + day <= t.index[-1]]
    assert len(on_the_day) > 5

    program = sluice.compile("tga breaks 100 then watch tga")
    assert list(program.run(frame)["time"]) == day_late
    assert list(program.run(frame, lags={"tga": "0d"})["time"]) == on_the_day
    set_in_text = sluice.compile("set lag tga 3d\ntga breaks 100 then watch tga")
    assert list(set_in_text.run(frame, lags={"TGA": 0})["time"]) == on_the_day
    assert list(set_in_text.run(frame, lags={"tga": "1d"})["time"]) == day_late

    # stats, explain and stream take the same lags.
    with pytest.warns(sluice.SluiceWarning, match="fewer than 30 events"):
        table = program.stats(frame, horizons="30d", lags={"tga": "0d"})
    assert list(table.attrs["events"]["time"]) == on_the_day
    first = on_the_day[0]
    assert "did not fire" in program.explain(frame, "1", first)
    assert "did not fire" not in program.explain(frame, "1", first, lags={"tga": "0d"})
    for data, lags, expected in ((frame, None, day_late), (frame, {"tga": "0d"}, on_the_day),
                                 (None, None, day_late), (None, {"tga": "0d"}, on_the_day)):
        session = program.stream(data, lags=lags)
        session.push_data(frame)
        session.finish()
        assert list(session.events["time"]) == expected, (data is None, lags)


def test_lags_name_unknown_series(prices):
    program = sluice.compile("x breaks 100 then watch x")
    with pytest.raises(ValueError, match=r"lags: no series named 'tgaa' in the data or the rules \(series: x, y\)"):
        program.run(prices, lags={"tgaa": "0d"})
    with pytest.raises(ValueError, match="lags: no series named 'z'"):
        program.stream(lags={"z": "1d"})
    with pytest.raises(ValueError, match="period 'soon'"):
        program.run(prices, lags={"x": "soon"})
    with pytest.raises(TypeError, match="lags must be a mapping"):
        program.run(prices, lags=["x"])
