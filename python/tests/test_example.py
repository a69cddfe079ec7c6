"""examples/python/thesis.py runs, and a wide DataFrame read by pandas (NaN where a series
has no observation) gives the same events as Sluice reading the files itself."""
import os
import subprocess
import sys

import pandas as pd

import sluice


def test_thesis_example_runs(examples, tmp_path):
    script = os.path.join(examples, "python", "thesis.py")
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(sluice.__file__)))
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=package_dir)
    out = subprocess.run([sys.executable, script], cwd=tmp_path, env=env, check=True,
                         capture_output=True, text=True, timeout=300).stdout
    assert "events per rule:" in out
    assert 'rule "risk-on rotation" (rotation.sluice:22) at 2021-01-05' in out


def test_wide_frame_equals_files(examples):
    sys.path.insert(0, os.path.join(examples, "python"))
    try:
        import thesis
    finally:
        sys.path.pop(0)
    data_dir = os.path.join(examples, "data")
    market = pd.DataFrame({os.path.splitext(f)[0]: thesis.load(os.path.join(data_dir, f))
                           for f in sorted(os.listdir(data_dir)) if f.endswith(".csv")})
    assert market["tga"].isna().sum() > 1000  # weekly inside a daily frame
    with open(os.path.join(examples, "rotation.sluice")) as f:
        program = sluice.compile(f.read(), "rotation.sluice")
    pd.testing.assert_frame_equal(program.run(market), program.run(data_dir))
