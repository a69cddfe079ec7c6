"""Millisecond times: ticks a fraction of a second apart are separate observations and
points, from DataFrames, dicts, sessions and CSV files, and the events keep their
milliseconds. The expected times are written by hand; the CLI is the independent check."""
import numpy as np
import pandas as pd
import pytest

import sluice

from conftest import cli_jsonl

T0 = pd.Timestamp("2021-01-04 09:30:00")
MS = pd.Timedelta(milliseconds=1)
# x crosses 1 upwards at +250 ms and at +750 ms: two events 500 ms apart, in one second.
X = [0.0, 2.0, 0.0, 2.0]
TIMES = [T0, T0 + 250 * MS, T0 + 500 * MS, T0 + 750 * MS]
EXPECTED = [T0 + 250 * MS, T0 + 750 * MS]
RULES = "x breaks 1 then watch x"


def frame():
    return pd.DataFrame({"x": X, "y": [5.0, 6.0, 7.0, 8.0]}, index=pd.DatetimeIndex(TIMES))


def test_a_frame_on_one_index_keeps_milliseconds():
    # Two columns: the shared-index path (the index converted once for both series).
    events = sluice.compile(RULES).run(frame())
    assert list(events["time"]) == EXPECTED
    assert events["time"].dtype == "datetime64[ns]"


def test_a_single_series_keeps_milliseconds():
    events = sluice.compile(RULES).run({"x": frame()["x"]})
    assert list(events["time"]) == EXPECTED


def test_start_and_end_to_the_millisecond():
    program = sluice.compile(RULES)
    assert list(program.run(frame(), start=T0 + 251 * MS)["time"]) == [T0 + 750 * MS]
    assert list(program.run(frame(), end=T0 + 749 * MS)["time"]) == [T0 + 250 * MS]
    with pytest.raises(ValueError, match=r"start: the time 2021-01-04 09:30:00.250 \+ 0.000001 s "
                                         r"has a fraction of a millisecond"):
        program.run(frame(), start=T0 + 250 * MS + pd.Timedelta(microseconds=1))


def test_session_ticks_250_ms_apart():
    program = sluice.compile(RULES)
    s = program.stream(stale={"x": "1d"})
    for t, v in zip(TIMES, X):
        assert s.push("x", t, v) == "accepted"
        s.advance_to(t)
    assert s.points == 4
    assert list(s.events["time"]) == EXPECTED
    assert s.clock == T0 + 750 * MS
    # The same millisecond again is late, not a new point; half a millisecond is refused.
    with pytest.warns(sluice.SluiceWarning, match="late"):
        s.push("x", T0 + 750 * MS, 0.0)
    with pytest.raises(ValueError, match=r"push: the time 2021-01-04 09:30:00.751 \+ 0.0005 s has a "
                                         r"fraction of a millisecond"):
        s.push("x", T0 + 751.5 * MS, 0.0)
    with pytest.raises(ValueError, match="advance_to: .* fraction of a millisecond"):
        s.advance_to(T0 + 751.5 * MS)


def test_session_push_data_equals_batch_to_the_millisecond():
    program = sluice.compile(RULES)
    s = program.stream(frame())
    s.push_data(frame())
    s.finish()
    pd.testing.assert_frame_equal(s.events, program.run(frame()), check_categorical=False)


def test_stats_returns_keep_milliseconds():
    table = sluice.compile(RULES).stats(frame(), horizons=["1d"])
    assert list(table.attrs["returns"]["time"]) == EXPECTED


def test_event_ids_of_millisecond_events_differ():
    program = sluice.compile(RULES)
    ids = program.event_ids(program.run(frame()))
    assert len(set(ids)) == 2


def write_csv(path):
    # Fractional seconds as a feed writes them; the reader keeps three digits.
    with open(path, "w") as f:
        f.write("date,value\n")
        for t, v in zip(TIMES, X):
            f.write(f"{t.strftime('%Y-%m-%d %H:%M:%S')}.{t.microsecond // 1000:03d},{v}\n")


def test_read_csv_keeps_milliseconds(tmp_path):
    path = tmp_path / "x.csv"
    write_csv(path)
    series = sluice.read_csv(str(path))
    assert list(series.index) == TIMES
    assert list(series) == X


def test_events_agree_with_the_cli_to_the_millisecond(tmp_path, sluice_binary):
    data = tmp_path / "data"
    data.mkdir()
    write_csv(data / "x.csv")
    rules = tmp_path / "r.sluice"
    rules.write_text(RULES + "\n")
    cli = cli_jsonl(sluice_binary, str(rules), "--data", str(data))
    ours = sluice.compile(RULES).run(str(data))
    assert [row["date"] for row in cli] == ["2021-01-04 09:30:00.250", "2021-01-04 09:30:00.750"]
    assert [pd.Timestamp(row["date"]) for row in cli] == list(ours["time"]) == EXPECTED


def test_fraction_of_a_millisecond_in_a_frame_is_refused():
    bad = frame()
    bad.index = bad.index + pd.to_timedelta([0, 0, 0, 500], unit="us")
    with pytest.raises(sluice.DataError, match=r"series 'x'.*index 3 \(2021-01-04 09:30:00.750 .*"
                                               r"fraction of a millisecond"):
        sluice.compile(RULES).run(bad)
    with pytest.raises(sluice.DataError, match=r"series 'x'.*index 3 .*fraction of a millisecond"):
        sluice.compile(RULES).run({"x": bad["x"]})
