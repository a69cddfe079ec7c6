#!/usr/bin/python3
"""A stand-in for FRED, Yahoo Finance's chart API and CoinGecko on 127.0.0.1, for the
`sluice fetch` tests (tests/fetch/test_fetch.py). It answers the same paths and query
parameters as the real services (docs/data.md, "Providers"), from the hand-written
fixtures in tests/fetch/fixtures/, and filters by the date parameters as they do, so an
incremental fetch gets only what it asked for.

Fixture files are named ID.pN.ext: N is the "phase" the test has set (1 by default), so a
test can make the provider publish new rows or revise old ones between two fetches; the
highest N up to the phase is served.

Control paths, used only by the tests:
  /__reset              phase 1, no faults, empty request log
  /__phase?n=N          serve the pN fixtures from now on
  /__fault?kinds=A,B    the next requests (one per kind, in order) fail as described:
                        500, 503, 404, 429 (Retry-After 3600), 429short (Retry-After 1),
                        truncated (Content-Length larger than the body, then the
                        connection closes), html (an HTML page with status 200),
                        badjson (JSON of the wrong shape with status 200),
                        slow (answers after 5 s)
  /__log                the requests served so far, as JSON: [{"path", "query", "headers"}]
  /__file?provider=P&name=N&path=F
                        serve file F as P's data for N (the real FRED downloads in
                        ../shared/data/real)

Prints the port it listens on, then serves until killed.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

state_lock = threading.Lock()
state = {"phase": 1, "faults": [], "log": [], "files": {}}

HTML_PAGE = (b"<!DOCTYPE html>\n<html><head><title>Consent</title></head>"
             b"<body><p>Before you continue, accept our cookies.</p></body></html>\n")


def fixture(provider, name, ext):
    """The bytes of fixtures/PROVIDER/NAME.pN.EXT for the highest N up to the current
    phase (a series without a newer fixture has not changed), or None. A file set with
    /__file serves instead, in every phase."""
    if (provider, name) in state["files"]:
        with open(state["files"][(provider, name)], "rb") as f:
            return f.read()
    for phase in range(state["phase"], 0, -1):
        path = os.path.join(FIXTURES, provider, "%s.p%d.%s" % (name, phase, ext))
        if os.path.isfile(path):
            with open(path, "rb") as f:
                return f.read()
    return None


def fred_csv_rows(body):
    """fredgraph.csv bytes -> (header line, [(date, value)])."""
    lines = body.decode().splitlines()
    return lines[0], [tuple(line.split(",", 1)) for line in lines[1:] if line]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet: the tests read /__log instead
        pass

    def send(self, status, body, content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path.startswith("/__"):
            return self.control(url.path, query)
        with state_lock:
            state["log"].append({"path": url.path, "query": query,
                                 "headers": {k.lower(): v for k, v in self.headers.items()}})
            fault = state["faults"].pop(0) if state["faults"] else None
        if fault and self.fail(fault):
            return
        if url.path == "/graph/fredgraph.csv":
            return self.fred_graph(query)
        if url.path == "/fred/series/observations":
            return self.fred_api(query)
        if url.path.startswith("/v8/finance/chart/"):
            return self.yahoo(unquote(url.path[len("/v8/finance/chart/"):]), query)
        if url.path.startswith("/api/v3/coins/") and url.path.endswith("/market_chart"):
            return self.coingecko(url.path[len("/api/v3/coins/"):-len("/market_chart")])
        if url.path.startswith("/files/"):
            body = fixture("files", url.path[len("/files/"):].rsplit(".", 1)[0], "csv")
            if body is None:
                return self.send(404, b"Not Found\n", "text/plain")
            return self.send(200, body, "text/csv")
        self.send(404, b"Not Found\n", "text/plain")

    def control(self, path, query):
        with state_lock:
            if path == "/__reset":
                state.update(phase=1, faults=[], log=[], files={})
            elif path == "/__file":
                state["files"][(query["provider"], query["name"])] = query["path"]
            elif path == "/__phase":
                state["phase"] = int(query["n"])
            elif path == "/__fault":
                state["faults"].extend(query["kinds"].split(","))
            elif path == "/__log":
                return self.send(200, json.dumps(state["log"]).encode())
        self.send(200, b"{}")

    def fail(self, kind):
        """Answers with fault `kind`; False when `kind` means no fault."""
        if kind in ("500", "503"):
            self.send(int(kind), b"<html><body>Internal error</body></html>\n", "text/html")
        elif kind == "404":
            self.send(404, b"Not Found\n", "text/plain")
        elif kind in ("429", "429short"):
            # CoinGecko's rate-limit answer (its docs: error 429, "You've exceeded the Rate Limit").
            body = b'{"status":{"error_code":429,"error_message":"You\'ve exceeded the Rate Limit."}}'
            self.send(429, body, headers=[("Retry-After", "3600" if kind == "429" else "1")])
        elif kind == "truncated":
            body = b'{"chart":{"result":[{"meta":{"currency":"USD"},"timestamp":[1704205800,'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) + 4000))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
        elif kind == "badjson":
            self.send(200, b'{"prices": "soon"}')
        elif kind == "html":
            self.send(200, HTML_PAGE, "text/html; charset=utf-8")
        elif kind == "slow":
            time.sleep(5)
            try:
                self.send(503, b"late\n", "text/plain")
            except OSError:
                pass  # the client gave up, as it should
        else:
            return False
        return True

    # FRED's public download: header `observation_date,ID`, rows from `cosd` on.
    def fred_graph(self, query):
        body = fixture("fred", query.get("id", ""), "csv")
        if body is None:
            return self.send(404, b"Series not found\n", "text/plain")
        header, rows = fred_csv_rows(body)
        start = query.get("cosd", "0000-00-00")
        out = [header] + ["%s,%s" % r for r in rows if r[0] >= start]
        self.send(200, ("\n".join(out) + "\n").encode(), "text/csv")

    # FRED's API (fred/series/observations, file_type=json), from the same CSV fixtures;
    # a vintage (realtime_start = realtime_end) reads the fixture ID@DATE.
    def fred_api(self, query):
        if query.get("api_key") != "test-fred-key":
            # FRED's API writes its JSON errors over several lines (its docs, "Errors").
            return self.send(400, json.dumps({
                "error_code": 400,
                "error_message": "Bad Request.  The value for variable api_key is not registered."
            }, indent=4).encode())
        series = query.get("series_id", "")
        if "realtime_start" in query:
            if query.get("realtime_end") != query["realtime_start"]:
                return self.send(400, b'{"error_code":400,"error_message":"unexpected period"}')
            series += "@" + query["realtime_start"]
        body = fixture("fred", series, "csv")
        if body is None:
            return self.send(400, b'{"error_code":400,"error_message":"Bad Request.  The series '
                             b'does not exist."}')
        _, rows = fred_csv_rows(body)
        start = query.get("observation_start", "1776-07-04")
        real = query.get("realtime_start", "2026-12-07")
        observations = [{"realtime_start": real, "realtime_end": real, "date": d,
                         "value": v if v else "."} for d, v in rows if d >= start]
        self.send(200, json.dumps({
            "realtime_start": real, "realtime_end": real, "observation_start": start,
            "observation_end": "9999-12-31", "units": "lin", "output_type": 1,
            "file_type": "json", "order_by": "observation_date", "sort_order": "asc",
            "count": len(observations), "offset": 0, "limit": 100000,
            "observations": observations}, indent=1).encode())

    # Yahoo's chart API: bars with timestamp in [period1, period2).
    def yahoo(self, symbol, query):
        body = fixture("yahoo", symbol.replace("^", "_"), "json")
        if body is None:
            return self.send(404, b'{"chart":{"result":null,"error":{"code":"Not Found",'
                             b'"description":"No data found, symbol may be delisted"}}}')
        chart = json.loads(body)
        result = chart["chart"]["result"][0]
        lo, hi = int(query.get("period1", 0)), int(query.get("period2", 2**40))
        keep = [i for i, t in enumerate(result["timestamp"]) if lo <= t < hi]
        result["timestamp"] = [result["timestamp"][i] for i in keep]
        quote = result["indicators"]["quote"][0]
        for k in quote:
            quote[k] = [quote[k][i] for i in keep]
        adj = result["indicators"]["adjclose"][0]
        adj["adjclose"] = [adj["adjclose"][i] for i in keep]
        self.send(200, json.dumps(chart).encode())

    # CoinGecko's market_chart: served as written (`days` is checked by the tests).
    def coingecko(self, coin):
        body = fixture("coingecko", coin, "json")
        if body is None:
            return self.send(404, b'{"error":"coin not found"}')
        self.send(200, body)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
