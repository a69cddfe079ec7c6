#!/usr/bin/python3
"""Embedding Sluice from Python through its C API (include/sluice/sluice.h) with ctypes.

    python3 sluice_example.py path/to/libsluice.so path/to/examples

Registers the example data, compiles examples/rotation.sluice plus a rule that calls a Python
function, runs it over history (batch), then streams the same observations through a session
and checks that both report the same events. Exits non-zero on any mismatch (CTest runs it).
"""
import ctypes
import csv
import math
import os
import sys


class Event(ctypes.Structure):
    _fields_ = [
        ("time", ctypes.c_int64),
        ("point", ctypes.c_size_t),
        ("rule", ctypes.c_char_p),
        ("action_count", ctypes.c_size_t),
        ("actions", ctypes.POINTER(ctypes.c_char_p)),
        ("value_count", ctypes.c_size_t),
        ("value_names", ctypes.POINTER(ctypes.c_char_p)),
        ("values", ctypes.POINTER(ctypes.c_double)),
        ("message_count", ctypes.c_size_t),
        ("messages", ctypes.POINTER(ctypes.c_char_p)),
    ]


EVENT_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.POINTER(Event), ctypes.c_void_p)
HOST_FUNCTION = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.POINTER(ctypes.c_double), ctypes.c_size_t,
                                 ctypes.c_void_p)


def load(path):
    lib = ctypes.CDLL(path)
    sig = {
        "sluice_version": (ctypes.c_char_p, []),
        "sluice_format_time": (ctypes.c_size_t, [ctypes.c_int64, ctypes.c_char_p, ctypes.c_size_t]),
        "sluice_parse_date": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64)]),
        "sluice_engine_new": (ctypes.c_void_p, [ctypes.c_void_p]),
        "sluice_engine_free": (None, [ctypes.c_void_p]),
        "sluice_engine_last_error": (ctypes.c_char_p, [ctypes.c_void_p]),
        "sluice_engine_add_series_csv": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p,
                                                        ctypes.c_char_p, ctypes.c_char_p]),
        "sluice_engine_add_function": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint,
                                                      HOST_FUNCTION, ctypes.c_void_p, ctypes.c_int64]),
        "sluice_compile": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                             ctypes.c_char_p]),
        "sluice_program_free": (None, [ctypes.c_void_p]),
        "sluice_program_run": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]),
        "sluice_events_ok": (ctypes.c_int, [ctypes.c_void_p]),
        "sluice_events_error": (ctypes.c_char_p, [ctypes.c_void_p]),
        "sluice_events_count": (ctypes.c_size_t, [ctypes.c_void_p]),
        "sluice_events_get": (ctypes.POINTER(Event), [ctypes.c_void_p, ctypes.c_size_t]),
        "sluice_events_free": (None, [ctypes.c_void_p]),
        "sluice_program_stream": (ctypes.c_void_p, [ctypes.c_void_p, EVENT_CALLBACK, ctypes.c_void_p]),
        "sluice_session_free": (None, [ctypes.c_void_p]),
        "sluice_session_push": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int64,
                                               ctypes.c_double]),
        "sluice_push_status_text": (ctypes.c_char_p, [ctypes.c_int]),
        "sluice_session_advance_to": (ctypes.c_size_t, [ctypes.c_void_p, ctypes.c_int64]),
        "sluice_session_finish": (ctypes.c_size_t, [ctypes.c_void_p]),
    }
    for name, (restype, argtypes) in sig.items():
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = argtypes
    return lib


def to_python(e):
    """A sluice_event as a plain tuple (the C pointers are only valid during the call)."""
    e = e.contents
    return (e.time, e.rule.decode(),
            tuple(e.actions[i].decode() for i in range(e.action_count)),
            tuple((e.value_names[i].decode(), None if math.isnan(e.values[i]) else e.values[i])
                  for i in range(e.value_count)),
            tuple(e.messages[i].decode() for i in range(e.message_count)))


def read_observations(lib, path, name):
    """(time, name, value) for the default column, as the loader picks it for these files."""
    out = []
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        column = header.index("Close") if "Close" in header else 1
        for row in rows:
            t = ctypes.c_int64()
            if row[column] in ("", ".") or lib.sluice_parse_date(row[0].encode(), ctypes.byref(t)) != 0:
                continue
            out.append((t.value, name, float(row[column])))
    return out


def main():
    lib_path, examples = sys.argv[1], sys.argv[2]
    lib = load(lib_path)
    print("sluice", lib.sluice_version().decode())

    engine = lib.sluice_engine_new(None)  # safe defaults: no file access from rule text
    names = ["alts", "btc", "hy_spread", "russell", "spx", "tga"]
    for name in names:
        path = os.path.join(examples, "data", name + ".csv")
        if lib.sluice_engine_add_series_csv(engine, name.encode(), path.encode(), None) != 0:
            sys.exit("add_series_csv: " + lib.sluice_engine_last_error(engine).decode())

    # A host function written in Python: the spread between two series, in percent.
    @HOST_FUNCTION
    def spread_pct(args, count, user):
        a, b = args[0], args[1]
        return math.nan if b == 0 else 100.0 * (a - b) / b

    if lib.sluice_engine_add_function(engine, b"spread_pct", 2, spread_pct, None, 0) != 0:
        sys.exit(lib.sluice_engine_last_error(engine).decode())

    with open(os.path.join(examples, "rotation.sluice"), "rb") as f:
        source = f.read()
    source += b'\nrule "wide": when spread_pct(russell, spx / 2) crosses above 20 then alert "{spread_pct(russell, spx / 2)}%"\n'
    program = lib.sluice_compile(engine, source, len(source), b"rotation.sluice")
    if not program:
        sys.exit(lib.sluice_engine_last_error(engine).decode())

    # Batch: the whole history at once.
    events = lib.sluice_program_run(program, None, None)
    if not lib.sluice_events_ok(events):
        sys.exit(lib.sluice_events_error(events).decode())
    batch = [to_python(lib.sluice_events_get(events, i)) for i in range(lib.sluice_events_count(events))]
    lib.sluice_events_free(events)

    # Streaming: the same observations, date by date; events arrive through the callback.
    streamed = []

    @EVENT_CALLBACK
    def on_event(e, user):
        streamed.append(to_python(e))

    session = lib.sluice_program_stream(program, on_event, None)
    observations = sorted(o for n in names for o in read_observations(
        lib, os.path.join(examples, "data", n + ".csv"), n))
    previous = None
    for t, name, value in observations:
        if previous is not None and t > previous:
            lib.sluice_session_advance_to(session, previous)
        previous = t
        status = lib.sluice_session_push(session, name.encode(), t, value)
        if status != 0:
            sys.exit(f"push {name}: {lib.sluice_push_status_text(status).decode()}")
    lib.sluice_session_finish(session)
    late = lib.sluice_session_push(session, b"btc", observations[0][0], 1.0)
    lib.sluice_session_free(session)

    buf = ctypes.create_string_buffer(32)
    for t, rule, actions, values, messages in batch[:5]:
        lib.sluice_format_time(t, buf, len(buf))
        print(buf.value.decode(), rule, ", ".join(actions), " ".join(messages))
    print(f"{len(batch)} events in batch, {len(streamed)} streamed; "
          f"a late push says: {lib.sluice_push_status_text(late).decode()}")
    wide = [e for e in batch if e[1] == "wide"]

    lib.sluice_program_free(program)
    lib.sluice_engine_free(engine)
    if batch != streamed or not batch or not wide:
        sys.exit("FAIL: stream and batch differ (or no events)")
    print("OK: stream == batch, host function called")


if __name__ == "__main__":
    main()
