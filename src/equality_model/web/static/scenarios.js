// The scenario page: build a run request, start it, poll its progress, draw the results with Plotly.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("form-data").textContent);
  const byId = Object.fromEntries(data.jurisdictions.map((j) => [j.id, j]));
  const $ = (id) => document.getElementById(id);
  const form = $("run-form");
  const COLORS = { baseline: "#0072B2", reform: "#D55E00" };
  const FILL = { baseline: "rgba(0,114,178,0.18)", reform: "rgba(213,94,0,0.18)" };
  let polling = null;
  let currentRun = null;

  function option(value, text, selected) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    if (selected) o.selected = true;
    return o;
  }

  function template() {
    const j = byId[$("jurisdiction").value];
    return j.templates.find((t) => t.name === $("scenario").value) || null;
  }

  function fillJurisdiction() {
    const j = byId[$("jurisdiction").value];
    const scen = $("scenario");
    scen.replaceChildren();
    if (j.templates.length === 0) scen.append(option("", "none: give the population below", true));
    for (const t of j.templates) scen.append(option(t.name, t.name + ": " + t.title));
    $("population-fields").hidden = j.templates.length > 0;
    fillArms();
  }

  function fillArms() {
    const j = byId[$("jurisdiction").value];
    const t = template();
    const base = $("baseline");
    const ref = $("reform");
    base.replaceChildren();
    ref.replaceChildren();
    base.append(option("", t ? "scenario's: " + t.baseline : "the law in force the day before the start", true));
    for (const v of j.versions) base.append(option(v.ref, v.ref + " (" + (v.from || "…") + " to " + (v.until || "now") + ")"));
    if (t) ref.append(option("", "scenario's: " + (t.reform || "none"), true));
    for (const r of j.reforms) ref.append(option(r.ref, r.ref + ": " + r.title, !t && r === j.reforms[0]));
    for (const v of j.versions) ref.append(option(v.ref, v.ref + " (" + (v.from || "…") + " to " + (v.until || "now") + ")"));
    ref.append(option("none", "none (no change in law)"));
    if (!t && j.reforms.length === 0 && j.versions.length) ref.value = j.versions[j.versions.length - 1].ref;
    setStart();
  }

  function setStart() {
    const j = byId[$("jurisdiction").value];
    const t = template();
    const chosen = $("reform").value;
    const rf = j.reforms.find((r) => r.ref === chosen);
    const v = j.versions.find((x) => x.ref === chosen);
    let start = t ? t.start : "";
    if (rf) start = rf.start;
    else if (v && v.from) start = v.from;
    if (start) $("start").value = start;
  }

  function num(id) {
    const v = $(id).value.trim();
    return v === "" ? null : Number(v);
  }

  function request() {
    const req = {
      jurisdiction: $("jurisdiction").value,
      years: num("years"),
      replicates: num("replicates"),
      scale: num("scale"),
      levers: {
        enforcement_effort: num("enforcement_effort"),
        exit_capacity: num("exit_capacity"),
      },
    };
    if ($("scenario").value) req.scenario = $("scenario").value;
    if ($("baseline").value) req.baseline = $("baseline").value;
    if ($("reform").value) req.reform = $("reform").value;
    if ($("start").value) req.start = $("start").value;
    const edu = num("education");
    if (edu !== null) req.levers.education_usd_per_year = edu;
    if (!$("population-fields").hidden) {
      req.population = { total: num("pop-total"), adult_men: num("pop-men") };
      const s = num("pop-sellers");
      if (s !== null) req.population.sellers = s;
    }
    return req;
  }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = !text;
  }

  function busy(on) {
    $("run").disabled = on;
    $("cancel").hidden = !on;
  }

  async function start(ev) {
    ev.preventDefault();
    showError("");
    $("results").hidden = true;
    busy(true);
    let resp;
    try {
      resp = await fetch("/api/runs", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(request()),
      });
    } catch (e) {
      busy(false);
      showError("Could not reach the server: " + e);
      return;
    }
    const body = await resp.json().catch(() => ({}));
    if (resp.status !== 202) {
      busy(false);
      showError("The run was refused (" + resp.status + "): " + (body.detail || resp.statusText));
      return;
    }
    follow(body.id);
  }

  function follow(id) {
    currentRun = id;
    const url = new URL(window.location.href);
    url.searchParams.set("run", id);
    window.history.replaceState(null, "", url);
    $("status").hidden = false;
    busy(true);
    poll();
  }

  async function poll() {
    clearTimeout(polling);
    const id = currentRun;
    let st;
    try {
      const resp = await fetch("/api/runs/" + encodeURIComponent(id));
      st = await resp.json();
      if (!resp.ok) {
        busy(false);
        $("status").hidden = true;
        showError(st.detail || "unknown run");
        return;
      }
    } catch (e) {
      polling = setTimeout(poll, 1000);
      return;
    }
    $("progress").value = st.progress;
    const pct = Math.round(st.progress * 100);
    $("status-text").textContent = "Run " + st.id + ": " + st.phase + " (" + pct + "%" +
      (st.elapsed_seconds != null ? ", " + st.elapsed_seconds.toFixed(1) + " s" : "") + ")";
    $("status").dataset.status = st.status;
    if (st.status === "done") {
      busy(false);
      await results(id);
    } else if (st.status === "failed" || st.status === "cancelled") {
      busy(false);
      showError("The run " + st.status + ": " + (st.error || st.status));
    } else {
      polling = setTimeout(poll, 500);
    }
  }

  function fmt(x) {
    const a = Math.abs(x);
    if (a >= 100) return Math.round(x).toLocaleString("en-US");
    if (a >= 10) return x.toFixed(1);
    return x.toFixed(2);
  }

  function chart(el, name, s, dates) {
    const traces = [];
    for (const arm of ["baseline", "reform"]) {
      const b = s[arm];
      const label = arm === "baseline" ? "current law" : "reform";
      traces.push({ x: dates, y: b.hi, mode: "lines", line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: arm });
      traces.push({
        x: dates, y: b.lo, mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: FILL[arm],
        name: label + " 5–95%", hoverinfo: "skip", legendgroup: arm, showlegend: false,
      });
      traces.push({ x: dates, y: b.mean, mode: "lines+markers", name: label, line: { color: COLORS[arm], width: 2 }, marker: { size: 4 }, legendgroup: arm });
    }
    const layout = {
      title: { text: s.label, font: { size: 14 } },
      margin: { l: 56, r: 12, t: 40, b: 36 },
      height: 280,
      yaxis: { title: { text: s.unit }, rangemode: "tozero" },
      legend: { orientation: "h", y: -0.2 },
      paper_bgcolor: "rgba(0,0,0,0)",
    };
    return window.Plotly.newPlot(el, traces, layout, { responsive: true, displaylogo: false });
  }

  async function results(id) {
    const resp = await fetch("/api/runs/" + encodeURIComponent(id) + "/results");
    const res = await resp.json();
    if (!resp.ok) {
      showError(res.detail || "no results");
      return;
    }
    const sc = res.scenario;
    $("results-title").textContent = sc.title;
    const dl = $("downloads");
    dl.replaceChildren();
    const a1 = document.createElement("a");
    a1.href = res.links.csv; a1.textContent = "Download CSV (yearly summary)"; a1.id = "download-csv";
    const a2 = document.createElement("a");
    a2.href = res.links.netcdf; a2.textContent = "Download NetCDF (every output, arm × replicate × week)"; a2.id = "download-nc";
    dl.append(a1, " · ", a2, " · " + sc.replicates + " replicates, seed " + sc.seed + ", " + res.seconds.toFixed(1) + " s");
    const charts = $("charts");
    charts.replaceChildren();
    $("results").hidden = false;
    for (const name of data.key_outcomes) {
      const s = res.series.outcomes[name];
      if (!s) continue;
      const div = document.createElement("div");
      div.className = "chart";
      div.id = "chart-" + name;
      charts.append(div);
      await chart(div, name, s, res.series.dates);
    }
    summary(res);
  }

  function summary(res) {
    const last = Math.max(...res.summary.map((r) => r.year));
    $("summary-title").textContent = "Year " + last + ": mean and 90% interval across replicates";
    const head = $("summary-table").tHead;
    head.innerHTML = "<tr><th>Outcome</th><th>Current law</th><th>Reform</th><th>Difference</th></tr>";
    const body = $("summary-table").tBodies[0];
    body.replaceChildren();
    for (const r of res.summary.filter((x) => x.year === last)) {
      const tr = document.createElement("tr");
      const label = (res.series.outcomes[r.outcome] || {}).label || r.outcome;
      const cells = [
        label,
        fmt(r.baseline_mean) + " (" + fmt(r.baseline_lo) + " to " + fmt(r.baseline_hi) + ")",
        fmt(r.reform_mean) + " (" + fmt(r.reform_lo) + " to " + fmt(r.reform_hi) + ")",
        fmt(r.difference_mean) + " (" + fmt(r.difference_lo) + " to " + fmt(r.difference_hi) + ")",
      ];
      for (const c of cells) {
        const td = document.createElement("td");
        td.textContent = c;
        tr.append(td);
      }
      body.append(tr);
    }
  }

  $("jurisdiction").addEventListener("change", fillJurisdiction);
  $("scenario").addEventListener("change", fillArms);
  $("reform").addEventListener("change", setStart);
  $("enforcement_effort").addEventListener("input", (e) => { $("enforcement-out").textContent = Number(e.target.value).toFixed(1) + "×"; });
  $("exit_capacity").addEventListener("input", (e) => { $("exit-out").textContent = Number(e.target.value).toFixed(1) + "×"; });
  $("cancel").addEventListener("click", async () => {
    if (currentRun) await fetch("/api/runs/" + encodeURIComponent(currentRun), { method: "DELETE" });
  });
  form.addEventListener("submit", start);
  fillJurisdiction();
  const run = new URL(window.location.href).searchParams.get("run");
  if (run) follow(run);
})();
