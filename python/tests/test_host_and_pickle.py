"""Python host functions, pickling, and running from worker processes."""
import multiprocessing
import pickle

import numpy as np
import pandas as pd
import pytest

import sluice


def daily(values):
    return pd.Series(values, index=pd.date_range("2021-01-01", periods=len(values), freq="D"), dtype=float)


DATA = {"x": daily([90, 101, 99, 120, 80, 130, 50, 140])}


def double(v):
    return 2 * v


def mean_of(window):
    return float(np.mean(window))


def test_python_function_in_rules():
    # double(x) breaks 200 fires exactly where x breaks 100 does (checked against a rule
    # that does not call Python).
    hosted = sluice.compile("double(x) breaks 200 then watch x", functions={"double": double})
    plain = sluice.compile("x breaks 100 then watch x")
    a, b = hosted.run(DATA), plain.run(DATA)
    assert list(a["time"]) == list(b["time"])
    assert len(a) == 4


def test_python_window_function():
    # mean_of over a 2-bar window: (x(t-1) + x(t)) / 2, computed here by pandas.
    program = sluice.compile("mean_of(x) breaks 100 then watch x", functions={"mean_of": (mean_of, 2)})
    events = program.run(DATA)
    m = DATA["x"].rolling(2).mean()
    expected = m.index[(m > 100) & (m.shift(1) <= 100)]
    assert list(events["time"]) == list(expected)


def test_python_function_errors_propagate():
    def broken(v):
        raise RuntimeError("boom from Python")

    program = sluice.compile("broken(x) breaks 1 then watch x", functions={"broken": broken})
    with pytest.raises(RuntimeError, match="boom from Python"):
        program.run(DATA)
    # The program still works afterwards for data where it raises nothing.
    program2 = sluice.compile("double(x) breaks 200 then watch x", functions={"double": double})
    assert len(program2.run(DATA)) == 4


def test_pickle_round_trip():
    program = sluice.compile("rule \"up\":\n  when double(x) breaks 200\n  then watch x",
                             "up.sluice", exact=True, functions={"double": double})
    copy = pickle.loads(pickle.dumps(program))
    assert (copy.source, copy.name, copy.exact, copy.rules) == (program.source, program.name, True, ["up"])
    pd.testing.assert_frame_equal(copy.run(DATA), program.run(DATA))


def _run_in_worker(program):
    return program.run(DATA)


def test_programs_run_in_worker_processes():
    program = sluice.compile("x breaks 100 then watch x")
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        frames = pool.map(_run_in_worker, [program, program])
    for f in frames:
        pd.testing.assert_frame_equal(f, program.run(DATA))
