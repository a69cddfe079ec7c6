"""Streaming sessions against batch runs, and sluice.read_csv's load report."""
import os
import warnings

import pandas as pd
import pytest

import sluice


def test_session_equals_batch_run(examples):
    data_dir = os.path.join(examples, "data")
    with open(os.path.join(examples, "rotation.sluice")) as f:
        program = sluice.compile(f.read(), "rotation.sluice")
    batch = program.run(data_dir)
    session = program.stream(data_dir)  # the data sets each series' default staleness
    points = session.push_data(data_dir)
    session.finish()
    streamed = session.events
    assert points > 1000 and session.points == points
    assert len(streamed) == len(batch) > 20
    pd.testing.assert_frame_equal(streamed[batch.columns], batch, check_categorical=False)
    assert session.clock == batch["time"].max() or session.clock >= batch["time"].max()


def test_session_push_and_advance_by_hand():
    program = sluice.compile('x breaks 100 then alert "x {x}"')
    s = program.stream(stale={"x": "30d"})
    assert s.series == ["x"]
    assert s.push("x", "2021-01-01", 90.0) == "accepted"
    s.advance_to("2021-01-01")
    assert s.push("x", "2021-01-02", "101.5") == "accepted"  # decimal text
    s.advance_to("2021-01-02")
    with pytest.warns(sluice.SluiceWarning, match="late"):
        assert s.push("x", "2021-01-02", 50.0).startswith("late")
    with pytest.warns(sluice.SluiceWarning, match="unknown series"):
        s.push("y", "2021-01-03", 1.0)
    events = s.events
    assert list(events["time"]) == [pd.Timestamp("2021-01-02")]
    assert list(events["alert"]) == ["x 101.5"]
    assert s.clock == pd.Timestamp("2021-01-02")


def test_read_csv_and_load_report(tmp_path):
    path = tmp_path / "spx.csv"
    path.write_text("Date,Close\n2021-01-04,3700.65\n2021-01-05,oops\n2021-01-06,\n2021-01-07,3803.79\n")
    with pytest.warns(sluice.SluiceWarning) as caught:
        s = sluice.read_csv(path)
    # By hand: 4 data rows; line 3 has a bad number (rejected); line 4's date is used but
    # its empty cell is no observation.
    assert [str(w.message) for w in caught] == [f"{path}:3: " + s.attrs["load_report"].rejected[0][1]]
    assert "oops" in s.attrs["load_report"].rejected[0][1]
    report = s.attrs["load_report"]
    assert (report.rows_read, report.rows_used, report.missing_cells) == (4, 3, 1)
    assert report.rejected[0][0] == 3
    assert s.name == "spx" and s.index.name == "date"
    assert list(s.index) == [pd.Timestamp("2021-01-04"), pd.Timestamp("2021-01-07")]
    assert list(s) == [3700.65, 3803.79]


def test_read_csv_columns_and_failures(tmp_path, examples):
    btc = os.path.join(examples, "data", "btc.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean file raises no warning
        close = sluice.read_csv(btc)
        volume = sluice.read_csv(btc, "volume")
    assert close.iloc[0] == 434.18 and volume.iloc[0] == 72926081  # first row, by hand
    with pytest.raises(sluice.DataError, match="has no column 'nope'"):
        sluice.read_csv(btc, "nope")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(sluice.DataError, match="empty.csv"):
        sluice.read_csv(empty)


def test_real_data_file_quirks(real_data):
    # btc_2010_2024.csv: BOM, newest row first (SOURCES.md): sorted, and said so.
    path = os.path.join(real_data, "btc_2010_2024.csv")
    if not os.path.exists(path):
        pytest.skip(f"{path} is missing from the real data")
    with pytest.warns(sluice.SluiceWarning, match="descending"):
        s = sluice.read_csv(path)
    assert s.index.is_monotonic_increasing and s.index[0] == pd.Timestamp("2010-07-21")
    assert s.attrs["load_report"].rows_read == 4993


def test_push_data_warns_about_observations_not_taken():
    program = sluice.compile("x breaks 1 then watch x")
    s = program.stream()
    s.push("x", "2021-01-10", 0.0)
    s.advance_to("2021-01-10")
    # 01-09 and 01-10 are at or before the clock (late); 01-11 crosses above 1.
    early = pd.Series([2.0, 0.0, 2.0], index=pd.date_range("2021-01-09", periods=3, freq="D"))
    with pytest.warns(sluice.SluiceWarning, match=r"observations not taken: 2 late"):
        s.push_data({"x": early})
    assert list(s.events["time"]) == [pd.Timestamp("2021-01-11")]


def test_event_ids_equal_the_ids_sluice_watch_sends(examples, sluice_binary, tmp_path):
    """Program.event_ids against the `sluice watch` binary on the same rules and files: the
    watcher replays the whole history (a clock line far ahead completes every point) and
    prints each event with the id it would send as Idempotency-Key."""
    import json
    import subprocess

    rules = os.path.join(examples, "rotation.sluice")
    data_dir = os.path.join(examples, "data")
    with open(rules) as f:
        program = sluice.compile(f.read(), "rotation.sluice")
    events = program.run(data_dir, ids=True)
    assert list(events.columns[:2]) == ["event_id", "time"] and len(events) > 20
    out = subprocess.run([sluice_binary, "watch", rules, "--data", data_dir, "--replay-from", "1900-01-01",
                          "--now", "2100-01-01", "--quiet"],
                         input='{"clock":"2099-12-31"}\n', check=True, capture_output=True, text=True,
                         timeout=120).stdout
    watched = [json.loads(line) for line in out.splitlines() if line.strip()]
    watched = [w for w in watched if w.get("type") == "event"]
    assert [(w["date"], w["rule"], w["id"]) for w in watched] == [
        (t.strftime("%Y-%m-%d"), r, i) for t, r, i in zip(events["time"], events["rule"], events["event_id"])]
    # The ids are 32 hex digits, distinct, and the same from a second, separately built Program.
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in events["event_id"])
    assert events["event_id"].is_unique
    again = sluice.compile(open(rules).read(), "other-name.sluice")
    assert list(again.event_ids(events)) == list(events["event_id"])
    # A different rule text gives different ids for the same rule and time.
    changed = sluice.compile(open(rules).read() + "\n# a comment changes the text\n", "rotation.sluice")
    assert set(changed.event_ids(events)).isdisjoint(events["event_id"])
