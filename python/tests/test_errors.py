"""Bad rule text and bad data: a clear Python exception or warning with a position, never a
crash. Expected positions are counted by hand from the texts below."""
import warnings

import numpy as np
import pandas as pd
import pytest

import sluice


def daily(values, start="2021-01-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), dtype=float)


def test_syntax_error_has_position():
    text = "rule \"ok\":\n  when x breaks 100\n  then watch x\n\nx breaks then watch x\n"
    with pytest.raises(sluice.CompileError) as info:
        sluice.compile(text, "mine.sluice")
    d = info.value.diagnostics[0]
    assert (d.file, d.line) == ("mine.sluice", 5)
    assert d.column == 10  # "x breaks " is 9 characters: the error is at `then`
    assert d.is_error
    assert str(info.value).startswith("mine.sluice:5:10: error:")
    assert "^" in d.rendered  # the caret line under the source line
    assert isinstance(info.value, ValueError)


def test_unknown_series_is_reported_when_data_arrives():
    program = sluice.compile("russel breaks 2600 then watch alts")  # a typo, found at run time
    with pytest.raises(sluice.CompileError) as info:
        program.run({"russell": daily([1, 2, 3]), "alts": daily([1, 2, 3])})
    d = info.value.diagnostics[0]
    assert (d.line, d.column) == (1, 1)
    assert "unknown series 'russel'" in d.message
    assert "did you mean 'russell'" in d.note


def test_missing_series_is_a_compile_error_with_position():
    program = sluice.compile("x breaks 1 and y falls then watch x")
    with pytest.raises(sluice.CompileError, match=r"1:16: error: unknown series 'y'"):
        program.run(pd.DataFrame({"x": daily([0, 2, 0, 2])}))


def test_unsorted_index_is_sorted_with_a_warning():
    s = daily([0, 2, 0, 2, 0, 2])
    program = sluice.compile("x breaks 1 then watch x")
    expected = program.run({"x": s})
    with pytest.warns(sluice.SluiceWarning, match="not in ascending order; sorted"):
        shuffled = program.run({"x": s.iloc[[3, 1, 5, 0, 2, 4]]})
    pd.testing.assert_frame_equal(shuffled, expected)
    assert len(expected) == 3


def test_repeated_dates_are_an_error():
    s = daily([0, 2, 0])
    s.index = pd.DatetimeIndex(["2021-01-01", "2021-01-02", "2021-01-01"])
    with pytest.raises(sluice.DataError, match="2021-01-01 00:00:00 appears more than once"):
        sluice.compile("x breaks 1 then watch x").run({"x": s})


def test_missing_date_in_index_is_an_error():
    s = daily([0, 2, 0])
    s.index = pd.DatetimeIndex(["2021-01-01", None, "2021-01-03"])
    with pytest.raises(sluice.DataError, match=r"series 'x': the index has a missing date \(NaT\) at position 1"):
        sluice.compile("x breaks 1 then watch x").run({"x": s})


def test_tz_aware_index():
    s = daily([0, 2, 0, 2])
    program = sluice.compile("x breaks 1 then watch x")
    ny = s.tz_localize("America/New_York")
    with pytest.raises(sluice.DataError, match="time zone America/New_York"):
        program.run({"x": ny})
    # UTC is Sluice's own zone: accepted as is.
    utc = program.run({"x": s.tz_localize("UTC")})
    pd.testing.assert_frame_equal(utc, program.run({"x": s}))


def test_object_dtype():
    program = sluice.compile("x breaks 1 then watch x")
    numbers_as_text = daily([0, 2, 0, 2]).astype(str).astype(object)
    assert len(program.run({"x": numbers_as_text})) == 2  # numeric text is read as numbers
    bad = numbers_as_text.copy()
    bad.iloc[2] = "n/a?"
    with pytest.raises(sluice.DataError, match=r"'n/a\?' at 2021-01-03 00:00:00 is not a number"):
        program.run({"x": bad})


def test_not_a_datetime_index_and_bad_containers():
    program = sluice.compile("x breaks 1 then watch x")
    with pytest.raises(sluice.DataError, match="must be a DatetimeIndex"):
        program.run({"x": pd.Series([0.0, 2.0])})
    with pytest.raises(TypeError, match="not list"):
        program.run([1, 2, 3])
    with pytest.raises(TypeError, match="series 'x': expected a pandas Series"):
        program.run({"x": [0, 2]})
    with pytest.raises(sluice.DataError, match=r"series 'x': the value at index 1 \(2021-01-02\) is not finite"):
        program.run({"x": daily([0, np.inf])})
    # Times are whole milliseconds: half a second is a time like any other, and a fraction
    # of a millisecond is refused with its place, never rounded.
    half = daily([0, 2, 0])
    half.index = half.index + pd.to_timedelta([0, 0, 500], unit="ms")
    assert len(program.run({"x": half})) == 1
    sub_ms = daily([0, 2, 0])
    sub_ms.index = sub_ms.index + pd.to_timedelta([0, 0, 500_250], unit="us")
    with pytest.raises(sluice.DataError,
                       match=r"the time at index 2 \(2021-01-03 00:00:00.500 \+ 0.00025 s\) has a fraction of a millisecond"):
        program.run({"x": sub_ms})


def test_columns_rules_cannot_name_are_left_out():
    # "Adj Close" and "2x" cannot appear in rule text, so a frame may carry them along.
    frame = pd.DataFrame({"x": daily([0, 2, 0, 2]), "Adj Close": daily([1, 2, 3, 4]),
                          "2x": ["a", "b", "c", "d"]})
    assert len(sluice.compile("x breaks 1 then watch x").run(frame)) == 2


def test_unknown_rule_and_bad_dates():
    program = sluice.compile("rule \"a\":\n  when x breaks 1\n  then watch x")
    data = {"x": daily([0, 2, 0, 2])}
    with pytest.raises(KeyError, match='no rule named "b"'):
        program.explain(data, "b")
    # As `sluice explain --rule`: a unique prefix or the rule's line also name it.
    assert program.explain(data, "A", "2021-01-02") == program.explain(data, "1", "2021-01-02")
    with pytest.raises(sluice.DataError, match="no data on or before 2020-01-01"):
        program.explain(data, "a", "2020-01-01")
    # Times are whole milliseconds, in run and in explain alike.
    assert len(program.run(data, start=pd.Timestamp("2021-01-02 00:00:00.5"))) == 1
    with pytest.raises(ValueError, match="fraction of a millisecond"):
        program.run(data, start=pd.Timestamp("2021-01-02 00:00:00.5000001"))
    with pytest.raises(ValueError, match="at: the time .* fraction of a millisecond"):
        program.explain(data, "a", pd.Timestamp("2021-01-02 00:00:00.5000001"))
    with pytest.raises(ValueError, match="period 'soon'"):
        program.stats(data, horizons=["soon"])


def test_missing_csv_file(tmp_path):
    program = sluice.compile("x breaks 1 then watch x")
    with pytest.raises(FileNotFoundError, match="no such file"):
        program.run({"x": str(tmp_path / "absent.csv")})


def test_files_only_under_root(examples):
    text = 'load btc from "btc.csv"\nbtc breaks 10000 then watch btc'
    with pytest.raises(sluice.CompileError, match=r"<rules>:1:1: error: 'load btc' reads a file"):
        sluice.compile(text)
    program = sluice.compile(text, root=f"{examples}/data")
    # The same events as handing the file over as data (btc.csv's Close column).
    direct = sluice.compile("btc breaks 10000 then watch btc").run({"btc": f"{examples}/data/btc.csv"})
    pd.testing.assert_frame_equal(program.run({}), direct)
    assert len(direct) > 0


def test_universe_program_compiles_before_its_members_data():
    # The members are series the data brings, like any unknown series: Program() compiles,
    # with one rule per member; data without a member is then refused, naming it.
    program = sluice.compile("for each s in U when rank(s) == 1 then watch s\nuniverse U = a, b, c\n")
    assert [r[-3:] for r in program.rules] == ["[a]", "[b]", "[c]"]
    days = pd.date_range("2024-01-01", periods=3)
    with pytest.raises(sluice.CompileError, match="'c'"):
        program.run({"a": pd.Series([1.0, 2, 3], days), "b": pd.Series([3.0, 2, 1], days)})
    # A slip that data cannot resolve is still an error at once.
    with pytest.raises(sluice.CompileError, match="unknown universe"):
        sluice.compile("for each s in V when rank(s) == 1 then watch s\nuniverse U = a, b\n")
