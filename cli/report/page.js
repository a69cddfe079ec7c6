// The report page's script: lays out the data block (#sluice-data, written by
// cli/report/gather.cpp) as tables and uPlot charts. It computes no statistic: every number
// shown comes from the data block. It also keeps a status record (#sluice-status: charts
// drawn, their markers' dates, errors) that tests read from the rendered DOM.
(function () {
  "use strict";
  const status = { charts: 0, drawn: [], markers: [], errors: [] };
  const statusEl = document.createElement("script");
  statusEl.type = "application/json";
  statusEl.id = "sluice-status";
  function saveStatus() { statusEl.textContent = JSON.stringify(status); }
  window.addEventListener("error", (e) => { status.errors.push(String(e.message)); saveStatus(); });

  const D = JSON.parse(document.getElementById("sluice-data").textContent);
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
        for (const [t0, t1] of rule.held.bands) {
          const x0 = u.valToPos(t0, "x", true), x1 = u.valToPos(t1, "x", true);
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
        const marks = [];
        for (const ev of rule.events) {
          const x = u.valToPos(ev.t, "x", true);
          let y = ev.y == null ? b.top + b.height - s : u.valToPos(ev.y, yScale, true);
          y = Math.min(Math.max(y, b.top + s), b.top + b.height);
          ctx.beginPath();  // a triangle pointing up at the firing
          ctx.moveTo(x, y); ctx.lineTo(x - s, y + 1.7 * s); ctx.lineTo(x + s, y + 1.7 * s);
          ctx.closePath(); ctx.fill();
          marks.push(day(Math.round(u.posToVal(x / dpr - u.bbox.left / dpr, "x"))));
        }
        ctx.restore();
        status.markers[ruleIndex] = { rule: rule.name, dates: marks };
        if (!status.drawn.includes("rule:" + ruleIndex) && drawnSomething(u)) status.drawn.push("rule:" + ruleIndex);
        saveStatus();
      }],
      setCursor: [(u) => {
        const { left } = u.cursor;
        if (left == null || left < 0) { tip.style.display = "none"; return; }
        let best = null, bestDx = 8;
        for (const ev of rule.events) {
          const dx = Math.abs(u.valToPos(ev.t, "x") - left);
          if (dx < bestDx) { best = ev; bestDx = dx; }
        }
        if (!best) { tip.style.display = "none"; return; }
        const lines = [`${rule.name} fired on ${best.date}`,
          best.values.map(([n, v]) => `${n} = ${num(v)}`).join("  ")];
        if (best.explain) lines.push(...best.explain);
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
    status.charts++;
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
    status.charts++;
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
    const shown = rule.events.slice(0, 1000);
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
    const wrap = el("div", { class: "events-wrap" }, table(head, rows));
    if (rule.events.length > shown.length)
      wrap.append(el("p", { class: "muted" }, `${rule.events.length - shown.length} more events not listed`));
    return wrap;
  }

  D.rules.forEach((rule, ri) => {
    const sec = el("section", { class: "rule", id: "rule-" + (ri + 1) });  // links: report.html#rule-2
    main.append(sec);
    sec.append(el("h2", {}, `${rule.name}`));
    sec.append(el("p", { class: "muted" }, `${rule.location} \u00b7 ${rule.events.length} events` +
      (rule.actions.length ? ` \u00b7 then ${rule.actions.join(", ")}` : "")));
    sec.append(el("pre", { class: "rule-text" }, rule.text));
    const chart = el("div", { class: "chart" });
    sec.append(chart);
    const fr = D.frames[rule.chart.frame];
    sec.append(el("p", { class: "held" },
      `Shaded: the condition was true on ${rule.held.points} points in ${rule.held.episodes} episodes. ` +
      `Triangles: the ${rule.events.length} firings (hover for the values and the first lines of \`sluice explain\`).` +
      (fr.points < fr.of ? ` Lines drawn from ${fr.points} of ${fr.of} points (minimum and maximum per bucket); markers and bands at their exact dates.` : "")));
    if (rule.chart.series.length) seriesChart(chart, rule, ri);
    for (const w of rule.watch) {
      sec.append(el("h3", {}, `Forward returns of ${w.series} after the events, against every point (baseline)`));
      sec.append(statsTable(w));
      if (w.flags.length) sec.append(el("ul", { class: "flags" }, ...w.flags.map((f) => el("li", {}, f))));
      sec.append(el("h3", {}, `Event study: ${w.series} from each event, rebased to 0%`));
      const sc = el("div", { class: "chart" });
      sec.append(sc);
      studyChart(sc, w, `study:${ri}:${w.series}`);
    }
    if (rule.events.length) {
      const d = el("details", rule.events.length <= 20 ? { open: "" } : {});
      d.append(el("summary", {}, `The ${rule.events.length} events`));
      d.append(eventList(rule));
      sec.append(d);
    }
  });
  document.body.append(statusEl);
  saveStatus();
  // Milliseconds from the start of navigation until the charts were drawn (uPlot draws
  // in a microtask, done before this timer): for the scale measurements in
  // docs/report.md; no test asserts a time.
  setTimeout(() => { status.render_ms = Math.round(performance.now()); saveStatus(); }, 0);
  // A link to one rule (report.html#rule-2): its section exists only now.
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.scrollIntoView();
})();
