#!/usr/bin/python3
"""End-to-end tests of `sluice fetch` against provider_server.py on 127.0.0.1.

    /usr/bin/python3 tests/fetch/test_fetch.py PATH/TO/sluice [unittest names...]

The real sluice binary is run with every provider's base URL pointed at the local server
(SLUICE_FRED_URL, SLUICE_YAHOO_URL, SLUICE_COINGECKO_URL); nothing leaves the machine.
Expected files were written by hand from the fixtures (tests/fetch/fixtures/): which rows
a provider's answer gives, in which order, and what an incremental fetch must ask for
(dates worked out by hand in the comments). Checksums are recomputed here with hashlib.
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SLUICE = None
SERVER = None
BASE = None


def setUpModule():
    global SERVER, BASE
    SERVER = subprocess.Popen([sys.executable, os.path.join(HERE, "provider_server.py")],
                              stdout=subprocess.PIPE, text=True)
    port = SERVER.stdout.readline().strip()
    if not port.isdigit():
        raise RuntimeError("provider_server.py did not start")
    BASE = "http://127.0.0.1:" + port


def tearDownModule():
    SERVER.kill()
    SERVER.wait()


def control(path):
    with urllib.request.urlopen(BASE + path, timeout=10) as r:
        return json.loads(r.read())


def read(path):
    with open(path, "rb") as f:
        return f.read().decode()


WTREGEN_P1 = """date,WTREGEN
2024-01-03,769164
2024-01-10,746532
2024-01-17,814338
2024-01-24,780215
2024-01-31,810765
2024-02-07,802512
"""

# The bars of _RUT.p1.json: 2024-01-04 has a null close (left out); each bar's timestamp
# is 14:30 UTC, 09:30 in New York (gmtoffset -18000), so its date is the same day.
RUT_P1 = """date,close
2024-01-02,1966.3299560546875
2024-01-03,1936.5
2024-01-05,1951.0799560546875
2024-01-08,1980.719970703125
"""


class FetchTest(unittest.TestCase):
    def setUp(self):
        control("/__reset")
        self.dir = tempfile.mkdtemp(prefix="sluice-fetch-")
        self.addCleanup(shutil.rmtree, self.dir)

    def fetch(self, *args, env=None):
        e = {k: v for k, v in os.environ.items()
             if k not in ("FRED_API_KEY", "COINGECKO_API_KEY", "COINGECKO_API_PLAN")}
        e.update(SLUICE_FRED_URL=BASE, SLUICE_YAHOO_URL=BASE, SLUICE_COINGECKO_URL=BASE,
                 SLUICE_FETCH_BACKOFF_MS="10")
        e.update(env or {})
        return subprocess.run([SLUICE, "fetch", *args, "--data", self.dir], env=e,
                              capture_output=True, text=True, timeout=120)

    def ok(self, *args, env=None):
        r = self.fetch(*args, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def failed(self, *args, env=None, status=1):
        r = self.fetch(*args, env=env)
        self.assertEqual(r.returncode, status, r.stderr)
        return r

    def file(self, name):
        return read(os.path.join(self.dir, name))

    def exists(self, name):
        return os.path.exists(os.path.join(self.dir, name))

    def manifest(self):
        with open(os.path.join(self.dir, "sluice-data.json")) as f:
            return json.load(f)

    def requests(self):
        return control("/__log")


class FredTest(FetchTest):
    def test_public_csv_named_by_the_catalogue(self):
        self.ok("fred:WTREGEN")
        self.assertEqual(self.file("wtregen.csv"), WTREGEN_P1)
        [req] = self.requests()
        self.assertEqual(req["path"], "/graph/fredgraph.csv")
        self.assertEqual(req["query"], {"id": "WTREGEN"})

    def test_empty_value_stays_empty_and_id_is_upper_cased(self):
        self.ok("fred:dgs10")
        self.assertEqual(self.file("dgs10.csv"),
                         "date,DGS10\n2024-01-10,4.04\n2024-01-11,3.97\n2024-01-12,3.96\n"
                         "2024-01-15,\n2024-01-16,4.07\n")
        self.assertEqual(self.requests()[0]["query"], {"id": "DGS10"})

    def test_second_fetch_asks_for_recent_dates_appends_and_reports_revisions(self):
        self.ok("fred:WTREGEN")
        control("/__phase?n=2")  # 2024-01-31 revised 810765 -> 810800; 02-14, 02-21 new
        r = self.ok("fred:WTREGEN")
        # Last row 2024-02-07, weekly: three weeks of overlap -> from 2024-01-17.
        self.assertEqual(self.requests()[1]["query"], {"id": "WTREGEN", "cosd": "2024-01-17"})
        self.assertEqual(self.file("wtregen.csv"),
                         WTREGEN_P1 + "2024-02-14,761020\n2024-02-21,744118\n")
        self.assertIn("wtregen: 2024-01-31 revised: 810765 -> 810800 (kept the old value)", r.stderr)
        self.assertIn("(2 new, 0 filled, 1 revised)", r.stderr)
        r = self.ok("fred:WTREGEN", "--revise")
        # Last row now 2024-02-21 -> from 2024-01-31.
        self.assertEqual(self.requests()[2]["query"], {"id": "WTREGEN", "cosd": "2024-01-31"})
        self.assertEqual(self.file("wtregen.csv"),
                         WTREGEN_P1.replace("810765", "810800") +
                         "2024-02-14,761020\n2024-02-21,744118\n")
        self.assertIn("wtregen: 2024-01-31 revised: 810765 -> 810800\n", r.stderr)

    def test_api_with_key_gives_the_same_file_and_hides_the_key(self):
        key = {"FRED_API_KEY": "test-fred-key"}
        r = self.ok("fred:WTREGEN", env=key)
        self.assertEqual(self.file("wtregen.csv"), WTREGEN_P1)
        [req] = self.requests()
        self.assertEqual(req["path"], "/fred/series/observations")
        self.assertEqual(req["query"], {"series_id": "WTREGEN", "file_type": "json",
                                        "api_key": "test-fred-key"})
        self.assertNotIn("test-fred-key", r.stderr)
        self.assertNotIn("test-fred-key", self.file("sluice-data.json"))
        control("/__phase?n=2")
        self.ok("fred:WTREGEN", env=key)
        self.assertEqual(self.requests()[1]["query"]["observation_start"], "2024-01-17")
        self.assertEqual(self.file("wtregen.csv"),
                         WTREGEN_P1 + "2024-02-14,761020\n2024-02-21,744118\n")

    def test_api_dot_is_an_empty_cell(self):
        self.ok("fred:DGS10", env={"FRED_API_KEY": "test-fred-key"})  # 2024-01-15 is "."
        self.assertIn("\n2024-01-15,\n", self.file("dgs10.csv"))

    def test_vintage_through_alfred_real_time_period(self):
        self.ok("fred:WALCL@2024-01-12", env={"FRED_API_KEY": "test-fred-key"})
        # The values as published on 2024-01-12 (fixture WALCL@2024-01-12), not today's.
        self.assertEqual(self.file("walcl_20240112.csv"),
                         "date,WALCL\n2024-01-03,7713600\n2024-01-10,7738100\n")
        q = self.requests()[0]["query"]
        self.assertEqual((q["realtime_start"], q["realtime_end"]), ("2024-01-12", "2024-01-12"))
        self.assertEqual(self.manifest()["series"]["walcl_20240112"]["source"],
                         "fred:WALCL@2024-01-12")

    def test_vintage_needs_a_key(self):
        r = self.failed("fred:WALCL@2024-01-12")
        self.assertIn("set FRED_API_KEY", r.stderr)
        self.assertEqual(self.requests(), [])
        self.assertFalse(self.exists("walcl_20240112.csv"))

    def test_unknown_series_is_a_404_and_writes_nothing(self):
        r = self.failed("fred:NOSUCH")
        self.assertIn("HTTP 404 from " + BASE + "/graph/fredgraph.csv?id=NOSUCH", r.stderr)
        self.assertFalse(self.exists("nosuch.csv"))

    def test_rejected_key_reports_fred_error_message(self):
        r = self.failed("fred:WTREGEN", env={"FRED_API_KEY": "wrong"})
        # The message is read out of FRED's multi-line JSON error body.
        self.assertIn("HTTP 400 from " + BASE + "/fred/series/observations?series_id=WTREGEN"
                      "&file_type=json: Bad Request.  The value for variable api_key is not "
                      "registered.", r.stderr)
        self.assertNotIn("wrong", r.stderr.replace("wrong shape", ""))


class YahooTest(FetchTest):
    def test_daily_closes_from_the_chart_api(self):
        r = self.ok("yahoo:^RUT")
        self.assertEqual(self.file("rut.csv"), RUT_P1)
        self.assertIn("1 bar(s) without a close (null) left out", r.stderr)
        [req] = self.requests()
        self.assertEqual(req["path"], "/v8/finance/chart/%5ERUT")
        self.assertEqual(req["query"]["period1"], "-2208988800")  # 1900-01-01
        self.assertEqual(req["query"]["interval"], "1d")

    def test_crypto_bars_at_midnight_utc_named_by_the_catalogue(self):
        self.ok("yahoo:BTC-USD")
        # Timestamps 1704067200.. are 2024-01-01 00:00 UTC.., gmtoffset 0.
        self.assertEqual(self.file("btc.csv"), "date,close\n2024-01-01,44187.140625\n"
                         "2024-01-02,45922.1\n2024-01-03,42848.17578125\n")

    def test_second_fetch_appends_and_reports_revision(self):
        self.ok("yahoo:^RUT")
        control("/__phase?n=2")  # 2024-01-05 revised; 01-09 and 01-10 new
        r = self.ok("yahoo:^RUT")
        # Last row 2024-01-08, daily: a week of overlap -> 2024-01-01 00:00 UTC.
        self.assertEqual(self.requests()[1]["query"]["period1"], "1704067200")
        self.assertEqual(self.file("rut.csv"),
                         RUT_P1 + "2024-01-09,1960.5\n2024-01-10,1972.3399658203125\n")
        self.assertIn("rut: 2024-01-05 revised: 1951.0799560546875 -> 1951.25 (kept the old value)",
                      r.stderr)

    def test_bar_of_a_session_still_trading_is_left_for_later(self):
        # _GSPC.p1.json: the regular session that began with the 2024-01-03 bar
        # (1704292200) ends in 2100 (4102444800), so that bar's close is not final yet.
        r = self.ok("yahoo:^GSPC")
        self.assertEqual(self.file("gspc.csv"), "date,close\n2024-01-02,4742.830078125\n")
        self.assertIn("the bar of 2024-01-03 is still trading; left out", r.stderr)

    def test_unknown_symbol_reports_the_chart_error(self):
        r = self.failed("yahoo:NOPE")
        self.assertIn("HTTP 404 from " + BASE + "/v8/finance/chart/NOPE?period1=", r.stderr)
        self.assertIn(": No data found, symbol may be delisted", r.stderr)
        self.assertFalse(self.exists("nope.csv"))

    def test_as_names_the_file_and_finds_the_catalogue_row(self):
        self.ok("yahoo:^RUT", "--as", "russell")
        self.assertEqual(self.file("russell.csv"), RUT_P1)
        entry = self.manifest()["series"]["russell"]
        self.assertEqual((entry["source"], entry["units"], entry["publication_lag"]),
                         ("yahoo:^RUT", "index points", "0d"))


ETHEREUM_P1 = """date,price
2024-03-01,3341.628301232741
2024-03-02,3433.45117233617
2024-03-03,3421.0987765432
2024-03-04,3487.1
2024-03-05,3627.4501
"""


class NamingTest(FetchTest):
    def test_name_equals_spec_names_each_of_several(self):
        self.ok("alts=coingecko:ethereum", "russell=yahoo:^RUT", "fred:WTREGEN")
        self.assertEqual(self.file("alts.csv"), ETHEREUM_P1)
        self.assertEqual(self.file("russell.csv"), RUT_P1)
        self.assertEqual(self.file("wtregen.csv"), WTREGEN_P1)
        self.assertEqual(self.manifest()["series"]["alts"]["source"], "coingecko:ethereum")

    def test_equals_sign_after_the_colon_belongs_to_the_id(self):
        r = self.failed("yahoo:GC=F")  # no fixture: Yahoo's 404 for an unknown symbol
        self.assertEqual(self.requests()[0]["path"], "/v8/finance/chart/GC%3DF")
        self.assertIn("yahoo:GC=F: HTTP 404", r.stderr)

    def test_bad_name(self):
        r = self.failed(".hidden=fred:WTREGEN", status=2)
        self.assertIn("a name is letters, digits", r.stderr)


class CoinGeckoTest(FetchTest):
    def test_daily_prices_without_the_live_one(self):
        r = self.ok("coingecko:ethereum")
        # The last point, 1709646432345 ms = 2024-03-05 13:47 UTC, is the live price.
        self.assertEqual(self.file("ethereum.csv"), ETHEREUM_P1)
        self.assertIn("1 intraday price(s) (not a daily snapshot) left out", r.stderr)
        [req] = self.requests()
        self.assertEqual(req["path"], "/api/v3/coins/ethereum/market_chart")
        self.assertEqual(req["query"], {"vs_currency": "usd", "days": "365", "interval": "daily"})
        self.assertNotIn("x-cg-demo-api-key", req["headers"])

    def test_demo_key_goes_in_its_header_not_the_manifest(self):
        r = self.ok("coingecko:ethereum", env={"COINGECKO_API_KEY": "cg-demo-secret"})
        self.assertEqual(self.requests()[0]["headers"]["x-cg-demo-api-key"], "cg-demo-secret")
        self.assertNotIn("cg-demo-secret", self.file("sluice-data.json"))
        self.assertNotIn("cg-demo-secret", r.stderr)

    def test_pro_plan_asks_for_the_whole_history_with_its_header(self):
        self.ok("coingecko:ethereum", env={"COINGECKO_API_KEY": "cg-pro-secret",
                                           "COINGECKO_API_PLAN": "pro"})
        [req] = self.requests()
        self.assertEqual(req["headers"]["x-cg-pro-api-key"], "cg-pro-secret")
        self.assertNotIn("x-cg-demo-api-key", req["headers"])
        self.assertEqual(req["query"]["days"], "max")
        self.assertEqual(self.file("ethereum.csv"), ETHEREUM_P1)

    def test_second_fetch_asks_for_the_days_since_the_overlap(self):
        self.ok("coingecko:ethereum")
        self.ok("coingecko:ethereum")
        # Last row 2024-03-05; ethereum is not in the catalogue: two weeks of overlap ->
        # 2024-02-20; days = the days from then to today, + 1, at most 365 on the public API.
        start = datetime.date(2024, 2, 20)
        expect = (datetime.datetime.now(datetime.timezone.utc).date() - start).days + 1
        days = int(self.requests()[1]["query"]["days"])
        if expect - 1 > 365:
            self.assertEqual(days, 365)
        else:
            self.assertIn(days, (expect - 1, expect))
        self.assertEqual(self.file("ethereum.csv"), ETHEREUM_P1)

    def test_recent_file_asks_for_few_days(self):
        # A file ending yesterday: a fetch asks for 14 days of overlap + 1, not 365.
        yesterday = datetime.datetime.now(datetime.timezone.utc).date() - datetime.timedelta(days=1)
        with open(os.path.join(self.dir, "ethereum.csv"), "w") as f:
            f.write("date,price\n%s,3000\n" % yesterday.isoformat())
        self.ok("coingecko:ethereum")
        self.assertIn(int(self.requests()[0]["query"]["days"]), (15, 16))

    def test_unknown_coin(self):
        r = self.failed("coingecko:nosuchcoin")
        self.assertIn("HTTP 404", r.stderr)
        self.assertIn("coin not found", r.stderr)

    def test_json_of_the_wrong_shape(self):
        control("/__fault?kinds=badjson")
        r = self.failed("coingecko:ethereum")
        self.assertIn("did not answer with CoinGecko's market-chart JSON (no 'prices' list)", r.stderr)
        self.assertFalse(self.exists("ethereum.csv"))


RATES_P1 = "Date,Rate\n2024-01-02,5.33\n2024-01-03,5.31\n2024-01-04,5.32\n"


class FileTest(FetchTest):
    def url(self):
        return "file:" + BASE + "/files/rates.csv"

    def test_csv_saved_as_it_came(self):
        self.ok(self.url())
        self.assertEqual(self.file("rates.csv"), RATES_P1)

    def test_second_fetch_takes_new_rows(self):
        self.ok(self.url())
        control("/__phase?n=2")
        self.ok(self.url())
        self.assertEqual(self.file("rates.csv"), RATES_P1 + "2024-01-05,5.30\n")

    def test_changed_or_dropped_past_rows_need_revise(self):
        self.ok(self.url())
        control("/__phase?n=3")  # drops 2024-01-02, changes 2024-01-04 5.32 -> 5.35
        r = self.failed(self.url())
        self.assertIn("rates: 2024-01-04 revised: 5.32 -> 5.35", r.stderr)
        self.assertIn("the download lacks 1 date(s) the file has (the first: 2024-01-02)", r.stderr)
        self.assertIn("left as it was", r.stderr)
        self.assertEqual(self.file("rates.csv"), RATES_P1)
        self.ok(self.url(), "--revise")
        self.assertEqual(self.file("rates.csv"), read(os.path.join(HERE, "fixtures/files/rates.p3.csv")))

    def test_every_column_of_a_wide_file_is_compared(self):
        url = "file:" + BASE + "/files/ohlc.csv"
        self.ok(url)
        control("/__phase?n=2")  # Adj Close revised on both days (a dividend); Close unchanged
        r = self.failed(url)
        self.assertIn("ohlc:Adj Close: 2024-01-02 revised: 99.0 -> 98.7 (kept the old value)", r.stderr)
        self.assertIn("ohlc:Adj Close: 2024-01-03 revised: 100.5 -> 100.2 (kept the old value)", r.stderr)
        self.assertNotIn("ohlc:Close:", r.stderr)
        self.assertEqual(self.file("ohlc.csv"), read(os.path.join(HERE, "fixtures/files/ohlc.p1.csv")))
        r = self.ok(url, "--revise")
        self.assertIn("(1 new dates)", r.stderr)
        self.assertEqual(self.file("ohlc.csv"), read(os.path.join(HERE, "fixtures/files/ohlc.p2.csv")))

    def test_never_replaces_a_file_it_did_not_write(self):
        mine = "date,value\n2020-01-01,1\n"
        with open(os.path.join(self.dir, "rates.csv"), "w") as f:
            f.write(mine)
        r = self.failed(self.url())
        self.assertIn("was not written by sluice fetch", r.stderr)
        self.assertEqual(self.file("rates.csv"), mine)

    def test_query_string_stays_out_of_the_manifest(self):
        self.ok("file:" + BASE + "/files/rates.csv?apikey=hidden-value")
        self.assertNotIn("hidden-value", self.file("sluice-data.json"))
        self.assertEqual(self.manifest()["series"]["rates"]["source"],
                         "file:" + BASE + "/files/rates.csv?...")


class FailureTest(FetchTest):
    def assert_untouched(self, name, before, manifest_before):
        self.assertEqual(self.file(name), before)
        self.assertEqual(self.file("sluice-data.json"), manifest_before)

    def test_500_then_503_then_success_is_retried(self):
        control("/__fault?kinds=500,503")
        r = self.ok("fred:WTREGEN")
        self.assertEqual(len(self.requests()), 3)
        self.assertIn("HTTP 500; retrying", r.stderr)
        self.assertIn("HTTP 503; retrying", r.stderr)
        self.assertEqual(self.file("wtregen.csv"), WTREGEN_P1)

    def test_5xx_after_the_last_retry_keeps_the_old_file(self):
        self.ok("fred:WTREGEN")
        before, manifest_before = self.file("wtregen.csv"), self.file("sluice-data.json")
        control("/__phase?n=2")
        control("/__fault?kinds=500,500,500")
        r = self.failed("fred:WTREGEN", "--retries", "1")
        self.assertIn("HTTP 500 from", r.stderr)
        self.assertIn("(after 2 attempts)", r.stderr)
        self.assertIn("wtregen.csv left as it was", r.stderr)
        self.assertEqual(len(self.requests()), 3)
        self.assert_untouched("wtregen.csv", before, manifest_before)

    def test_429_with_a_long_retry_after_is_reported_not_waited_for(self):
        control("/__fault?kinds=429")
        r = self.failed("coingecko:ethereum")
        self.assertIn("rate limited (HTTP 429), the server asks to retry after 3600 s from "
                      + BASE + "/api/v3/coins/ethereum/market_chart", r.stderr)
        self.assertIn(": You've exceeded the Rate Limit.", r.stderr)
        self.assertEqual(len(self.requests()), 1)

    def test_429_with_a_short_retry_after_is_waited_for(self):
        control("/__fault?kinds=429short")
        r = self.ok("coingecko:ethereum")
        self.assertIn("retry after 1 s; retrying in 1.0 s", r.stderr)
        self.assertEqual(len(self.requests()), 2)
        self.assertEqual(self.file("ethereum.csv"), ETHEREUM_P1)

    def test_truncated_body_keeps_the_old_file(self):
        self.ok("yahoo:^RUT")
        before, manifest_before = self.file("rut.csv"), self.file("sluice-data.json")
        control("/__phase?n=2")
        control("/__fault?kinds=truncated,truncated")
        r = self.failed("yahoo:^RUT", "--retries", "1")
        self.assertIn("the download was cut short", r.stderr)
        self.assert_untouched("rut.csv", before, manifest_before)

    def test_html_page_with_status_200(self):
        self.ok("yahoo:^RUT")
        before, manifest_before = self.file("rut.csv"), self.file("sluice-data.json")
        control("/__fault?kinds=html")
        r = self.failed("yahoo:^RUT")
        self.assertIn("the server answered with an HTML page instead of the chart API's JSON", r.stderr)
        self.assert_untouched("rut.csv", before, manifest_before)

    def test_timeout(self):
        control("/__fault?kinds=slow")
        r = self.failed("fred:WTREGEN", "--timeout", "1", "--retries", "0")
        self.assertIn("no complete answer within --timeout 1 s", r.stderr)
        self.assertFalse(self.exists("wtregen.csv"))

    def test_one_failure_does_not_stop_the_others(self):
        r = self.failed("fred:NOSUCH", "fred:WTREGEN")
        self.assertIn("1 of 2 series failed", r.stderr)
        self.assertEqual(self.file("wtregen.csv"), WTREGEN_P1)
        self.assertEqual(list(self.manifest()["series"]), ["wtregen"])

    def test_usage_errors(self):
        self.assertIn("unknown provider 'quandl'", self.failed("quandl:X", status=2).stderr)
        self.assertIn("--timeout expects whole seconds",
                      self.failed("fred:WTREGEN", "--timeout", "0", status=2).stderr)
        self.assertIn("--as names one series",
                      self.failed("fred:WTREGEN", "fred:DGS10", "--as", "x", status=2).stderr)
        self.assertEqual(self.requests(), [])

    def test_name_taken_by_another_source(self):
        self.ok("fred:WTREGEN", "--as", "tga")
        r = self.failed("yahoo:^RUT", "--as", "tga")
        self.assertIn("holds fred:WTREGEN, not yahoo:^RUT", r.stderr)
        self.assertEqual(self.file("tga.csv"), WTREGEN_P1)


class ManifestTest(FetchTest):
    def check_entry(self, name, entry):
        text = self.file(entry["file"])
        lines = text.splitlines()
        self.assertEqual(entry["file"], name + ".csv")
        self.assertEqual(entry["sha256"], hashlib.sha256(text.encode()).hexdigest())
        self.assertEqual(entry["rows"], len(lines) - 1)
        self.assertEqual(entry["first"], lines[1].split(",")[0])
        self.assertEqual(entry["last"], lines[-1].split(",")[0])
        self.assertRegex(entry["fetched_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

    def test_manifest_matches_the_files(self):
        self.ok("fred:WTREGEN", "yahoo:^RUT", "coingecko:ethereum", "file:" + BASE + "/files/rates.csv")
        m = self.manifest()
        self.assertEqual(m["version"], 1)
        self.assertEqual(sorted(m["series"]), ["ethereum", "rates", "rut", "wtregen"])
        for name, entry in m["series"].items():
            self.check_entry(name, entry)
        w = m["series"]["wtregen"]
        # From the series catalogue (interpreter/data/catalog.cpp): H.4.1, weekly, 1 day lag.
        self.assertEqual((w["source"], w["units"], w["frequency"], w["publication_lag"]),
                         ("fred:WTREGEN", "millions of USD", "weekly", "1d"))
        self.assertEqual(w["url"], BASE + "/graph/fredgraph.csv?id=WTREGEN")
        self.assertEqual((w["first"], w["last"], w["rows"]), ("2024-01-03", "2024-02-07", 6))
        self.assertEqual(m["series"]["ethereum"]["units"], "")  # not in the catalogue

    def test_incremental_fetch_updates_the_entry(self):
        self.ok("fred:WTREGEN")
        control("/__phase?n=2")
        self.ok("fred:WTREGEN", "fred:DGS10")
        m = self.manifest()
        self.check_entry("wtregen", m["series"]["wtregen"])
        self.check_entry("dgs10", m["series"]["dgs10"])
        self.assertEqual((m["series"]["wtregen"]["last"], m["series"]["wtregen"]["rows"]),
                         ("2024-02-21", 8))
        self.assertEqual(m["series"]["wtregen"]["url"],
                         BASE + "/graph/fredgraph.csv?id=WTREGEN&cosd=2024-01-17")


class RunTest(FetchTest):
    def test_sluice_run_reads_the_fetched_folder(self):
        self.ok("yahoo:^RUT", "--as", "russell")
        self.ok("fred:WTREGEN", "--as", "tga")
        rules = os.path.join(self.dir, "rules.sluice")
        with open(rules, "w") as f:
            f.write("russell breaks 1970 then watch russell\n")
        r = subprocess.run([SLUICE, "run", rules, "--data", self.dir, "--format", "csv"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        # Closes 1951.08 on 2024-01-05, then 1980.72 on 2024-01-08: the one break above 1970.
        self.assertEqual(len(re.findall(r"2024-01-08", r.stdout)), 1, r.stdout)
        self.assertNotIn("2024-01-05", r.stdout)


REAL_DATA = os.environ.get("SLUICE_SHARED_DATA",
                           os.path.join(HERE, "..", "..", "..", "shared", "data", "real"))


class RealDataTest(FetchTest):
    """FRED's own downloads (../shared/data/real, read in place, never copied) served as
    fredgraph.csv answers: thousands of rows, holidays as empty cells."""

    def serve(self, series_id, file_name):
        path = os.path.abspath(os.path.join(REAL_DATA, file_name))
        control("/__file?provider=fred&name=%s&path=%s" % (series_id, urllib.request.quote(path)))
        return read(path)

    def test_real_fred_downloads_round_trip(self):
        for series_id, file_name, stem in (("DGS10", "dgs10.csv", "dgs10"),
                                           ("WALCL", "walcl.csv", "walcl"),
                                           ("BAMLH0A0HYM2", "hy_oas.csv", "hy_oas")):
            original = self.serve(series_id, file_name)
            lines = original.splitlines()
            self.assertEqual(lines[0], "observation_date," + series_id)
            # Independently: the same rows under the header fetch writes, "." as an empty cell.
            expected = "date,%s\n" % series_id + "".join(
                (l[:-1] if l.endswith(",.") else l) + "\n" for l in lines[1:] if l)
            self.ok("fred:" + series_id)
            self.assertEqual(self.file(stem + ".csv"), expected)
            entry = self.manifest()["series"][stem]
            self.assertEqual(entry["rows"], len(lines) - 1)
            self.assertEqual((entry["first"], entry["last"]),
                             (lines[1].split(",")[0], lines[-1].split(",")[0]))
            # Fetched again: nothing new, nothing revised, the file byte for byte the same.
            r = self.ok("fred:" + series_id)
            self.assertIn("(0 new, 0 filled, 0 revised)", r.stderr)
            self.assertEqual(self.file(stem + ".csv"), expected)


if __name__ == "__main__":
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: test_fetch.py PATH/TO/sluice [unittest names...]")
    SLUICE = os.path.abspath(sys.argv[1])
    if "RealDataTest" in sys.argv[2:] and not os.path.isdir(REAL_DATA):
        print("skipped: the real data folder %s is absent" % REAL_DATA)
        sys.exit(77)  # CTest's SKIP_RETURN_CODE for fetch_real_data
    unittest.main(argv=[sys.argv[0]] + sys.argv[2:], verbosity=2)
