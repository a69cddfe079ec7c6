"""One universe program over many symbols on a Dask cluster (docs/scale.md).

    from distributed import Client
    import sluice.dask
    client = Client("scheduler:8786")        # or distributed.LocalCluster()
    events = sluice.dask.run_universe(client, rules, symbols, loader, chunk_size=500)

`rules` is rule text whose `for each SYM in U` rules name a universe U it does not declare:
`symbols` are U's members, in order. The symbols are cut into parts of `chunk_size`
consecutive members; each part is a Dask task that calls `loader(name)` on its worker for
its own members and for every other series the rules read (a pandas Series with a
DatetimeIndex, or a CSV path), so data never passes through the client. Rules travel as
text and are compiled on the workers; no engine is ever pickled.

The result is the serial run's, exactly: the DataFrame `Program.run` gives for the same
rules with `universe U = <symbols>` and every series. To get there:
  1. each part returns its series' observation times; their union is the whole run's
     timeline, which every part then evaluates on (`N bars` windows and as-of alignment
     count its points);
  2. with cross-sectional operators (rank, top, mean, median, breadth), each part returns
     every operator's operand per member and point; one reduction task stacks them in
     universe order and applies the engine's own cross-sectional function (absent members
     excluded, ties to the member listed first, sums in universe order);
  3. each part evaluates its rules with the reduced values and returns its events, numbered
     by their rule's place in the whole program; the client sorts them as the serial run
     lists them (by time, then rule).
"""
from __future__ import annotations

import math
import operator
import re
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._data import DataError, catalogue_lags, series_of
from ._program import CompileError, Diagnostic, _frame, _ns, _warn

__all__ = ["run_universe", "run_serial"]

_UNKNOWN_UNIVERSE = re.compile(r"^unknown universe '([^']+)'")
_UNKNOWN_SERIES = re.compile(r"^unknown series '([^']+)'")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _source(rules: Any) -> tuple[str, str]:
    """(text, name) of rule text or a Program."""
    if isinstance(rules, str):
        return rules, "<rules>"
    source = getattr(rules, "source", None)
    if isinstance(source, str):
        if getattr(rules, "_functions", None):
            raise ValueError("run_universe: rules calling Python functions cannot travel as text")
        return source, getattr(rules, "name", "<rules>")
    raise TypeError(f"rules: rule text or a sluice.Program, not {type(rules).__name__}")


# A part's rules are compiled within the command line's bound of 100,000 rules.
_MAX_PART_RULES = 100_000
# Members per part by default, at most: a part's program holds every rule of its members, and
# smaller programs evaluate faster (a 200-member part took 25% more CPU per member than
# two of 100) and need less memory; more parts also balance better across workers.
_DEFAULT_PART = 100


def _universe_name(text: str, name: str, given: str | None = None) -> tuple[str, int]:
    """The universe the `for each` rules name without declaring it (`given`, or the only
    one), and how many `for each` rules name it."""
    _program, diags = _core.Engine(False, "", own_rules=True).compile(text, name)
    found = [m.group(1) for m in (_UNKNOWN_UNIVERSE.match(d["message"]) for d in diags) if m]
    if given is not None:
        return given, sum(1 for f in found if f == given.lower())
    names = sorted(set(found))
    if len(names) != 1:
        found = f"they name {', '.join(names)}" if names else "they name none"
        raise ValueError("run_universe: the rules must have `for each SYM in U` rules over one universe "
                         f"U they do not declare (its members are `symbols`); {found}. "
                         "Pass universe=NAME to say which")
    return names[0], len(found)


class _Part:
    """A run of consecutive members on one worker: their data and every other series the
    rules read, loaded there by `loader`. Pickles without its compiled program (recompiled
    from the text wherever it lands)."""

    def __init__(self, text: str, name: str, universe: str, members: Sequence[str], first: int,
                 loader: Callable[[str], Any]):
        self.text = text.rstrip("\n") + f"\nuniverse {universe} = {', '.join(members)}\n"
        self.name = name
        self.universe = universe
        self.members = list(members)
        self.first = first
        self.series = series_of({m: loader(m) for m in self.members})
        self._program = None
        # Series the rules read besides the members ("btc"): loaded as the compile names them.
        for _ in range(100):
            program, diags = self._compile()
            if program is not None:
                self._program = program
                break
            errors = [d for d in diags if d["is_error"]]
            others = [d for d in errors if not _UNKNOWN_SERIES.match(d["message"])]
            wanted = [m.group(1) for m in (_UNKNOWN_SERIES.match(d["message"]) for d in errors) if m]
            wanted = [w for w in dict.fromkeys(wanted) if w not in self.series]
            if others or not wanted:
                raise CompileError([Diagnostic(d) for d in (others or errors)])
            self.series.update(series_of({w: loader(w) for w in wanted}))
        problem = _core.part_check(self._program, universe)
        if problem:
            raise ValueError(f"run_universe: {problem}")

    def _compile(self):
        engine = _core.Engine(False, "", own_rules=True)  # the user's own rules: CLI bounds
        lags = catalogue_lags(self.series)
        for series, (times, values) in self.series.items():
            try:
                engine.add_series(series, times, values, lag=lags.get(series.split(".")[0]))
            except ValueError as e:
                raise DataError(str(e)) from None
        return engine.compile(self.text, self.name)

    def program(self):
        if self._program is None:
            self._program, diags = self._compile()
        return self._program

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_program"] = None
        return state


def _load(text, name, universe, members, first, loader) -> _Part:
    return _Part(text, name, universe, members, first, loader)


def _survey(part: _Part, end) -> tuple[np.ndarray, list, list]:
    """The part's timeline, its cross-sectional operators, and data problems."""
    times, diags = _core.part_timeline(part.program(), end)
    return times, _core.part_cross_sections(part.program()), diags


def _operands(part: _Part, timeline: np.ndarray) -> list[np.ndarray]:
    d = _core.part_operands(part.program(), timeline)
    if not d["ok"]:
        raise DataError("\n".join(x["rendered"].rstrip("\n") for x in d["diagnostics"]))
    return d["values"]


def _reduce(kinds: list[str], *parts: list[np.ndarray]) -> list[list[np.ndarray]]:
    """Every cross-sectional operator over all members: out[part][operator], rank cut to the
    part's members. Members are stacked in universe order (parts are consecutive runs)."""
    out: list[list[np.ndarray]] = [[] for _ in parts]
    for x, kind in enumerate(kinds):
        stacked = np.vstack([p[x] for p in parts])
        reduced = _core.reduce_cross_section(kind, stacked)
        row = 0
        for k, p in enumerate(parts):
            rows = p[x].shape[0]
            out[k].append(np.ascontiguousarray(reduced[row:row + rows]) if kind == "rank" else reduced)
            row += rows
    return out


def _evaluate(part: _Part, timeline: np.ndarray, results: list[np.ndarray], size: int, plain: bool,
              start, exact: bool) -> dict:
    return _core.part_run(part.program(), part.universe, size, part.first, plain, timeline, results, start, exact)


class _Rules:
    """The whole program's rules, from the parts' tables: names, value names and actions by
    the rule's index in the whole program."""

    def __init__(self, parts: list[dict]):
        names: dict[int, str] = {}
        self.values: dict[int, list[str]] = {}
        self.actions: dict[int, str] = {}
        for d in parts:
            for index, rule, values, actions in zip(d["rule_index"], d["rule_names"], d["rule_values"],
                                                    d["rule_actions"]):
                names[index] = rule
                self.values[index] = values
                self.actions[index] = actions
        if sorted(names) != list(range(len(names))):
            raise RuntimeError("run_universe: the parts do not cover the whole program's rules")
        self.names = [names[i] for i in range(len(names))]
        self.count = np.array([len(self.values[i]) for i in range(len(names))], dtype=np.int64)


def _value_entries(parts: list[dict], rules: _Rules, name_id: dict[str, int]):
    """Every event value of every part: (event, its place among the event's values, value
    name id, number), events numbered through the parts' concatenation."""
    flat = np.array([name_id[v] for i in range(len(rules.names)) for v in rules.values[i]], dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(rules.count)[:-1]]) if len(rules.count) else np.empty(0, np.int64)
    events, places, names = [], [], []
    offset = 0
    for d in parts:
        counts = rules.count[d["rule"]]
        total = int(counts.sum())
        if total != len(d["values"]):
            raise RuntimeError("run_universe: a part's values do not match its events")
        starts = np.cumsum(counts) - counts
        place = np.arange(total, dtype=np.int64) - np.repeat(starts, counts)
        events.append(np.repeat(np.arange(offset, offset + len(counts), dtype=np.int64), counts))
        places.append(place)
        names.append(flat[np.repeat(first[d["rule"]], counts) + place])
        offset += len(counts)
    empty = np.empty(0, np.int64)
    return (np.concatenate(events) if events else empty, np.concatenate(places) if places else empty,
            np.concatenate(names) if names else empty)


def _merge(parts: list[dict], timeline: np.ndarray, exact: bool, values: str) -> pd.DataFrame:
    """The parts' event columns as one frame, in the serial run's order: by time, then rule.
    values="wide": Program.run's layout (one column per value name, in order of first
    appearance); "long": one row per event value (value_name, value)."""
    rules = _Rules(parts)
    points = np.concatenate([d["point"] for d in parts]).astype(np.int64)
    codes = np.concatenate([d["rule"] for d in parts]).astype(np.int64)
    n = len(points)
    # Each part lists its events by (point, rule) and no two parts share a rule: a stable
    # sort of the concatenated keys merges the parts' runs.
    if len(timeline) * max(1, len(rules.names)) < 2**62:
        order = np.argsort(points * len(rules.names) + codes, kind="stable")
    else:
        order = np.lexsort((codes, points))
    where = np.empty(n, dtype=np.int64)
    where[order] = np.arange(n)  # row of the merged frame of each concatenated event
    rule_codes = codes[order]
    del codes
    times = timeline[points[order]]
    del points, order
    # Rules in order of first appearance: the order the serial frame meets actions and values.
    appearing = pd.unique(rule_codes)
    action_texts = list(dict.fromkeys(rules.actions[int(r)] for r in appearing))
    action_id = {a: k for k, a in enumerate(action_texts)}
    rule_action = np.zeros(len(rules.names), dtype=np.int32)
    for r in appearing:
        rule_action[r] = action_id[rules.actions[int(r)]]
    names = list(dict.fromkeys(v for r in appearing for v in rules.values[int(r)]))
    name_id = {v: k for k, v in enumerate(names)}
    for i in range(len(rules.names)):  # rules that never fired: ids after the others
        for v in rules.values[i]:
            name_id.setdefault(v, len(name_id))
    alert = np.full(n, None, dtype=object)
    offset = 0
    for d in parts:
        if len(d["alert_events"]):
            alert[where[offset + d["alert_events"].astype(np.int64)]] = np.array(d["alerts"], dtype=object)
        offset += len(d["point"])
    columns: dict[str, Any] = {
        "time": times.view("datetime64[ns]"),
        "rule": pd.Categorical.from_codes(rule_codes.astype(np.int32), categories=rules.names),
        "actions": pd.Categorical.from_codes(rule_action[rule_codes], categories=action_texts),
        "alert": alert,
    }
    event, place, name = _value_entries(parts, rules, name_id)
    row = where[event]
    del event
    numbers = np.concatenate([d["values"] for d in parts]) if parts else np.empty(0)
    texts = np.concatenate([np.array(d["value_texts"], dtype=object) for d in parts]) if exact else None
    if values == "long":
        return _long(columns, rules.count[rule_codes], row, place, name, numbers, texts, names)
    return _wide(columns, n, row, name, numbers, texts, names)


def _decimals(texts) -> pd.api.extensions.ExtensionArray:
    import decimal

    return pd.array([None if t in ("", "na", None) else decimal.Decimal(t) for t in texts], dtype=object)


def _wide(columns: dict, n: int, row, name, numbers, texts, names: list[str]) -> pd.DataFrame:
    """Program.run's layout: one float64 column per value name (NaN where an event has no
    such value); exact mode: decimal.Decimal (None)."""
    labels = [f"{v}_value" if v in columns else v for v in names]
    if texts is not None:
        for k, label in enumerate(labels):
            cells = np.full(n, "", dtype=object)
            mine = name == k
            cells[row[mine]] = texts[mine]
            columns[label] = _decimals(cells)
        return pd.DataFrame(columns)
    # One [value, event] matrix: the frame's float64 block, built in place.
    matrix = np.full((len(names), n), np.nan)
    matrix[name, row] = numbers
    frame = pd.DataFrame(matrix.T, columns=labels, copy=False)
    for k, (label, column) in enumerate(columns.items()):
        frame.insert(k, label, column)
    return frame


def _long(columns: dict, counts, row, place, name, numbers, texts, names: list[str]) -> pd.DataFrame:
    """One row per event value, in event order then value order: the event's columns, then
    value_name (categorical) and value; an event without values keeps one row (both NaN)."""
    per_event = np.maximum(counts, 1)
    first = np.cumsum(per_event) - per_event
    at = first[row] + place
    total = int(per_event.sum())
    if total == len(per_event):  # one row per event (each has one value or none): no copies
        out = dict(columns)
    else:
        out = {label: (column.take(np.repeat(np.arange(len(per_event)), per_event))
                       if isinstance(column, pd.Categorical) else np.repeat(column, per_event))
               for label, column in columns.items()}
    codes = np.full(total, -1, dtype=np.int32)
    codes[at] = name
    out["value_name"] = pd.Categorical.from_codes(codes, categories=names)
    if texts is not None:
        cells = np.full(total, "", dtype=object)
        cells[at] = texts
        out["value"] = _decimals(cells)
    else:
        value = np.full(total, np.nan)
        value[at] = numbers
        out["value"] = value
    return pd.DataFrame(out)


def _workers(client) -> int:
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # a client without scheduler information: one part per symbol chunk
        return 1


def run_universe(client, rules: Any, symbols: Sequence[str], loader: Callable[[str], Any], *,
                 chunk_size: int | None = None, universe: str | None = None, start: Any = None,
                 end: Any = None, exact: bool = False, values: str = "wide") -> pd.DataFrame:
    """Runs universe rules over `symbols` on a Dask cluster; returns the events as
    `Program.run` would for the whole universe on one machine (same rows, order, columns
    and values). `loader(name)` runs on the workers and returns a pandas Series (or a CSV
    path) for each member and each other series the rules read. `chunk_size`: members per
    part (default: the symbols shared evenly among the cluster's workers, in parts of at
    most 100 members). `start`/`end`
    as in Program.run; `exact` needs rules without cross-sectional operators.
    `values="long"`: instead of one column per value name (one per member, for `for each`
    rules: a wide, mostly empty frame for a large universe), one row per event value with
    columns value_name (categorical) and value, events in the same order."""
    text, name = _source(rules)
    if values not in ("wide", "long"):
        raise ValueError(f"run_universe: values is 'wide' or 'long', not {values!r}")
    symbols = [str(s) for s in symbols]
    if not symbols:
        raise ValueError("run_universe: no symbols")
    bad = [s for s in symbols if not _NAME.match(s)]
    if bad:
        raise ValueError(f"run_universe: '{bad[0]}' is not a series name rules can use")
    if len({s.lower() for s in symbols}) != len(symbols):
        raise ValueError("run_universe: a symbol is listed twice")
    universe, each_rules = _universe_name(text, name, universe)
    if chunk_size is None:  # the symbols shared evenly, in parts of at most _DEFAULT_PART members
        largest = min(_DEFAULT_PART, max(1, (_MAX_PART_RULES - 100) // max(1, each_rules)))
        workers = _workers(client)
        per_worker = math.ceil(len(symbols) / workers / largest)
        chunk_size = math.ceil(len(symbols) / (workers * per_worker))
    if chunk_size < 1:
        raise ValueError("run_universe: chunk_size must be at least 1")
    start_s, end_s = _ns(start, "start"), _ns(end, "end")
    starts = list(range(0, len(symbols), chunk_size))
    parts = [client.submit(_load, text, name, universe, symbols[i:i + chunk_size], i, loader, pure=False)
             for i in starts]
    surveys = client.gather([client.submit(_survey, p, end_s, pure=False) for p in parts])
    for _times, _xs, diags in surveys:
        _warn([d for d in diags if not d["is_error"]])
        errors = [d for d in diags if d["is_error"]]
        if errors:
            raise DataError("\n".join(d["rendered"].rstrip("\n") for d in errors))
    kinds = [op for op, _line, _column in surveys[0][1]]
    if any(s[1] != surveys[0][1] for s in surveys):
        raise RuntimeError("run_universe: parts compiled different cross-sectional operators")
    if kinds and exact:
        raise ValueError("run_universe: exact=True with cross-sectional operators is not supported "
                         "(their operands cross the network as doubles)")
    timeline = np.unique(np.concatenate([s[0] for s in surveys]))
    timeline_f = client.scatter(timeline, broadcast=True)
    if kinds:
        operands = [client.submit(_operands, p, timeline_f, pure=False) for p in parts]
        reduced = client.submit(_reduce, kinds, *operands, pure=False)
        given = [client.submit(operator.getitem, reduced, k, pure=False) for k in range(len(parts))]
    else:
        given = [[] for _ in parts]
    events = [client.submit(_evaluate, p, timeline_f, g, len(symbols), k == 0, start_s, exact, pure=False)
              for k, (p, g) in enumerate(zip(parts, given))]
    results = client.gather(events)
    for d in results:
        _warn(d["diagnostics"] if d["ok"] else [])
        if not d["ok"]:
            raise DataError("\n".join(x["rendered"].rstrip("\n") for x in d["diagnostics"]))
    return _merge(results, timeline, exact, values)


def run_serial(rules: Any, symbols: Sequence[str], loader: Callable[[str], Any], *,
               universe: str | None = None, start: Any = None, end: Any = None,
               exact: bool = False) -> pd.DataFrame:
    """The same run on this machine in one engine (every member in one program): what
    run_universe's result equals."""
    text, name = _source(rules)
    universe = _universe_name(text, name, universe)[0]
    part = _Part(text, name, universe, [str(s) for s in symbols], 0, loader)
    d = part.program().run(_ns(start, "start"), _ns(end, "end"), exact)
    if not d["ok"]:
        raise DataError("\n".join(x["rendered"].rstrip("\n") for x in d["diagnostics"]))
    _warn(d["diagnostics"])
    return _frame(d, exact)
