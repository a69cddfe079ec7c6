"""Turning pandas data into Sluice series, and Sluice's CSV loader as `read_csv`.

Sluice's times are whole seconds since 1970 (UTC); pandas' are datetime64[ns]. Values are
float64; NaN is "no observation", as an empty CSV cell is.
"""
from __future__ import annotations

import dataclasses
import os
import re
import warnings
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _core


class SluiceWarning(UserWarning):
    """A problem Sluice worked around: a rejected CSV row, a sorted index, ..."""


class DataError(ValueError):
    """Data Sluice cannot use: the message says which series and where."""


@dataclasses.dataclass(frozen=True)
class LoadReport:
    """What Sluice's CSV loader made of a file (nothing is dropped silently)."""

    path: str
    rows_read: int  # data rows, header excluded
    rows_used: int  # rows that became observations
    missing_cells: int  # empty, `.`, null or NaN cells: no observation
    rejected: tuple  # (line, reason) for every row not used
    notes: tuple  # "rows were in descending date order; sorted", ...
    text: str  # the report as `sluice run` prints it

    @classmethod
    def _from(cls, d: dict) -> "LoadReport":
        return cls(d["path"], d["rows_read"], d["rows_used"], d["missing_cells"],
                   tuple((int(line), reason) for line, reason in d["rejected"]),
                   tuple(d["notes"]), d["text"])


def read_csv(path: str | os.PathLike, column: str | None = None) -> pd.Series:
    """One column of a CSV file read by Sluice's own loader (FRED, Yahoo, CoinGecko, ...).

    Returns a float64 Series on a DatetimeIndex named "date"; `series.attrs["load_report"]` is
    the LoadReport. Each rejected row and each note is also raised as a SluiceWarning.
    A file Sluice cannot read raises FileNotFoundError or DataError with the reason.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such file")
    times, values, report, error = _core.read_csv(path, column or "")
    report = LoadReport._from(report) if report.get("path") else None
    if report is not None:
        for line, reason in report.rejected:
            warnings.warn(SluiceWarning(f"{path}:{line}: {reason}"), stacklevel=2)
        for note in report.notes:
            warnings.warn(SluiceWarning(f"{path}: {note}"), stacklevel=2)
    if error is not None:
        raise DataError(error)
    name = column or os.path.splitext(os.path.basename(path))[0]
    index = pd.DatetimeIndex(times.view("datetime64[ns]"), name="date")
    series = pd.Series(values, index=index, name=name)
    series.attrs["load_report"] = report
    return series


def _as_path(value: Any) -> str | None:
    if isinstance(value, (str, os.PathLike)):
        return os.fspath(value)
    return None


def _index_ns(name: str, index: Any) -> np.ndarray:
    """The index as int64 nanoseconds (UTC, naive), or a clear error."""
    if not isinstance(index, pd.DatetimeIndex):
        raise DataError(f"series '{name}': the index must be a DatetimeIndex (dates), "
                        f"not {type(index).__name__}; try pd.to_datetime on it")
    if index.tz is not None:
        if str(index.tz) not in ("UTC", "utc"):
            raise DataError(f"series '{name}': the index has time zone {index.tz}; Sluice's times "
                            "are UTC: convert with .tz_convert('UTC') or drop the zone with "
                            ".tz_localize(None) (daily data: the local dates)")
        index = index.tz_localize(None)
    if index.hasnans:
        raise DataError(f"series '{name}': the index has a missing date (NaT) at position "
                        f"{int(np.flatnonzero(index.isna())[0])}")
    return index.asi8


def _values_f64(name: str, values: pd.Series) -> np.ndarray:
    """The values as contiguous float64 (read by the core without a copy when they already are)."""
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        converted = pd.to_numeric(values, errors="coerce")
        bad = converted.isna() & values.notna()
        if bad.any():
            where = values.index[bad][0]
            raise DataError(f"series '{name}': '{values[bad].iloc[0]}' at {where} is not a number "
                            f"(the column has dtype {values.dtype})")
        values = converted
    elif not (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype)):
        raise DataError(f"series '{name}': values of dtype {values.dtype} are not numbers")
    # Infinite values are refused by the core (_core.Engine.add_series), in its one pass.
    if values.dtype == np.float64:
        return np.ascontiguousarray(values.to_numpy())  # no copy when already contiguous
    return np.ascontiguousarray(values.to_numpy(dtype=np.float64, na_value=np.nan))


def _prepare(name: str, series: pd.Series, index_times: dict) -> tuple[np.ndarray, np.ndarray]:
    """(times ns, float64 values) ascending, warning about what was changed on the way.
    `index_times` maps id(index) -> (index, times) for the indexes already seen: the columns
    of a DataFrame share its index, and get the same times array (converted once by the core)."""
    seen = index_times.get(id(series.index))
    if seen is None:
        seen = index_times[id(series.index)] = (series.index, _index_ns(name, series.index))
    times = seen[1]
    values = _values_f64(name, series)
    # is_monotonic_increasing is computed once per index (a DataFrame's columns share it).
    ordered = series.index.is_monotonic_increasing and series.index.is_unique
    if not ordered:
        order = np.argsort(times, kind="stable")
        times, values = times[order], values[order]
        repeated = np.flatnonzero(times[1:] == times[:-1])
        if repeated.size:
            raise DataError(f"series '{name}': the date {pd.Timestamp(times[repeated[0]])} "
                            "appears more than once")
        warnings.warn(SluiceWarning(f"series '{name}': the index was not in ascending order; "
                                    "sorted"), stacklevel=4)
    return times, values


# A name rule text can refer to: "btc", or "btc.volume" for a field.
_SERIES_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")


def catalogue_lags(names: Any) -> dict[str, tuple[int, str]]:
    """The publication lags the series catalogue gives these series names (tga: FRED's
    weekly TGA, published the day after its Wednesday date; docs/data.md), applied as
    `sluice run --data DIR` applies them, whatever form the data came in. A `set lag NAME
    0d` in the rules overrides one."""
    lags = {}
    for name in names:
        base = str(name).split(".")[0]
        if (lag := _core.catalogue_lag(base)) is not None:
            lags[base] = lag
    return lags


def series_of(data: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every series in `data` as name -> (times ns, float64 values); series on one index (a
    DataFrame's columns) share one times array.

    `data` is a DataFrame with a DatetimeIndex (each column a series), a mapping of names to
    Series, to CSV paths, or to (path, column) pairs, or the path of a directory whose *.csv
    files become series named by their stems (as `sluice run --data DIR`). Columns whose
    names rule text cannot refer to ("Adj Close", "^RUT") are left out.
    """
    path = _as_path(data)
    if path is not None:
        if not os.path.isdir(path):
            raise DataError(f"{path}: not a directory (give a DataFrame, a dict or a directory)")
        data = {os.path.splitext(f)[0]: os.path.join(path, f)
                for f in sorted(os.listdir(path)) if f.endswith(".csv")}
    if isinstance(data, pd.Series):
        if data.name is None:
            raise DataError("a Series needs a name (the series name the rules use)")
        data = {str(data.name): data}
    if isinstance(data, pd.DataFrame):
        if not data.columns.is_unique:
            raise DataError("the DataFrame has repeated column names")
        data = {str(c): data[c] for c in data.columns}
    if not isinstance(data, Mapping):
        raise TypeError("data must be a DataFrame with a DatetimeIndex, a dict of Series or of "
                        f"CSV paths, or a directory; not {type(data).__name__}")
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    index_times: dict[int, tuple[pd.Index, np.ndarray]] = {}  # holds each index: ids stay unique
    for name, value in data.items():
        name = str(name)
        if not _SERIES_NAME.match(name):
            continue  # no rule can read it
        file = _as_path(value)
        column = None
        if file is None and isinstance(value, tuple) and len(value) == 2 and _as_path(value[0]):
            file, column = _as_path(value[0]), value[1]
        if file is not None:
            value = read_csv(file, column)
        if not isinstance(value, pd.Series):
            raise TypeError(f"series '{name}': expected a pandas Series or a CSV path, "
                            f"not {type(value).__name__}")
        out[name] = _prepare(name, value, index_times)
    return out
