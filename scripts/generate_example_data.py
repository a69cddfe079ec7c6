#!/usr/bin/python3
"""Writes the synthetic example data in examples/data/ (deterministic: fixed seed).

The series look like real downloads (Yahoo, FRED old and new style, generic date,value)
so that `sluice run examples/rotation.sluice --data examples/data` exercises the loader
and the rules on data shaped like 2016-2026 markets. The levels are invented: they
follow the broad shape of the real indices, but the episodes below are placed by hand
so that the rules in examples/rotation.sluice have known answers.

Files (2016-01-04 .. 2026-06-30; crypto from 2016-01-01, 7 days a week):
  russell.csv    Yahoo Date,Open,High,Low,Close,Adj Close,Volume; business days
                 (no rows on Jan 1, Jul 4, Thanksgiving, Dec 25); Russell-2000-like.
  spx.csv        Yahoo, same days; S&P-500-like (~2000 in 2016 to ~7000 in 2026).
  tga.csv        FRED old style DATE,WTREGEN; weekly on Wednesdays; billions USD.
  hy_spread.csv  FRED new style observation_date,BAMLH0A0HYM2; every weekday, the
                 cell left empty on the holidays above (as FRED does); percent.
  btc.csv        Yahoo, 7 days a week; Bitcoin-like.
  alts.csv       generic date,value; an altcoin basket index, 7 days a week.

Hand-placed episodes (designed turning points; the first day each condition holds, as
computed from the written files with the SPEC semantics, is given in brackets):
  * Russell and 2600. Every close is below 2600 except:
    - a false break: 2025-10-15 close 2591.12, 2025-10-16 close 2606.84, above 2600 for
      three sessions, back below on 2025-10-21, while the TGA is rising (rebuild after
      the 2025 debt ceiling: 825.9 on 2025-09-17, 913.8 on 2025-10-15);
    - the clean break: 2026-01-07 close 2597.35, 2026-01-08 close 2612.48, above 2600
      on every day after, while the TGA is falling (peak ~950 on 2025-10-29; 867.6 on
      2025-12-10, 814.1 on 2026-01-07). `russell breaks 2600 and tga falls over 4w`
      holds on 2026-01-08 only.
  * TGA drawdowns (falling over 4 weeks): 2017 and 2019 debt ceilings, 2020-10-21 ..
    2021-10 (1820 down to ~80), 2023-01 .. 2023-06, 2025-01 .. 2025-07, and
    2025-10-29 .. 2026-01-21.
  * Liquidity cascade 2020-21: HY spreads bottom at 4.95% on 2020-06-08 (so the summer
    narrowing is over 60+60 days before November), widen into 2020-10-30 (5.45%) and
    narrow to 3.95% by 2021-02-12 [narrows over 4w from 2020-11-02]; the S&P bottoms
    2020-10-30 [rises over 4w from 2020-11-18]; the Russell lags until 2020-11-04 and
    then outperforms [from 2020-11-10]; the cascade completes on 2020-11-19. BTC stays
    below its 2020-08-17 high until December [new 1-year high 2020-12-02], then keeps
    making new highs into 2021; the alts basket rallies Jan - May 2021.
  * 2024: HY narrows after 2024-08-05 [from 2024-08-27]; the S&P rises Sep - Oct; the
    Russell outperforms in October and after 2024-11-04 [cascade 2024-10-01,
    2024-11-01, 2024-11-05]; BTC stays below its 2024-03-14 high until late November
    [new 1-year high 2024-11-21]; alts rally in December 2024.
  * Liquidity cascade 2025-26: HY widens into 2025-11-07 (3.30%) and narrows to 2.80%
    by 2025-12-31 [from 2025-11-21]; the S&P bottoms 2025-11-20 [rises from
    2025-12-04]; the Russell lags until ~2025-12-10 and then outperforms into the
    2026-01-08 break [from 2025-12-17, cascade 2025-12-17]; BTC stays below its
    2025-07-14 high until February 2026 [new 1-year high 2026-02-20]; the alts basket
    rallies late February - April 2026.
  Outside these episodes the conditions come and go as they do in real markets, so the
  cascade rule also fires at other times.

Run: /usr/bin/python3 scripts/generate_example_data.py  (prints one line per file).
"""

import datetime as dt
import math
import os
import random

SEED = 20260108
START = dt.date(2016, 1, 4)
CRYPTO_START = dt.date(2016, 1, 1)
END = dt.date(2026, 6, 30)
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data")


def d(s):
    return dt.date.fromisoformat(s)


# ---------------------------------------------------------------- calendars

def holidays(year):
    """Jan 1, Jul 4, Thanksgiving, Dec 25 (weekend dates moved to the nearest weekday,
    except a Saturday Jan 1, which NYSE does not move)."""
    out = set()
    for month, day in ((1, 1), (7, 4), (12, 25)):
        h = dt.date(year, month, day)
        if h.weekday() == 5:
            if (month, day) != (1, 1):
                out.add(h - dt.timedelta(days=1))
        elif h.weekday() == 6:
            out.add(h + dt.timedelta(days=1))
        else:
            out.add(h)
    nov1 = dt.date(year, 11, 1)
    first_thu = nov1 + dt.timedelta(days=(3 - nov1.weekday()) % 7)
    out.add(first_thu + dt.timedelta(days=21))
    return out


HOLIDAYS = set().union(*(holidays(y) for y in range(2015, 2028)))


def days(start, end):
    out, t = [], start
    while t <= end:
        out.append(t)
        t += dt.timedelta(days=1)
    return out


WEEKDAYS = [t for t in days(START, END) if t.weekday() < 5]
BUSINESS_DAYS = [t for t in WEEKDAYS if t not in HOLIDAYS]
ALL_DAYS = days(CRYPTO_START, END)
WEDNESDAYS = [t for t in days(START, END) if t.weekday() == 2]


# ---------------------------------------------------------------- paths

def trend(anchors, when, log=True):
    """Piecewise-linear interpolation between (date, level) anchors (in log space for
    prices); flat outside the anchors."""
    pts = [(d(a), v) for a, v in anchors]
    if when <= pts[0][0]:
        return pts[0][1]
    for (t0, v0), (t1, v1) in zip(pts, pts[1:]):
        if t0 <= when <= t1:
            s = (when - t0).days / (t1 - t0).days
            if log:
                return math.exp(math.log(v0) + s * (math.log(v1) - math.log(v0)))
            return v0 + s * (v1 - v0)
    return pts[-1][1]


def ar_noise(rng, n, phi, sd):
    """AR(1) noise: x[i] = phi*x[i-1] + N(0, sd)."""
    x, out = 0.0, []
    for _ in range(n):
        x = phi * x + rng.gauss(0.0, sd)
        out.append(x)
    return out


def taper(dates, windows, ramp=12):
    """Weight in [0, 1]: 0 inside the pinned windows, rising linearly over `ramp` days
    outside them, so hand-set values join the noisy path smoothly."""
    out = []
    for t in dates:
        dist = min(
            0 if a <= t <= b else min(abs((t - a).days), abs((t - b).days))
            for a, b in windows)
        out.append(min(1.0, dist / ramp))
    return out


SPX_ANCHORS = [
    ("2016-01-04", 2010), ("2016-02-11", 1830), ("2016-06-08", 2110), ("2016-06-27", 2000),
    ("2016-11-04", 2085), ("2016-12-13", 2270), ("2017-03-01", 2395), ("2017-12-29", 2675),
    ("2018-01-26", 2870), ("2018-02-08", 2580), ("2018-09-20", 2930), ("2018-12-24", 2350),
    ("2019-04-30", 2945), ("2019-06-03", 2745), ("2019-07-26", 3025), ("2019-10-02", 2890),
    ("2019-12-31", 3230), ("2020-02-19", 3385), ("2020-03-23", 2240), ("2020-06-08", 3230),
    ("2020-06-26", 3010), ("2020-09-02", 3580), ("2020-09-23", 3240), ("2020-10-12", 3530),
    ("2020-10-30", 3270), ("2020-12-31", 3755), ("2021-03-04", 3790), ("2021-06-30", 4300),
    ("2021-09-02", 4535), ("2021-10-04", 4300), ("2022-01-03", 4795), ("2022-06-16", 3665),
    ("2022-08-16", 4305), ("2022-10-12", 3575), ("2022-12-30", 3840), ("2023-02-02", 4180),
    ("2023-03-13", 3855), ("2023-07-31", 4590), ("2023-10-27", 4115), ("2023-12-29", 4770),
    ("2024-03-28", 5250), ("2024-04-19", 4970), ("2024-07-16", 5665), ("2024-08-05", 5185),
    ("2024-10-18", 5860), ("2024-11-04", 5710), ("2024-12-06", 6090), ("2025-02-19", 6145),
    ("2025-04-08", 4980), ("2025-07-31", 6390), ("2025-10-28", 6890), ("2025-11-20", 6540),
    ("2025-12-10", 6830), ("2026-01-07", 6900), ("2026-01-27", 6980), ("2026-03-30", 6760),
    ("2026-06-30", 7100),
]

RUSSELL_ANCHORS = [
    ("2016-01-04", 1130), ("2016-02-11", 955), ("2016-06-08", 1175), ("2016-06-27", 1090),
    ("2016-11-04", 1165), ("2016-12-09", 1385), ("2017-03-01", 1410), ("2017-12-29", 1540),
    ("2018-01-26", 1610), ("2018-02-08", 1490), ("2018-08-31", 1740), ("2018-12-24", 1270),
    ("2019-04-30", 1590), ("2019-06-03", 1465), ("2019-07-26", 1575), ("2019-10-02", 1475),
    ("2019-12-31", 1670), ("2020-02-19", 1700), ("2020-03-18", 990), ("2020-06-08", 1560),
    ("2020-06-26", 1430), ("2020-09-02", 1620), ("2020-09-23", 1455), ("2020-10-12", 1560),
    ("2020-10-30", 1420), ("2020-11-04", 1430), ("2020-12-31", 1975), ("2021-03-15", 2360), ("2021-05-12", 2120),
    ("2021-06-30", 2310), ("2021-08-19", 2130), ("2021-11-08", 2440), ("2022-01-27", 1930),
    ("2022-06-16", 1650), ("2022-08-16", 2010), ("2022-10-12", 1690), ("2022-12-30", 1760),
    ("2023-02-02", 1990), ("2023-03-13", 1740), ("2023-07-31", 2000), ("2023-10-27", 1640),
    ("2023-12-27", 2070), ("2024-04-19", 1950), ("2024-07-10", 2030), ("2024-07-16", 2265),
    ("2024-08-05", 2040), ("2024-10-18", 2270), ("2024-11-04", 2215), ("2024-11-25", 2440),
    ("2025-01-10", 2200), ("2025-02-19", 2280), ("2025-04-08", 1760), ("2025-07-31", 2230),
    ("2025-09-30", 2480), ("2025-10-08", 2540), ("2025-10-14", 2580), ("2025-10-24", 2560),
    ("2025-11-20", 2390), ("2025-12-10", 2455), ("2026-01-06", 2590), ("2026-01-16", 2640),
    ("2026-02-06", 2680), ("2026-03-30", 2650), ("2026-06-30", 2760),
]

# Hand-set Russell closes around the false break and the clean break.
RUSSELL_PINNED = {
    "2025-10-13": 2571.30, "2025-10-14": 2588.45, "2025-10-15": 2591.12,
    "2025-10-16": 2606.84, "2025-10-17": 2618.20, "2025-10-20": 2603.55,
    "2025-10-21": 2589.70, "2025-10-22": 2574.10,
    "2026-01-05": 2581.64, "2026-01-06": 2590.27, "2026-01-07": 2597.35,
    "2026-01-08": 2612.48, "2026-01-09": 2621.93,
}
RUSSELL_PIN_WINDOWS = [(d("2025-10-13"), d("2025-10-22")), (d("2026-01-05"), d("2026-01-09"))]
FALSE_BREAK = (d("2025-10-16"), d("2025-10-20"))  # inclusive: closes above 2600
CLEAN_BREAK = d("2026-01-08")

TGA_ANCHORS = [  # billions, linear
    ("2016-01-06", 300), ("2016-04-27", 390), ("2016-10-26", 390), ("2017-01-04", 380),
    ("2017-03-15", 250), ("2017-09-06", 45), ("2017-10-25", 270), ("2018-01-03", 230),
    ("2018-04-25", 330), ("2018-12-26", 370), ("2019-02-27", 300), ("2019-08-07", 130),
    ("2019-10-23", 390), ("2020-02-26", 390), ("2020-04-01", 900), ("2020-07-29", 1780),
    ("2020-10-21", 1820), ("2020-12-16", 1560), ("2021-01-06", 1600), ("2021-04-14", 1000),
    ("2021-06-23", 720), ("2021-08-25", 260), ("2021-10-13", 80), ("2021-12-29", 700),
    ("2022-05-04", 930), ("2022-12-28", 440), ("2023-01-18", 470), ("2023-06-07", 25),
    ("2023-09-27", 660), ("2024-04-17", 930), ("2024-12-31", 720), ("2025-01-15", 850),
    ("2025-07-09", 320), ("2025-08-20", 640), ("2025-09-17", 820), ("2025-10-29", 950),
    ("2026-01-21", 770), ("2026-03-25", 830), ("2026-04-22", 990), ("2026-06-24", 870),
]

HY_ANCHORS = [  # percent, linear
    ("2016-01-04", 6.90), ("2016-02-11", 8.87), ("2016-06-08", 6.20), ("2016-11-04", 5.20),
    ("2016-12-30", 4.20), ("2017-12-29", 3.60), ("2018-02-08", 3.70), ("2018-10-03", 3.20),
    ("2018-12-26", 5.30), ("2019-04-30", 3.90), ("2019-06-03", 4.50), ("2019-12-31", 3.50),
    ("2020-02-19", 3.40), ("2020-03-23", 10.87), ("2020-06-08", 4.95),
    ("2020-10-30", 5.45), ("2020-12-15", 4.40), ("2021-02-12", 3.95),
    ("2021-07-06", 3.10), ("2021-11-30", 3.30), ("2022-07-05", 5.90), ("2022-08-16", 4.50),
    ("2022-10-12", 5.50), ("2023-02-02", 4.00), ("2023-03-17", 5.20), ("2023-07-31", 3.80),
    ("2023-10-27", 4.50), ("2024-03-28", 3.20), ("2024-07-16", 3.10), ("2024-08-05", 3.90),
    ("2024-11-11", 2.75), ("2025-01-22", 2.60), ("2025-04-08", 4.60), ("2025-08-20", 2.90),
    ("2025-09-30", 2.95), ("2025-11-07", 3.30), ("2025-12-31", 2.80), ("2026-02-27", 2.70),
    ("2026-04-15", 3.05), ("2026-06-30", 2.85),
]

BTC_ANCHORS = [
    ("2016-01-01", 430), ("2016-06-17", 750), ("2016-08-02", 550), ("2016-12-31", 960),
    ("2017-03-10", 1200), ("2017-03-24", 940), ("2017-06-11", 2950), ("2017-07-16", 1920),
    ("2017-09-01", 4900), ("2017-09-15", 3250), ("2017-12-17", 19300), ("2018-02-06", 6900),
    ("2018-03-05", 11500), ("2018-04-06", 6600), ("2018-05-05", 9800), ("2018-06-29", 5900),
    ("2018-11-14", 6300), ("2018-12-15", 3200), ("2019-04-01", 4100), ("2019-06-26", 12900),
    ("2019-09-05", 10400), ("2019-12-17", 7100), ("2020-02-13", 10300), ("2020-03-12", 4900),
    ("2020-06-01", 9700), ("2020-07-01", 9100), ("2020-08-17", 12300), ("2020-09-08", 10200),
    ("2020-10-21", 10700), ("2020-11-12", 10600), ("2020-11-30", 11300), ("2020-12-10", 14500),
    ("2020-12-31", 29000),
    ("2021-01-08", 40000), ("2021-01-22", 32000), ("2021-02-21", 57000), ("2021-04-14", 63000),
    ("2021-05-19", 36000), ("2021-07-20", 30000), ("2021-09-06", 51000), ("2021-11-08", 67500),
    ("2021-12-31", 46000), ("2022-01-24", 35000), ("2022-03-29", 47000), ("2022-06-18", 19000),
    ("2022-08-14", 24000), ("2022-11-21", 15800), ("2022-12-31", 16500), ("2023-02-16", 24500),
    ("2023-03-10", 20000), ("2023-04-14", 30500), ("2023-06-15", 25000), ("2023-07-13", 31000),
    ("2023-09-11", 25000), ("2023-10-24", 35000), ("2023-12-31", 42500), ("2024-01-23", 39500),
    ("2024-03-14", 73000), ("2024-05-01", 57000), ("2024-06-05", 70000), ("2024-08-05", 53000),
    ("2024-08-25", 63000), ("2024-09-06", 54000), ("2024-10-29", 66000), ("2024-11-19", 69000),
    ("2024-12-05", 99000), ("2025-01-20", 108000), ("2025-02-28", 84000), ("2025-04-08", 76000),
    ("2025-05-22", 100000), ("2025-06-22", 98000), ("2025-07-14", 104000),
    ("2025-09-01", 91000), ("2025-10-06", 101000), ("2025-11-21", 84000),
    ("2025-12-31", 88000), ("2026-01-28", 96000), ("2026-02-10", 99500), ("2026-03-06", 118000),
    ("2026-04-10", 126000), ("2026-05-15", 112000), ("2026-06-30", 117000),
]

ALTS_ANCHORS = [
    ("2016-01-01", 100), ("2016-12-31", 150), ("2017-03-01", 160), ("2017-06-15", 900),
    ("2017-07-16", 550), ("2017-09-01", 1200), ("2017-11-01", 900), ("2018-01-07", 2600),
    ("2018-04-06", 900), ("2018-12-15", 150), ("2019-06-26", 320), ("2019-12-17", 180),
    ("2020-03-12", 110), ("2020-09-01", 480), ("2020-12-21", 420), ("2021-01-20", 750),
    ("2021-02-20", 1500), ("2021-05-12", 4000), ("2021-07-20", 1500), ("2021-11-09", 4500),
    ("2022-06-18", 900), ("2022-12-31", 650), ("2023-04-14", 1100), ("2023-09-11", 800),
    ("2023-12-31", 1400), ("2024-03-12", 2200), ("2024-08-05", 1200), ("2024-11-05", 1300),
    ("2024-12-08", 2600), ("2025-02-28", 1500), ("2025-04-08", 1000), ("2025-08-14", 1700),
    ("2025-11-21", 1100), ("2026-01-15", 1150), ("2026-02-20", 1250), ("2026-04-15", 2200),
    ("2026-06-30", 2000),
]


def price_path(rng, dates, anchors, phi, sd, factor=None, beta=1.0, weights=None):
    noise = ar_noise(rng, len(dates), phi, sd)
    out = []
    for i, t in enumerate(dates):
        n = noise[i] + (beta * factor[i] if factor is not None else 0.0)
        if weights is not None:
            n *= weights[i]
        out.append(trend(anchors, t) * math.exp(n))
    return out


def ohlc(rng, closes, spread, first_open=None):
    """Open near the previous close; High/Low around Open and Close."""
    rows, prev = [], first_open if first_open is not None else closes[0]
    for c in closes:
        o = prev * math.exp(rng.gauss(0.0, spread / 2))
        hi = max(o, c) * (1 + abs(rng.gauss(0.0, spread)))
        lo = min(o, c) * (1 - abs(rng.gauss(0.0, spread)))
        rows.append((o, hi, lo, c))
        prev = c
    return rows


def write(name, header, rows):
    path = os.path.join(OUT_DIR, name)
    with open(path, "w", newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    print(f"wrote {os.path.relpath(path)} ({len(rows)} rows, {os.path.getsize(path)} bytes)")


def yahoo_rows(rng, dates, closes, spread, volume, vol_sd):
    rows = []
    for t, (o, hi, lo, c) in zip(dates, ohlc(rng, closes, spread)):
        v = int(volume(t) * math.exp(rng.gauss(0.0, vol_sd)))
        rows.append([t.isoformat(), f"{o:.2f}", f"{hi:.2f}", f"{lo:.2f}", f"{c:.2f}",
                     f"{c:.2f}", str(v)])
    return rows


def main():
    rng = random.Random(SEED)
    os.makedirs(OUT_DIR, exist_ok=True)
    n = len(BUSINESS_DAYS)

    # Equities share a market factor; the Russell has beta 1.15 to it plus its own noise.
    market = ar_noise(rng, n, 0.8, 0.003)
    spx = price_path(rng, BUSINESS_DAYS, SPX_ANCHORS, 0.8, 0.001, market, 1.0)
    w = taper(BUSINESS_DAYS, RUSSELL_PIN_WINDOWS)
    russell = price_path(rng, BUSINESS_DAYS, RUSSELL_ANCHORS, 0.8, 0.0015, market, 1.15, w)
    for i, t in enumerate(BUSINESS_DAYS):
        pinned = RUSSELL_PINNED.get(t.isoformat())
        if pinned is not None:
            russell[i] = pinned
        elif t < CLEAN_BREAK and not FALSE_BREAK[0] <= t <= FALSE_BREAK[1]:
            russell[i] = min(russell[i], 2596.0 - 8 * rng.random())
        elif t > CLEAN_BREAK:
            russell[i] = max(russell[i], 2604.0 + 8 * rng.random())
    above = [t for t, c in zip(BUSINESS_DAYS, russell) if round(c, 2) > 2600]
    assert above[0] == FALSE_BREAK[0], above[:5]

    write("russell.csv", "Date,Open,High,Low,Close,Adj Close,Volume",
          yahoo_rows(rng, BUSINESS_DAYS, russell, 0.004,
                     lambda t: 3.2e9 + 1.5e8 * (t.year - 2016), 0.25))
    write("spx.csv", "Date,Open,High,Low,Close,Adj Close,Volume",
          yahoo_rows(rng, BUSINESS_DAYS, spx, 0.003,
                     lambda t: 3.4e9 + 1.2e8 * (t.year - 2016), 0.2))

    tga_noise = ar_noise(rng, len(WEDNESDAYS), 0.5, 9.0)
    tga = [max(15.0, trend(TGA_ANCHORS, t, log=False) + e)
           for t, e in zip(WEDNESDAYS, tga_noise)]
    write("tga.csv", "DATE,WTREGEN", [[t.isoformat(), f"{v:.1f}"] for t, v in zip(WEDNESDAYS, tga)])

    hy_noise = ar_noise(rng, len(WEEKDAYS), 0.8, 0.015)
    hy_rows = []
    for t, e in zip(WEEKDAYS, hy_noise):
        v = max(2.2, trend(HY_ANCHORS, t, log=False) + e)
        hy_rows.append([t.isoformat(), "" if t in HOLIDAYS else f"{v:.2f}"])
    write("hy_spread.csv", "observation_date,BAMLH0A0HYM2", hy_rows)

    btc = price_path(rng, ALL_DAYS, BTC_ANCHORS, 0.9, 0.012)
    write("btc.csv", "Date,Open,High,Low,Close,Adj Close,Volume",
          yahoo_rows(rng, ALL_DAYS, btc, 0.012,
                     lambda t: 3e4 * trend(BTC_ANCHORS, t) ** 1.3, 0.3))

    alts = price_path(rng, ALL_DAYS, ALTS_ANCHORS, 0.9, 0.018)
    write("alts.csv", "date,value", [[t.isoformat(), f"{v:.2f}"] for t, v in zip(ALL_DAYS, alts)])


if __name__ == "__main__":
    main()
