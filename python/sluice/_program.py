"""compile(), Program and Stream: rule text compiled once, run over pandas data.

Series names are resolved against the data a run is given, so `compile` checks everything
else (syntax, functions, windows, signals) and a run reports an unknown series as a
CompileError at its position in the rule text.
"""
from __future__ import annotations

import datetime
import functools
import html
import inspect
import os
import re
import warnings
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from . import _core
from ._data import DataError, SluiceWarning, catalogue_lags, series_of


class Diagnostic:
    """One problem with rule text: where (file, line, column; 0 when unknown) and what."""

    __slots__ = ("file", "line", "column", "is_error", "message", "note", "rendered")

    def __init__(self, d: dict):
        for key in self.__slots__:
            setattr(self, key, d[key])

    def __repr__(self) -> str:
        return f"<Diagnostic {self.file}:{self.line}:{self.column}: {self.message}>"


class CompileError(ValueError):
    """Rule text that does not compile; `.diagnostics` say where and why, str() renders them."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("".join(d.rendered for d in diagnostics).rstrip("\n"))


# Errors that name a series the data will bring: the data-less compile of Program() stands
# an empty series in for each and compiles again.
_UNKNOWN_SERIES = re.compile(r"^unknown series '([^']+)'|^'set lag': '([^']+)' is not a series")
# A universe's members are such series too; while they are unknown the universe itself is,
# and the rules over it report "unknown universe": those errors go with their members'.
_UNIVERSE_MEMBER = re.compile(r"^universe '([^']+)': '([^']+)' is not a series")
_UNKNOWN_UNIVERSE = re.compile(r"^unknown universe '([^']+)'")


def _series_the_data_brings(errors: list[dict]) -> tuple[list[str], list[dict]]:
    """The series names of errors that data would resolve, and the errors that it would not."""
    missing, universes, others = [], set(), []
    for d in errors:
        if m := _UNKNOWN_SERIES.match(d["message"]):
            missing.append(m.group(1) or m.group(2))
        elif m := _UNIVERSE_MEMBER.match(d["message"]):
            missing.append(m.group(2))
            universes.add(m.group(1))
        else:
            others.append(d)
    others = [d for d in others
              if not ((m := _UNKNOWN_UNIVERSE.match(d["message"])) and m.group(1) in universes)]
    return missing, others


def _ns(value: Any, what: str) -> int | None:
    """A date-like value as int64 nanoseconds (naive UTC), None for None."""
    if value is None:
        return None
    t = pd.Timestamp(value)
    if t is pd.NaT:
        raise ValueError(f"{what}: not a date")
    if t.tzinfo is not None:
        t = t.tz_convert("UTC").tz_localize(None)
    return int(t.value)


_PERIOD = re.compile(r"^\s*(\d+)\s*(d|w|mo|m|y)\s*$")


def _period(value: Any) -> tuple[int, str]:
    """'30d', '4w', '3mo', '1y', an int (days) or a whole-day timedelta -> (count, unit)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), "days"
    if isinstance(value, (datetime.timedelta, pd.Timedelta, np.timedelta64)):
        td = pd.Timedelta(value)
        if td % pd.Timedelta(days=1) != pd.Timedelta(0):
            raise ValueError(f"period {value!r}: Sluice periods are whole days or months")
        return int(td / pd.Timedelta(days=1)), "days"
    if isinstance(value, str):
        m = _PERIOD.match(value)
        if m:
            n, unit = int(m.group(1)), m.group(2)
            return {"d": (n, "days"), "w": (7 * n, "days"), "mo": (n, "months"),
                    "m": (n, "months"), "y": (12 * n, "months")}[unit]
    raise ValueError(f"period {value!r}: write it like '30d', '4w', '3mo' or '1y'")


def _functions(functions: Mapping[str, Any] | None) -> dict[str, tuple[Callable, int, int | None]]:
    """name -> (callable, arity, window): a callable, or (callable, window in bars)."""
    out = {}
    for name, f in (functions or {}).items():
        window = None
        if isinstance(f, tuple):
            f, window = f
        if not callable(f):
            raise TypeError(f"function '{name}': not callable")
        params = inspect.signature(f).parameters.values()
        if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
            raise TypeError(f"function '{name}': give it a fixed number of arguments")
        out[str(name)] = (f, len(params), window)
    return out


@functools.lru_cache(maxsize=256)
def _categories(names: tuple[str, ...]) -> pd.CategoricalDtype:
    """The categorical dtype of these names. A program's runs repeat their rule names and
    actions, and building the dtype costs more than the codes it types (it is immutable,
    so frames can share it)."""
    return pd.CategoricalDtype(list(names))


def _frame(d: dict, exact: bool) -> pd.DataFrame:
    """The core's event columns as a tidy DataFrame: one row per event. Every column is a
    fresh array of the core's, so the frame takes them without copying (copy=False)."""
    import decimal

    columns: dict[str, Any] = {
        "time": d["time"].view("datetime64[ns]"),
        "rule": pd.Categorical.from_codes(d["rule_codes"], dtype=_categories(tuple(d["rules"]))),
        "actions": pd.Categorical.from_codes(d["action_codes"], dtype=_categories(tuple(d["actions"]))),
        # An object array already (None where the rule has no alert); as a Series of dtype
        # object, pandas does not scan it for dates or numbers.
        "alert": pd.Series(d["alert"], dtype=object, copy=False),
    }
    for name, numbers, texts in d["values"]:
        if name in columns:
            name = f"{name}_value"
        if exact:
            columns[name] = pd.array([None if t in ("", "na") else decimal.Decimal(t) for t in texts],
                                     dtype=object)
        else:
            columns[name] = numbers
    return pd.DataFrame(columns, copy=False)


def _warn(diagnostics: list[dict]) -> None:
    for d in diagnostics:
        warnings.warn(SluiceWarning(d["rendered"].rstrip("\n")), stacklevel=3)


def _lagged(program: "_core.Program", lags: Mapping[str, Any] | None, series: Any) -> "_core.Program":
    """`program` reading each series of `lags` ({"tga": "0d", ...}) with that publication lag,
    over the catalogue's, the rules' `set lag` and `load ... lag`."""
    if not lags:
        return program
    if not isinstance(lags, Mapping):
        raise TypeError(f"lags must be a mapping of series names to periods, not {type(lags).__name__}")
    known = {str(s).split(".")[0].lower() for s in series} | {s.split(".")[0] for s in program.series()}
    for name in lags:
        if str(name).lower() not in known:
            raise ValueError(f"lags: no series named '{name}' in the data or the rules "
                             f"(series: {', '.join(sorted(known)) or 'none'})")
    return program.with_lags([(str(name), _period(lag)) for name, lag in lags.items()])


class Explanation(str):
    """`sluice explain`'s text; shows as preformatted text in notebooks."""

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


class Program:
    """Compiled rules: run them over data (batch), compute forward stats, explain a rule at a
    date, or stream observations through a session. Pickles by its source and options."""

    def __init__(self, text: str, name: str | None = None, *, exact: bool = False,
                 functions: Mapping[str, Any] | None = None, root: str | os.PathLike | None = None):
        self.source = text
        self._rules: list[str] = []
        self._series: list[str] = []
        self.name = name or "<rules>"
        self.exact = bool(exact)
        self.root = os.fspath(root) if root is not None else None
        self._functions_spec = dict(functions or {})
        self._functions = _functions(functions)
        # Compile once now for errors, with every unknown series standing in as empty data.
        engine = self._engine({})
        program, diags = engine.compile(self.source, self.name)
        missing = []
        if program is None:
            errors = [d for d in diags if d["is_error"]]
            missing, others = _series_the_data_brings(errors)
            if others:
                raise CompileError([Diagnostic(d) for d in others])
            empty = np.empty(0, dtype=np.int64), np.empty(0)
            engine = self._engine({m: empty for m in missing})
            program, diags = engine.compile(self.source, self.name)
            if program is None:
                raise CompileError([Diagnostic(d) for d in diags if d["is_error"]])
        _warn([d for d in diags if not d["is_error"]])
        self._rules = program.rules()
        self._series = program.series()
        self._core = program  # event ids depend on the rule text only, not on the data

    def __reduce__(self):
        return (_rebuild, (self.source, self.name, self.exact, self._functions_spec, self.root))

    def __repr__(self) -> str:
        return f"<sluice.Program {self.name}: {len(self._rules)} rules reading {', '.join(self._series)}>"

    @property
    def rules(self) -> list[str]:
        """Rule names, in file order."""
        return list(self._rules)

    @property
    def series(self) -> list[str]:
        """The series (columns) the rules read."""
        return list(self._series)

    def _engine(self, series: Mapping[str, tuple[np.ndarray, np.ndarray]],
                lags: Mapping[str, tuple[int, str]] | None = None) -> "_core.Engine":
        engine = _core.Engine(self.root is not None, self.root or "")
        # Series sharing one times array (a DataFrame's columns) are added together, so the
        # core converts their times once.
        on_index: dict[int, tuple[np.ndarray, list]] = {}
        for name, (times, values) in series.items():
            lag = (lags or {}).get(name.split(".")[0])
            on_index.setdefault(id(times), (times, []))[1].append((name, values, lag))
        for times, members in on_index.values():
            try:
                if len(members) == 1:
                    name, values, lag = members[0]
                    engine.add_series(name, times, values, lag=lag)
                else:
                    engine.add_series_on_index(times, members)
            except ValueError as e:
                raise DataError(str(e)) from None
        for name, (f, arity, window) in self._functions.items():
            engine.add_function(name, arity, f, window)
        return engine

    def _bind(self, data: Any, lags: Mapping[str, Any] | None = None):
        """The core program compiled against `data`'s series, read with `lags`."""
        series = series_of(data)
        program, diags = self._engine(series, catalogue_lags(series)).compile(self.source, self.name)
        if program is None:
            raise CompileError([Diagnostic(d) for d in diags if d["is_error"]])
        return _lagged(program, lags, series)

    def _exact(self, exact: bool | None) -> bool:
        return self.exact if exact is None else bool(exact)

    @staticmethod
    def _checked(d: dict) -> dict:
        if not d["ok"]:
            raise DataError("\n".join(x["rendered"].rstrip("\n") for x in d["diagnostics"]))
        _warn(d["diagnostics"])
        return d

    def run(self, data: Any, *, start: Any = None, end: Any = None, exact: bool | None = None,
            ids: bool = False, lags: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Every rule firing over `data` as a DataFrame: time (datetime64[ns]), rule
        (categorical), actions, alert (None when the rule has no alert) and one column per
        named value (float64; exact mode: decimal.Decimal). `start`: firings before it are
        not reported (warm-up still runs); `end`: the timeline ends there. `ids=True` adds an
        `event_id` column first (see `event_ids`). `lags`: publication lags for this call,
        series name -> period ({"tga": "0d"}), over the catalogue's and the rules' `set lag`."""
        exact = self._exact(exact)
        d = self._bind(data, lags).run(_ns(start, "start"), _ns(end, "end"), exact)
        events = _frame(self._checked(d), exact)
        if ids:
            events.insert(0, "event_id", self.event_ids(events))
        return events

    def event_ids(self, events: pd.DataFrame) -> pd.Series:
        """The stable id of each event of `events` (a frame from `run`): a hash of the rule
        text, the rule's name and the event's time, the same id `sluice watch` sends as
        `Idempotency-Key`. Ids let a notebook join its events with a watcher's deliveries."""
        if not {"time", "rule"} <= set(events.columns):
            raise ValueError("event_ids: a frame with 'time' and 'rule' columns (from Program.run) is needed")
        times = np.ascontiguousarray(events["time"].to_numpy(dtype="datetime64[ns]").view(np.int64))
        ids = self._core.event_ids(times, [str(r) for r in events["rule"]])
        return pd.Series(ids, index=events.index, name="event_id", dtype=object)

    def stats(self, data: Any, horizons: Any = None, *, start: Any = None, end: Any = None,
              exact: bool | None = None, lags: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Forward returns of each rule's watched series after its events, one row per rule,
        watched series and horizon, then a baseline (every timeline point), as
        `sluice run --stats`. `horizons`: e.g. ["30d", "3mo"]; default the rules' `set
        horizons`, else 30d, 60d, 90d. Events and baseline points from `start` to `end` are
        counted (returns still read the data after `end`). What the CLI warns about (too
        few events, overlapping horizons) comes as SluiceWarnings. The events are in
        `.attrs["events"]`, each event's return per horizon in `.attrs["returns"]`. `lags`:
        as `run`'s."""
        exact = self._exact(exact)
        if isinstance(horizons, (str, int)):
            horizons = [horizons]
        h = [_period(x) for x in (horizons or [])]
        d, rows, returns, notes = self._bind(data, lags).stats(_ns(start, "start"), _ns(end, "end"), exact, h)
        events = _frame(self._checked(d), exact)
        for note in notes:  # too few events, overlapping horizons: as `sluice run --stats` says
            warnings.warn(SluiceWarning(note), stacklevel=2)
        table = pd.DataFrame(rows, columns=["rule", "watch", "horizon", "count", "pending", "no_data",
                                            "mean", "median", "hit_rate", "worst", "max_drawdown",
                                            "max_runup", "episodes"])
        table = table[["rule", "watch", "horizon", "count", "mean", "median", "hit_rate", "worst",
                       "max_drawdown", "max_runup", "pending", "no_data", "episodes"]]
        per_event = pd.DataFrame(returns, columns=["rule", "watch", "horizon", "time", "status", "return",
                                                   "max_drawdown", "max_runup"])
        per_event["time"] = per_event["time"].astype("int64").view("datetime64[ns]")
        per_event = per_event[["time", "rule", "watch", "horizon", "status", "return", "max_drawdown",
                               "max_runup"]]
        table.attrs["events"] = events
        table.attrs["returns"] = per_event
        return table

    def explain(self, data: Any, rule: str, at: Any = None, *, exact: bool | None = None,
                lags: Mapping[str, Any] | None = None) -> Explanation:
        """Why `rule` fired or did not on `at` (the last data point on or before it), as
        `sluice explain`: the condition as a tree with each part's value. Without `at`:
        every date it fired. `rule` is a name (any case), a prefix of one name, or the rule's
        line number. `lags`: as `run`'s."""
        ok, text, error = self._bind(data, lags).explain(str(rule), _ns(at, "at"), self._exact(exact))
        if not ok:
            unknown = "has no rule named" in error or "starts the names of" in error
            raise (KeyError if unknown else DataError)(error)
        return Explanation(text)

    def stream(self, data: Any = None, *, start: Any = None, stale: Mapping[str, Any] | None = None,
               exact: bool | None = None, lags: Mapping[str, Any] | None = None) -> "Stream":
        """A streaming session: push observations, advance the clock, read the events.
        `data` (optional) names the series and sets their default staleness as a batch run
        would (the larger of 7 days and 4x their median spacing); its observations are not
        pushed (see Stream.push_data). Without data every series the rules read is accepted,
        stale after 7 days unless `stale` says otherwise. `lags`: as `run`'s."""
        if data is None:
            empty = np.empty(0, dtype=np.int64), np.empty(0)
            names = {s.split(".")[0] for s in self._series} | set(self._series)
            # Catalogued names (tga) are read with their publication lag, as a batch run reads them.
            program, diags = self._engine({n: empty for n in sorted(names)}, catalogue_lags(names)).compile(
                self.source, self.name)
            if program is None:
                raise CompileError([Diagnostic(d) for d in diags if d["is_error"]])
            program = _lagged(program, lags, names)
        else:
            program = self._bind(data, lags)
        stale_list = [(str(k).lower(), _period(v)) for k, v in (stale or {}).items()]
        exact = self._exact(exact)
        return Stream(program.stream(_ns(start, "start"), exact, stale_list), exact)


def _rebuild(source, name, exact, functions, root):
    return Program(source, name, exact=exact, functions=functions, root=root)


class Stream:
    """An incremental run (Program.stream()): push observations, advance_to a time, and read
    `events` (every event so far, as Program.run's DataFrame)."""

    def __init__(self, session: "_core.Session", exact: bool):
        self._session = session
        self._exact = exact
        self._chunks: list[pd.DataFrame] = []

    def push(self, series: str, time: Any, value: Any) -> str:
        """One observation; returns what happened to it ("accepted", "late: ...", ...).
        A str value is read as decimal text (exact in an exact session)."""
        status = self._session.push(str(series), _ns(time, "time"), value)
        if status != "accepted":
            warnings.warn(SluiceWarning(f"push {series} at {pd.Timestamp(time)}: {status}"), stacklevel=2)
        return status

    def advance_to(self, time: Any) -> int:
        """Promise that every observation dated <= time was pushed; evaluates up to it."""
        n = self._session.advance_to(_ns(time, "time"))
        self._collect()
        return n

    def finish(self) -> int:
        """End of data: evaluates every pending point."""
        n = self._session.finish()
        self._collect()
        return n

    def push_data(self, data: Any) -> int:
        """Pushes every observation in `data` (as Program.run takes it) in time order,
        advancing the clock after each date; returns the points evaluated."""
        series = series_of(data)
        times = np.unique(np.concatenate([t for t, _ in series.values()])) if series else []
        cursors = {name: 0 for name in series}
        points = 0
        refused: dict[str, int] = {}  # status -> count, for one warning at the end
        for t in times:
            for name, (ts, vs) in series.items():
                i = cursors[name]
                if i < len(ts) and ts[i] == t:
                    if not np.isnan(vs[i]):
                        status = self._session.push(name, int(t), float(vs[i]))
                        # Series the rules do not read are expected in a wide frame.
                        if status != "accepted" and not status.startswith("unknown series"):
                            refused[status] = refused.get(status, 0) + 1
                    cursors[name] = i + 1
            points += self._session.advance_to(int(t))
        self._collect()
        if refused:
            summary = ", ".join(f"{n} {status}" for status, n in refused.items())
            warnings.warn(SluiceWarning(f"push_data: observations not taken: {summary}"), stacklevel=2)
        return points

    def _collect(self) -> None:
        d = self._session.take_events()
        if len(d["time"]):
            self._chunks.append(_frame(d, self._exact))

    @property
    def events(self) -> pd.DataFrame:
        """Every event so far, oldest first."""
        self._collect()
        if not self._chunks:
            return _frame(self._session.take_events(), self._exact)
        frame = pd.concat(self._chunks, ignore_index=True)
        frame["actions"] = frame["actions"].astype(str).astype("category")
        return frame

    @property
    def clock(self) -> pd.Timestamp | None:
        c = self._session.clock()
        return None if c is None else pd.Timestamp(c)

    @property
    def points(self) -> int:
        return self._session.points()

    @property
    def series(self) -> list[str]:
        return self._session.series()


def compile(text: str, name: str | None = None, *, exact: bool = False,
            functions: Mapping[str, Any] | None = None,
            root: str | os.PathLike | None = None) -> Program:
    """Compiles rule text (like re.compile). Raises CompileError with positions.

    exact: runs use 34-digit decimal arithmetic (docs/exact.md). functions: Python functions
    the rules may call, name -> callable (its arguments are floats, NaN for na; return a
    float or None for na) or (callable, window) to receive each argument's last `window`
    values as a numpy array. root: a directory `load ... from "file.csv"` may read under
    (without it, rules cannot read files)."""
    return Program(text, name, exact=exact, functions=functions, root=root)
