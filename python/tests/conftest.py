"""Shared fixtures: where the sources, the `sluice` binary and the real data are.

ctest sets SLUICE_SOURCE_DIR, SLUICE_BINARY, SLUICE_REAL_DATA and PYTHONPATH
(python/CMakeLists.txt); run by hand as
    PYTHONPATH=build/python SLUICE_BINARY=build/sluice /usr/bin/python3 -m pytest python/tests
"""
import json
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("SLUICE_SOURCE_DIR", os.path.dirname(os.path.dirname(HERE)))


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def examples(source_dir):
    return os.path.join(source_dir, "examples")


@pytest.fixture(scope="session")
def sluice_binary(source_dir):
    path = os.environ.get("SLUICE_BINARY", os.path.join(source_dir, "build", "sluice"))
    if not os.path.exists(path):
        pytest.skip(f"the sluice CLI is not built at {path} (set SLUICE_BINARY)")
    return path


@pytest.fixture(scope="session")
def real_data(source_dir):
    path = os.environ.get("SLUICE_REAL_DATA", os.path.join(source_dir, "..", "shared", "data", "real"))
    if not os.path.isdir(path):
        pytest.skip(f"real data not found at {path} (../shared/data/real): tests on real data skipped")
    return path


def cli_jsonl(binary, *args):
    """The CLI's jsonl lines (events, then stats rows with --stats) as dicts."""
    out = subprocess.run([binary, "run", *args, "--format", "jsonl", "--quiet"],
                         check=True, capture_output=True, text=True, timeout=300).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]
