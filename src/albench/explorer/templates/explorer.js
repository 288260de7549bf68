// albench explorer: fills the page's Bokeh figures and tables from the run's data (inline in
// the page), for the data set x model pair and metric the reader picks.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("albench-data").textContent);
  const REFERENCE = /^(cost-optimal stop|plateau stop|budget's end)/;
  const state = { metric: "primary", protocol: data.protocols[0], pair: null };
  const explorer = (window.albenchExplorer = { data, state, shown: null, ready: null });
  const $ = (id) => document.getElementById(id);
  const others = data.strategies.filter((s) => s !== data.baseline);

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  }
  const gaps = (values) => values.map((v) => (v === null ? NaN : v)); // JSON has no NaN: a gap
  const signed = (v, d = 3) => (v === null || v === undefined ? "–" : (v > 0 ? "+" : "") + v.toFixed(d));
  const metricOf = (pair) => (state.metric === "primary" ? data.metrics[pair.task][0] : state.metric);
  const pairName = (p) => `${p.dataset} × ${p.model}` + (data.protocols.length > 1 ? ` (${p.protocol})` : "");
  const shownPairs = () =>
    data.pairs
      .map((p, i) => [p, i])
      .filter(([p]) => p.protocol === state.protocol && data.metrics[p.task].includes(metricOf(p)));

  function fillChoices() {
    const metric = $("metric");
    const tasks = Object.keys(data.metrics);
    const primary = tasks.map((t) => data.metrics[t][0]).join(" / ");
    metric.append(el("option", { value: "primary" }, `the verdict's (${primary})`));
    for (const t of tasks) for (const m of data.metrics[t]) metric.append(el("option", { value: m }, m));
    metric.addEventListener("change", () => { state.metric = metric.value; render(); });
    const protocol = $("protocol");
    for (const p of data.protocols) protocol.append(el("option", { value: p }, p));
    protocol.addEventListener("change", () => { state.protocol = protocol.value; state.pair = null; render(); });
    if (data.protocols.length < 2) $("protocol-choice").hidden = true;
    // Many overlapping bands blur into one colour: the reader can turn them off.
    $("bands").addEventListener("change", (e) => {
      for (const s of data.strategies) model(`band-${s}`).visible = e.target.checked && model(`line-${s}`).visible;
    });
    const files = data.config.files.join(", ");
    $("provenance").textContent = `Config: ${files || "(none named)"} · fingerprint ${data.config.fingerprint}`;
  }

  function renderMatrix() {
    const table = $("matrix");
    table.replaceChildren();
    table.append(el("tr", {}, el("th", {}, "data set × model"), ...others.map((s) => el("th", {}, s))));
    for (const [pair, index] of shownPairs()) {
      const metric = metricOf(pair);
      const row = el("tr", { "data-pair": index }, el("th", {}, pairName(pair)));
      if (index === state.pair) row.classList.add("selected");
      for (const s of others) {
        const c = ((data.comparison[index] || {})[s] || {})[metric];
        if (!c) { row.append(el("td", {}, "–")); continue; }
        const title =
          `${s} − ${data.baseline}, AUBC of ${metric}: ${signed(c.diff, 4)} ` +
          `[${signed(c.low, 4)}, ${signed(c.high, 4)}], Holm p = ${c.p}, ${c.seeds} seeds` +
          (c.verdict === "undecided" && c.more_seeds ? `; about ${c.more_seeds} seeds would decide` : "");
        const cell = el(
          "td",
          { class: `cell ${c.verdict.replace(/ /g, "-")}`, title, "data-strategy": s, onclick: () => select(index) },
          c.verdict,
          el("span", { class: "diff" }, signed(c.diff)),
        );
        if (index === state.pair) cell.classList.add("selected");
        row.append(cell);
      }
      table.append(row);
    }
  }

  let doc = null;
  const model = (name) => doc.get_model_by_name(name);

  function interpolate(xs, ys, x) {
    if (x <= xs[0]) return ys[0];
    for (let i = 1; i < xs.length; i++) {
      if (x <= xs[i]) return ys[i - 1] + ((ys[i] - ys[i - 1]) * (x - xs[i - 1])) / (xs[i] - xs[i - 1]);
    }
    return ys[ys.length - 1];
  }

  function renderCurves() {
    const pair = data.pairs[state.pair];
    const metric = metricOf(pair);
    const curves = data.curves[state.pair] || {};
    const drawn = [];
    for (const s of data.strategies) {
      const c = curves[s];
      const source = model(`curve-${s}`);
      const on = Boolean(c && c[metric]);
      source.data = on
        ? { x: c.x, mean: gaps(c[metric][0]), low: gaps(c[metric][1]), high: gaps(c[metric][2]), strategy: c.x.map(() => s) }
        : { x: [], mean: [], low: [], high: [], strategy: [] };
      const each = on && c.seeds && c.seeds[metric];
      model(`seeds-${s}`).data = each ? { xs: each.map(() => c.x), ys: each.map(gaps) } : { xs: [], ys: [] };
      model(`item-${s}`).visible = on;
      if (on) drawn.push(s);
    }
    const marks = { x: [], y: [], criterion: [], strategy: [], colour: [], stopped: [] };
    for (const [s, rows] of Object.entries(data.stops[state.pair] || {})) {
      const c = curves[s];
      if (!c || !c[metric]) continue;
      for (const r of rows) {
        if (REFERENCE.test(r.criterion) || r.labels === null) continue;
        marks.x.push(r.labels);
        marks.y.push(interpolate(c.x, c[metric][0], r.labels));
        marks.criterion.push(r.criterion);
        marks.strategy.push(s);
        marks.colour.push(data.colours[s]);
        marks.stopped.push(r.stopped);
      }
    }
    model("src-stops").data = marks;
    model("item-stops").visible = marks.x.length > 0;
    const plot = model("curves");
    plot.title.text = `${pairName(pair)}: mean test ${metric} over seeds with 95 % bands (${data.baseline} dashed)`;
    plot.left[0].axis_label = `test ${metric}` + (data.higher_is_better[metric] ? "" : " (lower is better)");
    $("pair-title").textContent = `Learning curves: ${pairName(pair)}`;
    explorer.shown = { pair: state.pair, metric, strategies: drawn };
  }

  function renderRanks() {
    const pair = data.pairs[state.pair];
    const metric = metricOf(pair);
    const rows = data.ranks.filter((r) => r.model === pair.model && r.protocol === pair.protocol && r.metric === metric);
    model("src-ranks").data = {
      rank: rows.map((r) => r.mean_rank),
      strategy: rows.map((r) => r.strategy),
      colour: rows.map((r) => data.colours[r.strategy]),
    };
    const p = rows.length ? rows[0].friedman_p : null;
    $("ranks-title").textContent =
      `Ranks of ${pair.model}'s strategies by AUBC of ${metric}` +
      (rows.length ? ` across ${rows[0].n_datasets} data sets (Friedman p = ${p === null ? "–" : p.toFixed(3)}` +
        (p !== null && p >= 0.05 ? ": the ranks may differ by chance" : "") +
        (rows[0].cd ? `; two strategies differ by Nemenyi's test where their mean ranks are more than ${rows[0].cd.toFixed(2)} apart)` : ")")
        : ": none");
  }

  function renderCost() {
    const pair = data.pairs[state.pair];
    const metric = metricOf(pair);
    const out = { seconds: [], diff: [], low: [], high: [], strategy: [], colour: [] };
    for (const row of data.cost.filter((r) => r.pair === state.pair)) {
      const s = row.strategy;
      const c = s === data.baseline ? { diff: 0, low: 0, high: 0 } : ((data.comparison[state.pair] || {})[s] || {})[metric];
      if (!c || row.median_query_seconds === null) continue;
      out.seconds.push(Math.max(row.median_query_seconds, 1e-6));
      out.diff.push(c.diff); out.low.push(c.low); out.high.push(c.high);
      out.strategy.push(s); out.colour.push(data.colours[s]);
    }
    model("src-cost").data = out;
    const ticks = [];
    if (out.seconds.length) {
      const low = Math.floor(Math.log10(Math.min(...out.seconds)));
      const high = Math.ceil(Math.log10(Math.max(...out.seconds)));
      for (let e = low; e <= high; e++) for (const m of [1, 2, 5]) ticks.push(m * 10 ** e);
    }
    model("cost-ticks").ticks = ticks;
    const better = data.higher_is_better[metric] ? "higher" : "lower";
    $("cost-title").textContent = `Cost against benefit: ${pairName(pair)} (AUBC of ${metric} minus ${data.baseline}'s; ${better} is better)`;
  }

  function renderSavings() {
    const pair = data.pairs[state.pair];
    const metric = metricOf(pair);
    const rows = data.savings.filter((r) => r.pair === state.pair && r.metric === metric);
    const table = $("savings");
    table.replaceChildren();
    const shares = rows.length ? Object.keys(rows[0]).filter((k) => /^saved_[\d.]+_vs_baseline$/.test(k)).map((k) => k.split("_")[1]) : [];
    $("savings-view").hidden = !rows.length;
    table.append(el("tr", {}, el("th", {}, "strategy"),
      ...shares.flatMap((q) => [el("th", {}, `labels to ${Math.round(q * 100)} % of the full-pool score (median)`), el("th", {}, `saved against ${data.baseline} [95 % CI]`)])));
    for (const r of rows) {
      table.append(el("tr", {}, el("td", {}, r.strategy), ...shares.flatMap((q) => {
        const saved = r[`saved_${q}_vs_baseline`];
        return [el("td", {}, r[`labels_${q}_median`] === null ? "not reached" : String(r[`labels_${q}_median`])),
          el("td", {}, r.strategy === data.baseline || saved === null ? "–" : `${signed(saved, 1)} [${signed(r[`saved_${q}_ci_low`], 1)}, ${signed(r[`saved_${q}_ci_high`], 1)}]`)];
      })));
    }
    $("savings-title").textContent = `Labels saved: ${pairName(pair)}, ${metric}`;
  }

  function renderStops() {
    const stops = data.stops[state.pair];
    $("stops-view").hidden = !stops;
    if (!stops) return;
    const strategies = data.strategies.filter((s) => stops[s]);
    const criteria = [...new Set(strategies.flatMap((s) => stops[s].map((r) => r.criterion)))];
    const table = $("stops");
    table.replaceChildren();
    table.append(el("tr", {}, el("th", {}, "criterion"), ...strategies.map((s) => el("th", {}, `${s}: labels (stopped in; regret)`))));
    for (const criterion of criteria) {
      table.append(el("tr", {}, el("td", {}, criterion), ...strategies.map((s) => {
        const r = stops[s].find((x) => x.criterion === criterion);
        return el("td", {}, r ? `${r.labels} (${Math.round(r.stopped * 100)} %; ${r.regret === null ? "–" : r.regret})` : "–");
      })));
    }
    $("stops-title").textContent = `When to stop: ${pairName(data.pairs[state.pair])}, each criterion's mean stop over seeds`;
  }

  function select(index) {
    state.pair = index;
    render();
  }

  function render() {
    const pairs = shownPairs();
    if (state.pair === null || !pairs.some(([, i]) => i === state.pair)) state.pair = pairs.length ? pairs[0][1] : null;
    renderMatrix();
    if (state.pair === null || !doc) return;
    renderCurves();
    renderRanks();
    renderCost();
    renderSavings();
    renderStops();
  }

  function whenBokehIsReady(then) {
    const found = window.Bokeh && window.Bokeh.documents && window.Bokeh.documents.find((d) => d.get_model_by_name("curves"));
    if (found) { doc = found; then(); } else setTimeout(() => whenBokehIsReady(then), 10);
  }

  fillChoices();
  renderMatrix();
  // Ready: the first pair drawn and Bokeh idle (every figure painted), in ms since navigation.
  const idle = () => (typeof doc.is_idle === "function" ? doc.is_idle() : doc.is_idle);
  const whenIdle = () => (idle() ? (explorer.ready = performance.now()) : requestAnimationFrame(whenIdle));
  whenBokehIsReady(() => {
    render();
    requestAnimationFrame(whenIdle);
  });
})();
