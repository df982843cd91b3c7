// The studio's page is a Swift string literal, not a file in a resource bundle, so the one `backdrop`
// binary serves it wherever it is copied (no bundle to install beside it, nothing to find at run time).
// It is one HTML file with its own CSS and JS and no external resources: it works offline and behind
// a firewall. It follows the studio's HTTP contract: the endpoints and the element ids the browser
// test drives (Tests/BackdropStudioTests/BrowserTests.swift).

/// The studio's web page (`GET /`): live preview, a control for every setting, charts of the last
/// ten minutes of telemetry and the run's figures.
enum StudioPage {
    static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backdrop Studio</title>
<link rel="icon" href="data:,">
<style>
  :root { --bg: #0f1419; --card: #182029; --line: #2a3542; --text: #e6edf3; --dim: #8b98a5;
          --accent: #4cc2ff; --ok: #3fb950; --bad: #f85149; --warn: #d29922; }
  * { box-sizing: border-box; }
  body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.4 system-ui, sans-serif; }
  header { display: flex; align-items: center; gap: 16px; padding: 12px 20px; border-bottom: 1px solid var(--line); }
  header h1 { font-size: 18px; margin: 0; font-weight: 600; }
  header .run { color: var(--dim); flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .pill { padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--line); }
  .pill.ok { background: #1f3d2a; color: var(--ok); } .pill.bad { background: #4a1f1f; color: var(--bad); }
  main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(280px, 1fr); gap: 16px; padding: 16px 20px; align-items: start; }
  .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
  .card h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .06em; color: var(--dim); margin: 0 0 8px; font-weight: 600; }
  .preview { position: relative; display: flex; flex-direction: column; }
  .preview .bar { display: flex; justify-content: space-between; align-items: center; margin-bottom: 8px; }
  #preview { width: 100%; aspect-ratio: 16 / 9; max-height: 62vh; object-fit: contain; background: var(--bg); border-radius: 6px; }
  form { display: grid; grid-template-columns: auto 1fr; gap: 9px 12px; align-items: center; }
  label { color: var(--dim); }
  select, input[type=number] { background: var(--bg); color: var(--text); border: 1px solid var(--line);
                               border-radius: 6px; padding: 4px 6px; font: inherit; width: 100%; }
  input[type=range] { width: 100%; accent-color: var(--accent); }
  input[type=color] { width: 48px; height: 26px; border: 1px solid var(--line); background: none; padding: 0; }
  input[type=checkbox] { accent-color: var(--accent); width: 16px; height: 16px; justify-self: start; }
  .inline { display: flex; align-items: center; gap: 8px; }
  .inline output { min-width: 2.5em; text-align: right; font-variant-numeric: tabular-nums; }
  .idle { opacity: .45; }
  #status { grid-column: 1 / -1; min-height: 1.4em; padding: 6px 8px; border-radius: 6px; background: var(--bg);
            font-size: 13px; white-space: pre-line; }
  #status.ok { color: var(--ok); } #status.bad { color: var(--bad); } #status:empty { visibility: hidden; }
  .side { display: flex; flex-direction: column; gap: 16px; }
  #view { width: auto; }
  #summary { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; margin: 0; }
  #summary div { background: var(--bg); border-radius: 8px; padding: 6px 10px; }
  #summary dt { color: var(--dim); font-size: 12px; } #summary dd { margin: 2px 0 0; font-size: 18px; font-variant-numeric: tabular-nums; }
  .charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; padding: 16px 20px 24px; }
  canvas { width: 100%; height: 190px; display: block; }
  @media (max-width: 900px) { main, .charts { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <h1>Backdrop Studio</h1>
  <span class="run" id="run">connecting…</span>
  <span class="pill" id="health">…</span>
</header>
<main>
  <section class="card preview">
    <div class="bar">
      <h2>Preview</h2>
      <select id="view" aria-label="Preview view">
        <option value="output">Output</option><option value="input">Input</option><option value="mask">Mask</option>
      </select>
    </div>
    <img id="preview" src="/preview?view=output" alt="Live preview">
  </section>
  <div class="side">
  <section class="card">
    <h2>Settings</h2>
    <form id="controls" onsubmit="return false">
      <label for="effect">Effect</label><select id="effect"></select>
      <label for="blurStrength" data-for="blur">Blur strength</label>
      <span class="inline" data-for="blur"><input type="range" id="blurStrength" min="1" max="100"><output></output></span>
      <label for="background" data-for="replace">Background</label>
      <span class="inline" data-for="replace"><select id="background"></select>
        <input type="file" id="upload" accept="image/png,image/jpeg" hidden>
        <button type="button" onclick="$('upload').click()">Upload…</button></span>
      <label for="color" data-for="color">Colour</label><input type="color" id="color" data-for="color">
      <label for="faces">Faces</label><input type="checkbox" id="faces">
      <label for="hideFaces">Hide faces</label>
      <span class="inline"><select id="hideFaces"><option>off</option><option>blur</option><option>pixelate</option></select>
        <label><input type="checkbox" id="keepMain"> keep the main face</label></span>
      <label for="smoothing">Smoothing</label><input type="checkbox" id="smoothing">
      <label for="framing">Auto-framing</label><input type="checkbox" id="framing">
      <label for="feather">Feather</label>
      <span class="inline"><input type="range" id="feather" min="0" max="64"><output></output></span>
      <label for="maxFPS">Rate cap (FPS)</label><input type="number" id="maxFPS" min="0.1" max="1000" step="any" placeholder="default">
      <div id="status" role="status"></div>
    </form>
  </section>
  <section class="card"><h2>Run</h2><dl id="summary"></dl></section>
  </div>
</main>
<section class="charts">
  <div class="card"><h2>Frames per second</h2><canvas id="chart-fps" data-samples="0"></canvas></div>
  <div class="card"><h2>Latency (ms)</h2><canvas id="chart-latency" data-samples="0"></canvas></div>
  <div class="card"><h2>Resident memory (MB)</h2><canvas id="chart-rss" data-samples="0"></canvas></div>
  <div class="card"><h2>Drops per second</h2><canvas id="chart-drops" data-samples="0"></canvas></div>
</section>
<script>
"use strict";
const $ = id => document.getElementById(id);
const WINDOW_SECONDS = 600;                 // the charts show the last ten minutes, like /api/history
let samples = [];                           // oldest first
let state = null;                           // the latest /api/state

// --- talking to the server ---------------------------------------------------------------------
async function api(method, path, body, type = "application/json") {
  const init = { method, headers: {} };
  if (body !== undefined) { init.body = type === "application/json" ? JSON.stringify(body) : body; init.headers["Content-Type"] = type; }
  const response = await fetch(path, init);
  if (response.status === 401) { location.href = "/login"; throw new Error("not signed in"); }
  const answer = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw Object.assign(new Error(answer.error || response.statusText), { fields: answer.fields });
  return answer;
}

function showStatus(text, ok) { const s = $("status"); s.textContent = text; s.className = ok ? "ok" : "bad"; }
function showError(error) {
  const fields = Object.entries(error.fields || {}).map(([name, why]) => `${name}: ${why}`);
  showStatus([error.message, ...fields].join("\n"), false);
}

// --- settings: the controls show the server's answer, never what was typed -----------------------
function fillSettings(settings) {
  state && (state.settings = settings);
  $("effect").value = settings.effect;
  $("blurStrength").value = settings.blur_strength;
  $("background").value = settings.background ?? "";
  $("color").value = "#" + settings.color.toLowerCase();
  $("faces").checked = settings.faces;
  $("faces").disabled = state ? !state.faces_available : false;  // the run did not load the face landmarker
  $("hideFaces").value = settings.hide_faces;
  $("keepMain").checked = settings.keep_main;
  $("smoothing").checked = settings.smoothing;
  $("framing").checked = settings.framing;
  $("framing").disabled = state ? !state.faces_available : false;  // framing follows the faces
  $("feather").value = settings.feather;
  $("maxFPS").value = settings.max_fps ?? "";
  for (const range of document.querySelectorAll("input[type=range]")) range.nextElementSibling.value = range.value;
  // Dim the controls the chosen effect does not use (they still apply: they are kept for later).
  for (const element of document.querySelectorAll("[data-for]"))
    element.classList.toggle("idle", element.dataset.for !== settings.effect);
}

async function apply(change) {
  try { fillSettings(await api("PATCH", "/api/settings", change)); showStatus("applied", true); }
  catch (error) { showError(error); if (state) fillSettings(state.settings); }
}

function fillBackgrounds(backgrounds) {
  const select = $("background"), chosen = state?.settings.background ?? "";
  select.replaceChildren(new Option("none", ""), ...backgrounds.map(b => new Option(`${b.name} (${b.width}×${b.height})`, b.id)));
  select.value = chosen;
}

const controls = {
  effect: e => ({ effect: e.value }),
  blurStrength: e => ({ blur_strength: Number(e.value) }),
  background: e => ({ background: e.value || null }),
  color: e => ({ color: e.value.slice(1).toUpperCase() }),
  faces: e => ({ faces: e.checked }),
  hideFaces: e => ({ hide_faces: e.value }),
  keepMain: e => ({ keep_main: e.checked }),
  smoothing: e => ({ smoothing: e.checked }),
  framing: e => ({ framing: e.checked }),
  feather: e => ({ feather: Number(e.value) }),
  maxFPS: e => ({ max_fps: e.value === "" ? null : Number(e.value) }),
};
for (const [id, change] of Object.entries(controls)) $(id).addEventListener("change", event => apply(change(event.target)));
for (const range of document.querySelectorAll("input[type=range]"))
  range.addEventListener("input", () => range.nextElementSibling.value = range.value);

$("upload").addEventListener("change", async event => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    showStatus(`uploading ${file.name}…`, true);
    const background = await api("POST", `/api/backgrounds?name=${encodeURIComponent(file.name)}`, file, file.type || "application/octet-stream");
    fillBackgrounds(await api("GET", "/api/backgrounds"));
    $("background").value = background.id;
    await apply({ background: background.id });
  } catch (error) { showError(error); }
  event.target.value = "";
});

$("view").addEventListener("change", event => $("preview").src = `/preview?view=${event.target.value}`);
// A stream that breaks (the server restarted, no frame yet) is opened again a little later; the
// extra parameter makes it a new URL, which the browser loads again.
$("preview").addEventListener("error", () => setTimeout(() => $("preview").src = `/preview?view=${$("view").value}&retry=${Date.now()}`, 2000));

// --- charts: plain canvas, one function draws them all ---------------------------------------------
const charts = {
  "chart-fps": { series: [["in_fps", "in", "#4cc2ff"], ["processed_fps", "processed", "#a371f7"], ["out_fps", "out", "#3fb950"]], unit: "" },
  "chart-latency": { series: [["latency_p50_ms", "p50", "#4cc2ff"], ["latency_p99_ms", "p99", "#f0883e"]], unit: " ms" },
  "chart-rss": { series: [["rss_mb", "RSS", "#d2a8ff"]], unit: " MB", fromZero: false,
                 legend: last => `slope ${slope(last)}` },
  "chart-drops": { series: [["dropped", "dropped", "#f85149"]], unit: "", bars: true },
};

function slope(sample) {
  const value = sample?.rss_slope_mb_per_hour;
  return value == null ? "measuring…" : `${value >= 0 ? "+" : ""}${value.toFixed(1)} MB/h`;
}

// A round step for about four grid lines between low and high.
function gridStep(span) {
  const rough = span / 4, power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map(m => m * power).find(step => step >= rough);
}

function drawChart(canvas, shown, { series, unit, fromZero = true, bars = false, legend }) {
  const ratio = window.devicePixelRatio || 1, width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== width * ratio || canvas.height !== height * ratio) { canvas.width = width * ratio; canvas.height = height * ratio; }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, width, height);
  g.font = "11px system-ui, sans-serif";
  const left = 46, right = width - 8, top = 26, bottom = height - 18;

  // Time runs to the newest sample; the span grows from one minute to ten as the run goes on.
  const end = shown.length ? shown[shown.length - 1].t : 0;
  const span = Math.min(WINDOW_SECONDS, Math.max(60, end - (shown[0]?.t ?? 0)));
  const x = t => right - (end - t) / span * (right - left);
  const values = shown.flatMap(s => series.map(([key]) => s[key])).filter(v => Number.isFinite(v));
  let low = fromZero || !values.length ? 0 : Math.min(...values), high = Math.max(...values, low + 1);
  if (!fromZero && values.length) { const pad = Math.max((high - low) * 0.15, 1); low = Math.max(0, low - pad); high += pad; }
  const step = gridStep(high - low);
  low = Math.floor(low / step) * step; high = Math.ceil(high / step) * step;
  const y = v => bottom - (v - low) / (high - low) * (bottom - top);

  g.strokeStyle = "#2a3542"; g.fillStyle = "#8b98a5"; g.lineWidth = 1; g.textAlign = "right"; g.textBaseline = "middle";
  for (let v = low; v <= high + step / 2; v += step) {
    g.beginPath(); g.moveTo(left, Math.round(y(v)) + .5); g.lineTo(right, Math.round(y(v)) + .5); g.stroke();
    g.fillText(+v.toFixed(2), left - 6, y(v));
  }
  g.textBaseline = "top";
  for (const [ago, align] of [[span, "left"], [span / 2, "center"], [0, "right"]]) {
    g.textAlign = align;
    g.fillText(ago ? `-${Math.round(ago / 60 * 10) / 10} min` : "now", x(end - ago), bottom + 4);
  }

  for (const [key, , color] of series) {
    g.strokeStyle = g.fillStyle = color; g.lineWidth = 1.8; g.beginPath();
    let drawing = false;
    for (const s of shown) {
      const v = s[key];
      if (!Number.isFinite(v)) { drawing = false; continue; }
      if (bars) { const w = Math.max(1, (right - left) / span - 1); g.fillRect(x(s.t) - w, y(v), w, bottom - y(v)); continue; }
      drawing ? g.lineTo(x(s.t), y(v)) : g.moveTo(x(s.t), y(v));
      drawing = true;
    }
    if (!bars) g.stroke();
  }

  // The legend: each series' newest value, then whatever the chart adds (the RSS slope).
  const last = shown[shown.length - 1];
  const entries = series.map(([key, label, color]) => [`${label} ${last && Number.isFinite(last[key]) ? +last[key].toFixed(1) : "–"}${unit}`, color]);
  if (legend) entries.push([legend(last), "#e6edf3"]);
  g.textAlign = "left"; g.textBaseline = "middle"; g.font = "12px system-ui, sans-serif";
  let at = left;
  for (const [text, color] of entries) {
    g.fillStyle = color; g.fillRect(at, 8, 10, 10);
    g.fillStyle = "#e6edf3"; g.fillText(text, at + 14, 13);
    at += g.measureText(text).width + 30;
  }
  canvas.dataset.samples = shown.length;
}

function drawCharts() {
  const end = samples.length ? samples[samples.length - 1].t : 0;
  samples = samples.filter(s => s.t > end - WINDOW_SECONDS);
  for (const [id, chart] of Object.entries(charts)) drawChart($(id), samples, chart);
}
window.addEventListener("resize", drawCharts);

// --- the run's figures ----------------------------------------------------------------------------
function duration(seconds) {
  const s = Math.floor(seconds), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

function fillSummary() {
  if (!state) return;
  const last = samples[samples.length - 1] ?? state.latest, run = state.run, total = state.summary;
  const health = state.health;
  $("health").textContent = run.finished ? "finished" : health.ok ? "healthy" : "unhealthy";
  $("health").className = "pill " + (health.ok ? "ok" : "bad");
  $("health").title = health.reason ?? "";
  $("run").textContent = `${run.input} → ${run.outputs.join(", ") || "no output"} · ${run.width}×${run.height} · ${run.live ? "live" : "offline"}`;
  const count = new Intl.NumberFormat("en").format;
  const figures = [
    ["Frames out", count(last?.frames_output ?? total?.run.frames_output ?? 0)],
    ["Dropped", count(last?.dropped_total ?? total?.run.frames_dropped ?? 0)],
    ["Swaps", count(last?.swaps_total ?? total?.run.swaps ?? 0)],
    ["RSS", last ? `${last.rss_mb.toFixed(1)} MB` : "–"],
    ["Peak RSS", last ? `${last.rss_peak_mb.toFixed(1)} MB` : total ? `${total.rss_peak_mb.toFixed(1)} MB` : "–"],
    ["RSS slope", slope(last)],
    ["Uptime", duration(run.uptime_seconds)],
    ["Health", health.ok ? "ok" : health.reason ?? "unhealthy"],
  ];
  $("summary").replaceChildren(...figures.map(([name, value]) => {
    const item = document.createElement("div");
    item.append(Object.assign(document.createElement("dt"), { textContent: name }),
                Object.assign(document.createElement("dd"), { textContent: value }));
    return item;
  }));
}

// --- start: the state and history once, then the event stream; the state again every few seconds
// for what the stream does not carry (health, uptime, the summary).
async function refreshState() {
  try { state = await api("GET", "/api/state"); fillSummary(); }
  catch (error) { $("health").textContent = "offline"; $("health").className = "pill bad"; }
}

async function start() {
  state = await api("GET", "/api/state");
  $("preview").style.aspectRatio = `${state.run.width} / ${state.run.height}`;
  $("effect").replaceChildren(...state.effects.map(name => new Option(name, name)));
  $("blurStrength").min = state.limits.blur_strength[0]; $("blurStrength").max = state.limits.blur_strength[1];
  $("feather").min = state.limits.feather[0]; $("feather").max = state.limits.feather[1];
  $("maxFPS").min = state.limits.max_fps[0]; $("maxFPS").max = state.limits.max_fps[1];
  fillBackgrounds(state.backgrounds);
  fillSettings(state.settings);
  samples = (await api("GET", "/api/history")).samples;
  drawCharts(); fillSummary();
  const events = new EventSource("/api/events");
  events.addEventListener("sample", event => { samples.push(JSON.parse(event.data)); drawCharts(); fillSummary(); });
  events.addEventListener("settings", event => fillSettings(JSON.parse(event.data)));
  setInterval(refreshState, 5000);
}
start().catch(showError);
</script>
</body>
</html>
"""#
}
