// The report page's script: lays out the data block (#sluice-data, written by
// cli/report/gather.cpp) as tables and uPlot charts. It computes no statistic: every number
// shown comes from the data block. It also keeps a status record (#sluice-status: charts
// drawn, their markers' dates, errors, timings) that tests read from the rendered DOM.
//
// What it does at load is kept small, so that a page of many long series opens at once:
// the charts in view are drawn first, the others one per task afterwards (or as soon as
// they scroll into view), and an event list is built when it is opened.
(function () {
  "use strict";
  const started = performance.now();
  const status = { charts: 0, drawn: [], markers: [], errors: [], timing: {} };
  const statusEl = document.createElement("script");
  statusEl.type = "application/json";
  statusEl.id = "sluice-status";
  // Written once per task however often it changes (a busy page's record holds every
  // marker's date).
  let saveQueued = false;
  function saveStatus() {
    if (saveQueued) return;
    saveQueued = true;
    setTimeout(() => { saveQueued = false; statusEl.textContent = JSON.stringify(status); }, 0);
  }
  window.addEventListener("error", (e) => { status.errors.push(String(e.message)); saveStatus(); });

  const D = JSON.parse(document.getElementById("sluice-data").textContent);
  status.timing.script_start_ms = Math.round(started);
  status.timing.parse_ms = Math.round(performance.now() - started);
  const main = document.getElementById("report");
  const palette = ["#1f5fbf", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285"];

  // --- small helpers -------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v; else e.setAttribute(k, v);
    }
    for (const k of kids) if (k != null) e.append(k instanceof Node ? k : String(k));
    return e;
  }
  const day = (t) => new Date(t * 1000).toISOString().slice(0, 10);
  const pct = (v) => (v == null ? "na" : (v >= 0 ? "+" : "") + (v * 100).toFixed(2) + "%");
  const rate = (v) => (v == null ? "na" : (v * 100).toFixed(0) + "%");
  const num = (v) => (v == null ? "na" : String(+v.toPrecision(8)));
  function signed(td, v) { if (v != null) td.className = v > 0 ? "pos" : v < 0 ? "neg" : ""; return td; }
  function table(head, rows, cls) {
    const t = el("table", cls ? { class: cls } : {});
    t.append(el("tr", {}, ...head.map((h, i) => el("th", i === 0 ? { class: "l" } : {}, h))));
    for (const r of rows) t.append(r);
    return t;
  }
  function frameTimes(f) {
    const x = new Array(f.points);
    let t = f.t0;
    x[0] = t;
    for (let i = 0; i < f.dt.length; i++) { t += f.dt[i] * f.unit; x[i + 1] = t; }
    return x;
  }
  // A drawn column (gather.cpp's encode_column): differences of integers at a decimal
  // scale, added back up and divided (the same doubles as the data), or plain values.
  function column(c) {
    if (c.values) return c.values;
    const p = 10 ** c.scale;
    let m = 0;
    return c.d.map((d) => (d == null ? null : ((m += d), m / p)));
  }
  // Sorted instants (gather.cpp's encode_instants): n times from t0 in steps of dt * unit.
  function instants(e) {
    const out = new Array(e.n);
    let t = e.t0;
    for (let i = 0; i < e.n; i++) { if (i > 0) t += e.dt[i - 1] * e.unit; out[i] = t; }
    return out;
  }
  // The first index whose time is >= t (the times ascend).
  function lowerBound(times, t) {
    let lo = 0, hi = times.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid] < t) lo = mid + 1; else hi = mid; }
    return lo;
  }
  const frames = D.frames.map((f) => {
    const columns = {};
    for (const [name, c] of Object.entries(f.columns)) columns[name] = column(c);
    return { x: frameTimes(f), columns };
  });
  const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC");
  function width(container) { return Math.max(480, Math.min(1120, container.clientWidth || 1000)); }

  // A canvas that shows something: any pixel not fully transparent inside the plot.
  function drawnSomething(u) {
    const { left, top, width: w, height: h } = u.bbox;
    if (w < 2 || h < 2) return false;
    const px = u.ctx.getImageData(left, top, w, h).data;
    for (let i = 3; i < px.length; i += 16) if (px[i] !== 0) return true;
    return false;
  }

  // --- the header ----------------------------------------------------------------------
  const top = el("header", { class: "top" });
  top.append(el("h1", {}, "Sluice report: " + D.rule_file));
  const r = D.report_range;
  top.append(el("p", { class: "muted" },
    `Sluice ${D.sluice} \u00b7 timeline ${D.timeline.first} .. ${D.timeline.last} (${D.timeline.points} points)` +
    (r.from || r.to ? ` \u00b7 events reported ${r.from || "start"} .. ${r.to || "end"}` : "") +
    ` \u00b7 forward-return horizons ${D.horizons.join(", ")}`));
  top.append(el("p", { class: "statement" }, "No lookahead: " + D.no_lookahead));
  top.append(el("h3", {}, "Data files"));
  top.append(table(["path", "rows", "first .. last", "rejected rows", "sha256"],
    D.data.map((f) => el("tr", {}, el("td", { class: "l" }, f.path), el("td", {}, f.rows),
      el("td", {}, `${f.first} .. ${f.last}`), el("td", {}, f.rejected),
      el("td", { class: "l hash" }, el("code", {}, f.sha256))))));
  top.append(el("h3", {}, "Series and publication lags"));
  top.append(table(["series", "file", "lag"],
    D.series.map((s) => el("tr", {}, el("td", { class: "l" }, s.series), el("td", { class: "l" }, s.file || "(host)"),
      el("td", {}, s.lag)))));
  main.replaceChildren(top);

  // --- charts --------------------------------------------------------------------------
  // A y axis wide enough for its longest tick label ("2,000,000") and its title.
  function axisSize(u, values) {
    const longest = Math.max(4, ...(values || []).map((v) => String(v).length));
    return 30 + 7 * longest;
  }

  function seriesChart(container, rule, ruleIndex) {
    const fr = frames[rule.chart.frame];
    const times = instants(rule.markers), ys = rule.markers.y ? column(rule.markers.y) : [];
    const edges = instants(rule.held.bands);  // first, last, first, last, ...
    const detail = new Map(rule.events.map((ev) => [ev.k, ev]));
    const names = rule.chart.series.map((s) => s.name);
    const data = [fr.x, ...names.map((n) => fr.columns[n])];
    const axes = [{}];
    const scales = { x: { time: true } };
    const axisCount = Math.max(0, ...rule.chart.series.map((s) => s.axis)) + 1;
    for (let a = 0; a < axisCount; a++) {
      scales["y" + a] = { auto: true };
      const label = rule.chart.series.filter((s) => s.axis === a).map((s) => s.name).join(", ");
      axes.push({ scale: "y" + a, side: a === 0 ? 3 : 1, label, grid: { show: a === 0 }, size: axisSize });
    }
    const scaleOf = {};
    rule.chart.series.forEach((s) => (scaleOf[s.name] = "y" + s.axis));
    const yScale = names.length ? scaleOf[names[0]] : "y0";
    const tip = el("div", { class: "tip" });
    container.append(tip);

    const hooks = {
      drawClear: [(u) => {  // the bands first, under everything else
        const ctx = u.ctx, b = u.bbox;
        ctx.save();
        ctx.fillStyle = "rgba(255, 193, 7, 0.18)";
        for (let i = 0; i + 1 < edges.length; i += 2) {
          const x0 = u.valToPos(edges[i], "x", true), x1 = u.valToPos(edges[i + 1], "x", true);
          ctx.fillRect(x0, b.top, Math.max(1, x1 - x0), b.height);
        }
        ctx.restore();
      }],
      draw: [(u) => {
        const ctx = u.ctx, b = u.bbox, dpr = devicePixelRatio || 1;
        ctx.save();
        ctx.setLineDash([6 * dpr, 4 * dpr]);
        ctx.strokeStyle = "#555";
        ctx.lineWidth = dpr;
        for (const th of rule.chart.thresholds) {
          const sc = scaleOf[th.series];
          if (!sc) continue;
          const y = u.valToPos(th.value, sc, true);
          if (y < b.top || y > b.top + b.height) continue;
          ctx.beginPath(); ctx.moveTo(b.left, y); ctx.lineTo(b.left + b.width, y); ctx.stroke();
          ctx.setLineDash([]);
          ctx.fillStyle = "#333";
          ctx.font = `${11 * dpr}px sans-serif`;
          ctx.fillText(`${th.series} ${th.value}`, b.left + 4 * dpr, y - 3 * dpr);
          ctx.setLineDash([6 * dpr, 4 * dpr]);
        }
        ctx.setLineDash([]);
        ctx.fillStyle = "#c92a2a";
        const s = 6 * dpr;
        const first = !status.markers[ruleIndex], marks = [];
        ctx.beginPath();  // a triangle pointing up at each firing, filled at once
        for (let k = 0; k < times.length; k++) {
          const x = u.valToPos(times[k], "x", true);
          let y = ys[k] == null ? b.top + b.height - s : u.valToPos(ys[k], yScale, true);
          y = Math.min(Math.max(y, b.top + s), b.top + b.height);
          ctx.moveTo(x, y); ctx.lineTo(x - s, y + 1.7 * s); ctx.lineTo(x + s, y + 1.7 * s); ctx.closePath();
          // The status record (read by the browser test): each triangle's x turned back
          // into a date through the chart's scale, at the first drawing.
          if (first) marks.push(day(Math.round(u.posToVal(x / dpr - u.bbox.left / dpr, "x"))));
        }
        ctx.fill();
        ctx.restore();
        if (first) status.markers[ruleIndex] = { rule: rule.name, dates: marks };
        if (!status.drawn.includes("rule:" + ruleIndex) && drawnSomething(u)) status.drawn.push("rule:" + ruleIndex);
        saveStatus();
      }],
      setCursor: [(u) => {
        const { left } = u.cursor;
        if (left == null || left < 0) { tip.style.display = "none"; return; }
        // The nearest firing within 8 pixels: a binary search among the sorted times.
        const at = lowerBound(times, u.posToVal(left, "x"));
        let best = -1, bestDx = 8;
        for (const k of [at - 1, at]) {
          if (k < 0 || k >= times.length) continue;
          const dx = Math.abs(u.valToPos(times[k], "x") - left);
          if (dx < bestDx) { best = k; bestDx = dx; }
        }
        if (best < 0) { tip.style.display = "none"; return; }
        const ev = detail.get(best), date = day(times[best]);
        const lines = [`${rule.name} fired on ${date} (event ${best + 1} of ${times.length})`];
        if (ev) lines.push(ev.values.map(([n, v]) => `${n} = ${num(v)}`).join("  "));
        else lines.push(`${names[0]} = ${num(ys[best])}`, `(values listed for ${rule.events.length} of the ${times.length} events, ` +
          "the first and the last; `sluice run` lists all)");
        if (ev && ev.explain) lines.push(...ev.explain);
        else lines.push(`sluice explain --rule "${rule.name}" --at ${date}`);
        tip.textContent = lines.join("\n");
        tip.style.display = "block";
        tip.style.left = Math.min(u.over.offsetLeft + left + 12, container.clientWidth - 360) + "px";
        tip.style.top = (u.over.offsetTop + 8) + "px";
      }],
    };
    const opts = {
      width: width(container), height: 300, tzDate: utc, scales, axes,
      series: [{ label: "date", value: (u, v) => (v == null ? "" : day(v)) },
        ...names.map((n, i) => ({ label: n, scale: scaleOf[n], stroke: palette[i % palette.length], width: 1.4 }))],
      hooks,
    };
    return new uPlot(opts, data, container);
  }

  function studyChart(container, w, chartId) {
    const off = D.study_offsets.values;
    const s = w.study, b = D.baselines[w.series].study;
    const toPct = (a) => a.map((v) => (v == null ? null : v * 100));
    const data = [off, toPct(s.mean), toPct(s.p25), toPct(s.p75), toPct(b.mean), toPct(b.p25), toPct(b.p75)];
    const ev = palette[1], base = "#667";
    const opts = {
      width: width(container), height: 240,
      scales: { x: { time: false } },
      axes: [{ label: `${D.study_offsets.unit} after the event`, values: (u, v) => v.map((x) => x + (D.study_offsets.unit === "days" ? "d" : "")) },
        { label: `${w.series} return, %`, values: (u, v) => v.map((x) => x + "%"), size: 64 }],
      series: [{ label: D.study_offsets.unit },
        { label: "events: mean", stroke: ev, width: 2 },
        { label: "events: 25th pct", stroke: ev, width: 0.7, dash: [4, 3] },
        { label: "events: 75th pct", stroke: ev, width: 0.7, dash: [4, 3] },
        { label: "baseline: mean", stroke: base, width: 2 },
        { label: "baseline: 25th pct", stroke: base, width: 0.7, dash: [2, 3] },
        { label: "baseline: 75th pct", stroke: base, width: 0.7, dash: [2, 3] }],
      bands: [{ series: [3, 2], fill: "rgba(217, 72, 15, 0.12)" }, { series: [6, 5], fill: "rgba(100, 100, 120, 0.10)" }],
      hooks: { draw: [(u) => {
        if (!status.drawn.includes(chartId) && drawnSomething(u)) status.drawn.push(chartId);
        saveStatus();
      }] },
    };
    return new uPlot(opts, data, container);
  }

  // --- per rule ------------------------------------------------------------------------
  function statsTable(w) {
    const head = ["", "horizon", "n", "pending", "no data", "mean", "median", "hit rate", "worst", "max drawdown", "episodes"];
    const rows = [];
    w.rows.forEach((row, h) => {
      const bl = D.baselines[w.series].rows[h];
      const cells = (label, x, cls, episodes) => el("tr", cls ? { class: cls } : {},
        el("td", { class: "l" }, label), el("td", {}, x.horizon), el("td", {}, x.n), el("td", {}, x.pending),
        el("td", {}, x.no_data), signed(el("td", {}, pct(x.mean)), x.mean), signed(el("td", {}, pct(x.median)), x.median),
        el("td", {}, rate(x.hit_rate)), signed(el("td", {}, pct(x.worst)), x.worst),
        signed(el("td", {}, pct(x.max_drawdown)), x.max_drawdown), el("td", {}, episodes == null ? "" : episodes));
      rows.push(cells("events", row, "", row.episodes));
      rows.push(cells("baseline", bl, "base", null));
      const d = (a, b) => (a == null || b == null ? null : a - b);
      const dm = d(row.mean, bl.mean), dmed = d(row.median, bl.median), dh = d(row.hit_rate, bl.hit_rate);
      rows.push(el("tr", { class: "diff" }, el("td", { class: "l" }, "difference"), el("td", {}, row.horizon),
        el("td", {}), el("td", {}), el("td", {}), signed(el("td", {}, pct(dm)), dm), signed(el("td", {}, pct(dmed)), dmed),
        signed(el("td", {}, dh == null ? "na" : (dh >= 0 ? "+" : "") + (dh * 100).toFixed(0) + " pts"), dh),
        el("td", {}), el("td", {}), el("td", {})));
    });
    return table(head, rows);
  }

  function eventList(rule) {
    const head = ["date", "values"];
    for (const w of rule.watch)
      for (const h of D.horizons) head.push(`${w.series} ${h}`, `${w.series} ${h} max dd`);
    const total = rule.markers.n, shown = rule.events;
    const rows = shown.map((ev, k) => {
      const tr = el("tr", {}, el("td", { class: "l" }, ev.date),
        el("td", { class: "l" }, ev.values.map(([n, v]) => `${n}=${num(v)}`).join(" ")));
      for (const w of rule.watch)
        D.horizons.forEach((_, h) => {
          const v = w.event_returns[k][h], dd = w.event_drawdowns[k][h];
          tr.append(signed(el("td", {}, pct(v)), v), signed(el("td", {}, pct(dd)), dd));
        });
      return tr;
    });
    // A gap in the listed events (a busy rule: its first and last ones are listed).
    for (let j = 1; j < shown.length; j++)
      if (shown[j].k > shown[j - 1].k + 1) {
        const cells = head.length;
        rows.splice(j, 0, el("tr", { class: "gap" }, el("td", { class: "l", colspan: cells },
          `\u2026 ${shown[j].k - shown[j - 1].k - 1} events not listed here \u2026`)));
        break;
      }
    const wrap = el("div", { class: "events-wrap" });
    if (shown.length < total)
      wrap.append(el("p", { class: "muted" }, `Showing ${shown.length} of ${total} events (the first ` +
        `${Math.ceil(shown.length / 2)} and the last ${Math.floor(shown.length / 2)}); every event's date is a triangle on the chart; ` +
        "`sluice run --stats` lists all of them with their returns."));
    wrap.append(table(head, rows));
    return wrap;
  }

  // Charts are drawn when needed: those in view at once, the others one per task after
  // the page is shown, or as soon as they scroll into view, whichever comes first.
  const charts = [];  // { container, build, done }
  function chartLater(container, height, build) {
    container.style.minHeight = height + "px";  // the page does not jump when it is drawn
    charts.push({ container, build, done: false });
    status.charts++;
  }
  function draw(c) {
    if (c.done) return;
    c.done = true;
    const t = performance.now();
    // uPlot draws in a microtask its constructor queues; batch() draws now instead, so
    // the chart is on screen when this returns and the time below is its whole cost.
    c.build(c.container).batch(() => {});
    status.timing.charts_ms = (status.timing.charts_ms || 0) + (performance.now() - t);
  }

  D.rules.forEach((rule, ri) => {
    const sec = el("section", { class: "rule", id: "rule-" + (ri + 1) });  // links: report.html#rule-2
    main.append(sec);
    const total = rule.markers.n;
    sec.append(el("h2", {}, `${rule.name}`));
    sec.append(el("p", { class: "muted" }, `${rule.location} \u00b7 ${total} events` +
      (rule.actions.length ? ` \u00b7 then ${rule.actions.join(", ")}` : "")));
    sec.append(el("pre", { class: "rule-text" }, rule.text));
    const chart = el("div", { class: "chart" });
    sec.append(chart);
    const fr = D.frames[rule.chart.frame];
    sec.append(el("p", { class: "held" },
      `Shaded: the condition was true on ${rule.held.points} points in ${rule.held.episodes} episodes. ` +
      `Triangles: the ${total} firings (hover for the values and the first lines of \`sluice explain\`).` +
      (fr.points < fr.of ? ` Lines drawn from ${fr.points} of ${fr.of} points (minimum and maximum per bucket); markers and bands at their exact dates.` : "")));
    if (rule.chart.series.length) chartLater(chart, 340, (into) => seriesChart(into, rule, ri));
    for (const w of rule.watch) {
      sec.append(el("h3", {}, `Forward returns of ${w.series} after the events, against every point (baseline)`));
      sec.append(statsTable(w));
      if (w.flags.length) sec.append(el("ul", { class: "flags" }, ...w.flags.map((f) => el("li", {}, f))));
      sec.append(el("h3", {}, `Event study: ${w.series} from each event, rebased to 0%`));
      const sc = el("div", { class: "chart" });
      sec.append(sc);
      chartLater(sc, 280, (into) => studyChart(into, w, `study:${ri}:${w.series}`));
    }
    if (total) {
      // The list is built when it is first opened (open at once up to 20 events).
      const d = el("details", total <= 20 ? { open: "" } : {});
      d.append(el("summary", {}, `The ${total} events` +
        (rule.events.length < total ? ` (${rule.events.length} listed: the first and the last)` : "")));
      let built = false;
      const build = () => { if (!built && d.open) { built = true; d.append(eventList(rule)); } };
      d.addEventListener("toggle", build);
      build();
      sec.append(d);
    }
  });
  document.body.append(statusEl);
  // A link to one rule (report.html#rule-2): its section exists only now.
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView();
  status.timing.layout_ms = Math.round(performance.now() - started);

  // The charts in view now, drawn before the page is first shown.
  const inView = (c) => { const r = c.container.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
  for (const c of charts) if (inView(c)) draw(c);
  // render_ms: from the start of navigation until the charts in view were drawn;
  // all_drawn_ms: until every chart was. For the scale measurements in docs/report.md
  // (tests/report/render_probe.py); no test asserts a time.
  status.render_ms = Math.round(performance.now());
  status.timing.in_view = charts.filter((c) => c.done).length;
  const reps = +(new URLSearchParams(location.search).get("bench") || 0);
  if (reps > 0) bench(Math.min(reps, 50));
  saveStatus();
  setTimeout(() => {
    if ("IntersectionObserver" in window) {
      const io = new IntersectionObserver((seen) => {
        for (const s of seen) if (s.isIntersecting) draw(charts.find((c) => c.container === s.target));
      }, { rootMargin: "400px" });
      for (const c of charts) if (!c.done) io.observe(c.container);
    }
    const rest = charts.filter((c) => !c.done);
    const next = () => {
      const c = rest.shift();
      if (c) { draw(c); setTimeout(next, 0); return; }
      setTimeout(() => {
        status.all_drawn_ms = Math.round(performance.now());
        status.timing.charts_ms = Math.round(status.timing.charts_ms || 0);
        saveStatus();
      }, 0);
    };
    setTimeout(next, 0);
  }, 0);

  // report.html?bench=N (docs/report.md, scale): builds and draws every chart again N
  // times off screen, before the page's load ends, and records the milliseconds of each
  // repetition: the renderer's work for all the charts, whose shortest repetition is
  // less exposed to a loaded machine than render_ms.
  function bench(reps) {
    const box = el("div", { style: "position:absolute; left:-20000px; top:0; width:1120px" });
    document.body.append(box);
    const ms = [];
    for (let r = 0; r < reps; r++) {
      const t = performance.now();
      const made = charts.map((c) => {
        const into = el("div", { class: "chart" });
        box.append(into);
        const u = c.build(into);
        u.batch(() => {});
        return u;
      });
      ms.push(Math.round(performance.now() - t));
      for (const u of made) u.destroy();
      box.replaceChildren();
    }
    box.remove();
    status.bench = { reps, charts_ms: ms };
    saveStatus();
  }
})();
