// The gate lab's live renderer (runs as the js_on_load of the hub component, #gates-status).
//
// Frames (app/gates/frames.py) arrive two ways: as the hub's value after a click (pause,
// step, a setting...) and over the live stream (app/gates/stream.py) while playing. Each is
// drawn at the next animation frame, newest only: a frame older (by `seq`) than one already
// taken is dropped, so Pause wins over a training frame still on its way. After drawing, each
// view sets data-epoch on its .nnp-view (the epoch it shows) and the page acknowledges the
// stream frame, which lets the server send the next one (back-pressure: at most 2 in flight).
//
// Views register themselves in window.nnplayGatesViews (see layout.py VIEW_JS), in any order.
const VIEWS = (window.nnplayGatesViews = window.nnplayGatesViews || {});
const G = (window.nnplayGates = window.nnplayGates || {
  seq: -1, st: null, frame: null, pending: null, pendingK: 0, raf: 0, ws: null, token: null,
  conn: 'idle', curve: {e: [], tl: [], ta: [], vl: [], va: []},
  stats: {frames: 0, drawMs: 0, received: 0, stale: 0, skipped: 0},
});
G.hub = element;
VIEWS.status = {element, trigger};

// ------------------------------------------------------------------ colours
const ORANGE = [245, 147, 34], MID = [232, 234, 235], BLUE = [8, 119, 189];
const INK = '#1f2937', MUTED = '#6b7280', TRAIN = '#4338ca', TEST = '#0d9488';
const LUT = new Uint8ClampedArray(256 * 4);
for (let c = 0; c < 256; c++) {
  const t = c / 255, [a, b, u] = t < 0.5 ? [ORANGE, MID, t / 0.5] : [MID, BLUE, (t - 0.5) / 0.5];
  for (let i = 0; i < 3; i++) LUT[c * 4 + i] = Math.round(a[i] + (b[i] - a[i]) * u);
  LUT[c * 4 + 3] = 255;
}
const rgb = (c) => `rgb(${c[0]},${c[1]},${c[2]})`;

function bytes(b64) {
  const s = atob(b64), out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// codes (uint8, row-major, top row first) -> a w x h canvas to drawImage from
function codeCanvas(cache, codes, w, h, threshold) {
  let cv = cache.cv;
  if (!cv || cv.width !== w || cv.height !== h) { cv = cache.cv = document.createElement('canvas'); cv.width = w; cv.height = h; }
  const ctx = cv.getContext('2d'), img = ctx.createImageData(w, h), d = img.data;
  for (let i = 0; i < w * h; i++) {
    const c = threshold ? (codes[i] >= 128 ? 255 : 0) : codes[i];
    d[i * 4] = LUT[c * 4]; d[i * 4 + 1] = LUT[c * 4 + 1]; d[i * 4 + 2] = LUT[c * 4 + 2]; d[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return cv;
}

// A canvas sized to its CSS box and the device pixel ratio; returns [ctx, cssW, cssH].
function fit(canvas, w, h) {
  const r = window.devicePixelRatio || 1;
  const W = Math.max(1, Math.round(w * r)), H = Math.max(1, Math.round(h * r));
  if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
  if (canvas.__h !== h) { canvas.style.height = h + 'px'; canvas.__h = h; }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(r, 0, 0, r, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

function colorbar(ctx, x, y, w, h, ticks) {
  const grad = ctx.createLinearGradient(0, y + h, 0, y);
  grad.addColorStop(0, rgb(ORANGE)); grad.addColorStop(0.5, rgb(MID)); grad.addColorStop(1, rgb(BLUE));
  ctx.fillStyle = grad; ctx.fillRect(x, y, w, h);
  ctx.fillStyle = INK; ctx.font = '10px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
  for (const [t, label] of ticks) ctx.fillText(label, x + w + 3, y + h - t * h);
}

const pretty = (s) => String(s).replace(/x(\d)/g, (m, d) => 'x' + '₀₁₂₃₄₅₆₇₈₉'[+d]).replace(/\^2/g, '²').replace(/\*/g, '·');
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const fmt = (v, d) => (v === null || v === undefined ? '–' : Number(v).toFixed(d));

// A view's width without forcing a layout in the middle of drawing (the ResizeObserver in
// viewAdded keeps it current; reading clientWidth after another view's DOM write would not).
const widthOf = (view, fallback) => view.__w || (view.__w = view.clientWidth) || fallback;

// ------------------------------------------------------------------ views
const DRAW = {};

DRAW.epoch = (el, f) => {
  const v = el.querySelector('.ep-value');
  v.textContent = f.epoch.toLocaleString('en-US');
  v.dataset.epoch = f.epoch;
};

DRAW.status = (el, f) => {
  const t = el.querySelector('.st-text');
  if (t.__html !== f.status) { t.innerHTML = f.status; t.__html = f.status; }
  t.dataset.epoch = f.epoch;
};

DRAW.boundary = (el, f, st) => {
  const view = el.querySelector('.nnp-view'), canvas = view.querySelector('canvas');
  const W = widthOf(view, 320), H = W;
  const ctx = fit(canvas, W, H);
  const m = {l: 30, r: 40, t: 8, b: 28};
  const side = Math.max(40, Math.min(W - m.l - m.r, H - m.t - m.b));
  const px = m.l, py = m.t;
  const [lo, hi] = st.range, G0 = st.G, half = (hi - lo) / (G0 - 1) / 2;
  const a = lo - half, b = hi + half;
  const sx = (x) => px + ((x - a) / (b - a)) * side, sy = (y) => py + side - ((y - a) / (b - a)) * side;
  ctx.imageSmoothingEnabled = !st.discretize;
  ctx.drawImage(codeCanvas(view, bytes(f.b), G0, G0, st.discretize), px, py, side, side);
  ctx.strokeStyle = '#cbd5e1'; ctx.lineWidth = 1; ctx.strokeRect(px + 0.5, py + 0.5, side - 1, side - 1);
  ctx.fillStyle = INK; ctx.strokeStyle = INK; ctx.font = '11px system-ui, sans-serif';
  for (const v of [0, 1]) {
    ctx.textAlign = 'center'; ctx.textBaseline = 'top';
    ctx.beginPath(); ctx.moveTo(sx(v), py + side); ctx.lineTo(sx(v), py + side + 4); ctx.stroke();
    ctx.fillText(String(v), sx(v), py + side + 5);
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    ctx.beginPath(); ctx.moveTo(px - 4, sy(v)); ctx.lineTo(px, sy(v)); ctx.stroke();
    ctx.fillText(String(v), px - 6, sy(v));
  }
  ctx.textAlign = 'center'; ctx.textBaseline = 'top'; ctx.fillText('x₁', px + side / 2, py + side + 13);
  ctx.save(); ctx.translate(9, py + side / 2); ctx.rotate(-Math.PI / 2); ctx.textBaseline = 'middle';
  ctx.fillText('x₂', 0, 0); ctx.restore();
  const dot = (p, test) => {
    const x = sx(p[0]), y = sy(p[1]);
    ctx.fillStyle = p[2] ? rgb(BLUE) : rgb(ORANGE);
    ctx.strokeStyle = test ? INK : '#fff'; ctx.lineWidth = test ? 1.5 : 1.2;
    ctx.beginPath();
    if (test) ctx.rect(x - 3.5, y - 3.5, 7, 7); else ctx.arc(x, y, 4.5, 0, 2 * Math.PI);
    ctx.fill(); ctx.stroke();
  };
  ctx.save(); ctx.beginPath(); ctx.rect(px, py, side, side); ctx.clip();
  for (const p of st.train) dot(p, false);
  for (const p of st.test) dot(p, true);
  if (f.try && f.try.x.length >= 2) {
    const x = sx(f.try.x[0]), y = sy(f.try.x[1]);
    ctx.beginPath();
    for (let i = 0; i < 10; i++) {
      const r = i % 2 ? 3.6 : 8.5, t = -Math.PI / 2 + (i * Math.PI) / 5;
      ctx.lineTo(x + r * Math.cos(t), y + r * Math.sin(t));
    }
    ctx.closePath(); ctx.fillStyle = '#facc15'; ctx.fill(); ctx.strokeStyle = INK; ctx.lineWidth = 1.3; ctx.stroke();
    ctx.fillStyle = INK; ctx.font = '12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
    ctx.fillText(`p = ${f.try.p.toFixed(2)}`, x, y - 10);
  }
  if (st.note) {
    ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'top';
    const w = ctx.measureText(st.note).width;
    ctx.fillStyle = 'rgba(255,255,255,0.85)'; ctx.fillRect(px + 3, py + 3, w + 8, 16);
    ctx.fillStyle = INK; ctx.fillText(st.note, px + 7, py + 5);
  }
  ctx.restore();
  colorbar(ctx, px + side + 8, py + side * 0.05, 9, side * 0.9,
           st.discretize ? [[0, '0'], [1, '1']] : [[0, '0'], [0.5, '0.5'], [1, '1']]);
  view.dataset.epoch = f.epoch;
};

function netLayout(st, W) {
  const sizes = st.sizes, nc = sizes.length, rows = Math.max(...sizes);
  const left = 46, top = 22, right = 8, bottom = 6;
  let s = Math.floor((W - left - right) / (nc + (nc - 1) * 1.6));
  s = Math.max(12, Math.min(s, 56, Math.floor((560 - top - bottom) / (rows + (rows - 1) * 0.3))));
  const cg = 1.6 * s, rg = 0.3 * s, totalW = nc * s + (nc - 1) * cg;
  const x0 = left + Math.max(0, (W - left - right - totalW) / 2);
  return {s, nc, rows, X: (c) => x0 + c * (s + cg), Y: (k) => top + k * (s + rg), H: top + rows * s + (rows - 1) * rg + bottom};
}

function edgeList(st, f, L) {
  const out = [];
  f.w.forEach((w, i) => {
    const nin = st.sizes[i], nout = st.sizes[i + 1];
    for (let o = 0; o < nout; o++) for (let j = 0; j < nin; j++) {
      out.push({i, o, j, v: w[o * nin + j], x0: L.X(i) + L.s, y0: L.Y(j) + L.s / 2, x1: L.X(i + 1), y1: L.Y(o) + L.s / 2});
    }
  });
  return out;
}

DRAW.net = (el, f, st) => {
  const view = el.querySelector('.nnp-view'), canvas = view.querySelector('canvas');
  const W = widthOf(view, 480), L = netLayout(st, W);
  const ctx = fit(canvas, W, L.H);
  const edges = edgeList(st, f, L);
  // Edges grouped by sign and width (0.5 px steps): a few strokes instead of one per edge.
  const groups = new Map();
  for (const e of edges) {
    const width = Math.round(Math.min(6, 0.4 + 1.6 * Math.abs(e.v)) * 2) / 2, key = (e.v >= 0 ? 'b' : 'o') + width;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(e);
  }
  for (const [key, list] of groups) {
    ctx.beginPath();
    for (const e of list) { ctx.moveTo(e.x0, e.y0); ctx.lineTo(e.x1, e.y1); }
    ctx.strokeStyle = key[0] === 'b' ? 'rgba(8,119,189,0.85)' : 'rgba(245,147,34,0.9)';
    ctx.lineWidth = +key.slice(1); ctx.stroke();
  }
  if (st.edge) {
    const e = edges.find((e) => e.i === st.edge[0] && e.o === st.edge[1] && e.j === st.edge[2]);
    if (e) { ctx.setLineDash([4, 3]); ctx.strokeStyle = INK; ctx.lineWidth = 3; ctx.beginPath(); ctx.moveTo(e.x0, e.y0); ctx.lineTo(e.x1, e.y1); ctx.stroke(); ctx.setLineDash([]); }
  }
  // Node tiles: one scratch image holding every node, each drawn scaled into place.
  const n = st.sizes.reduce((a, b) => a + b, 0), codes = bytes(f.tiles);
  const T = Math.round(Math.sqrt(codes.length / n));
  const scratch = codeCanvas(view, codes, T, T * n, false);
  ctx.imageSmoothingEnabled = true;
  let idx = 0;
  const nodes = [];
  st.sizes.forEach((size, c) => {
    for (let k = 0; k < size; k++, idx++) {
      const x = L.X(c), y = L.Y(k);
      ctx.drawImage(scratch, 0, idx * T, T, T, x, y, L.s, L.s);
      ctx.strokeStyle = '#94a3b8'; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, L.s - 1, L.s - 1);
      nodes.push({c, k, x, y});
    }
  });
  if (st.node) {
    const x = L.X(st.node[0]), y = L.Y(st.node[1]);
    ctx.strokeStyle = INK; ctx.lineWidth = 2.5; ctx.strokeRect(x - 3, y - 3, L.s + 6, L.s + 6);
  }
  ctx.fillStyle = INK; ctx.font = '600 12px system-ui, sans-serif'; ctx.textAlign = 'center'; ctx.textBaseline = 'bottom';
  const room = L.s * 2.4;  // a column's width plus most of the gap: short headers when narrow
  for (let c = 0; c < L.nc; c++) {
    const long = c === 0 ? 'Input' : c === L.nc - 1 ? 'Output' : `Hidden ${c}`;
    const text = ctx.measureText(long).width <= room ? long : c === 0 ? 'In' : c === L.nc - 1 ? 'Out' : `H${c}`;
    ctx.fillText(text, L.X(c) + L.s / 2, 18);
  }
  ctx.fillStyle = MUTED; ctx.font = '11px system-ui, sans-serif'; ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  st.names[0].forEach((name, k) => ctx.fillText(pretty(name), L.X(0) - 5, L.Y(k) + L.s / 2));
  view.__hit = {nodes, edges, s: L.s, f, st};
  view.dataset.epoch = f.epoch;
};

function netTarget(view, x, y) {
  const h = view.__hit;
  if (!h) return null;
  for (const n of h.nodes) if (x >= n.x && x <= n.x + h.s && y >= n.y && y <= n.y + h.s) return {kind: 'n', ...n};
  let best = null, bestD = 6;
  for (const e of h.edges) {
    const dx = e.x1 - e.x0, dy = e.y1 - e.y0, len2 = dx * dx + dy * dy || 1;
    const t = Math.max(0, Math.min(1, ((x - e.x0) * dx + (y - e.y0) * dy) / len2));
    const d = Math.hypot(x - e.x0 - t * dx, y - e.y0 - t * dy);
    if (d < bestD) { bestD = d; best = {kind: 'e', ...e}; }
  }
  return best;
}

function netTip(view, t) {
  const h = view.__hit, names = h.st.names;
  if (t.kind === 'n') {
    const bias = t.c > 0 ? `<br>bias ${fmt(h.f.bias[t.c - 1][t.k], 3)}` : '';
    return `<b>${esc(pretty(names[t.c][t.k]))}</b>${bias}<br><i>click to enlarge</i>`;
  }
  return `weight ${esc(pretty(names[t.i][t.j]))} → ${esc(pretty(names[t.i + 1][t.o]))}<br>w = ${t.v >= 0 ? '+' : ''}${t.v.toFixed(3)}<br><i>click to edit</i>`;
}

DRAW.neuron = (el, f) => {
  const view = el.querySelector('.nnp-view'), canvas = view.querySelector('canvas');
  const title = view.querySelector('.nnp-title');
  if (title.textContent !== f.sel.title) title.textContent = f.sel.title;
  const W = Math.min(widthOf(view, 240), 300), side = W - 52;
  const ctx = fit(canvas, W, side + 8);
  const codes = bytes(f.sel.b), G0 = Math.round(Math.sqrt(codes.length));
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(codeCanvas(view, codes, G0, G0, false), 4, 4, side, side);
  ctx.strokeStyle = '#cbd5e1'; ctx.strokeRect(4.5, 4.5, side - 1, side - 1);
  const lo = f.sel.lo, hi = f.sel.hi, mid = (lo + hi) / 2;
  colorbar(ctx, side + 10, 4, 8, side, [[0, fmt(lo, 2)], [0.5, fmt(mid, 2)], [1, fmt(hi, 2)]]);
  view.dataset.epoch = f.epoch;
};

function logTicks(lo, hi) {
  let a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  if (a === b) b = a + 1;
  const ticks = [];
  for (let p = a; p <= b; p++) {
    for (const m of b - a <= 2 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** p;
      if (v >= 10 ** a && v <= 10 ** b) ticks.push(v);
    }
  }
  return {ticks, lo: 10 ** a, hi: 10 ** b};
}

const tickLabel = (v) => (v >= 0.01 ? String(+v.toPrecision(2)) : v.toExponential(0).replace('e-', 'e-'));

function niceStep(span, n) {
  const raw = span / n, p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw;
}

DRAW.curves = (el, f, st) => {
  const view = el.querySelector('.nnp-view'), canvas = view.querySelector('canvas');
  const W = widthOf(view, 360), H = 250;
  const ctx = fit(canvas, W, H);
  const c = G.curve, n = c.e.length;
  const m = {l: 58, r: 10, t: 22, b: 32}, gap = 18;
  const ph = (H - m.t - m.b - gap) / 2, pw = W - m.l - m.r;
  const xmax = Math.max(1, n ? c.e[n - 1] : 1);
  const sx = (e) => m.l + (e / xmax) * pw;
  const test = !st.exact && c.vl.length === n;
  let lmin = Infinity, lmax = 0;
  for (const arr of test ? [c.tl, c.vl] : [c.tl]) for (const v of arr) if (v > 0 && isFinite(v)) { lmin = Math.min(lmin, v); lmax = Math.max(lmax, v); }
  if (!isFinite(lmin)) { lmin = 0.1; lmax = 1; }
  const lt = logTicks(Math.max(lmin, 1e-6), Math.max(lmax, 1e-6));
  const y0 = m.t, y1 = m.t + ph + gap;
  const syL = (v) => y0 + ph - ((Math.log10(Math.max(v, 1e-9)) - Math.log10(lt.lo)) / (Math.log10(lt.hi) - Math.log10(lt.lo))) * ph;
  const syA = (v) => y1 + ph - ((v + 0.03) / 1.06) * ph;
  ctx.font = '11px system-ui, sans-serif'; ctx.lineWidth = 1;
  const grid = (y, label) => {
    ctx.strokeStyle = '#eef2f7'; ctx.beginPath(); ctx.moveTo(m.l, y); ctx.lineTo(m.l + pw, y); ctx.stroke();
    ctx.fillStyle = INK; ctx.textAlign = 'right'; ctx.textBaseline = 'middle'; ctx.fillText(label, m.l - 5, y);
  };
  for (const v of lt.ticks) grid(syL(v), tickLabel(v));
  for (const v of [0, 0.5, 1]) grid(syA(v), `${v * 100}%`);
  ctx.strokeStyle = '#cbd5e1';
  ctx.strokeRect(m.l + 0.5, y0 + 0.5, pw, ph); ctx.strokeRect(m.l + 0.5, y1 + 0.5, pw, ph);
  const step = niceStep(xmax, Math.max(2, Math.floor(pw / 70)));
  ctx.fillStyle = INK; ctx.textAlign = 'center'; ctx.textBaseline = 'top';
  for (let e = 0; e <= xmax + 1e-9; e += step) ctx.fillText(String(Math.round(e)), sx(e), y1 + ph + 4);
  ctx.fillText('epoch', m.l + pw / 2, y1 + ph + 17);
  ctx.save(); ctx.textBaseline = 'middle';
  for (const [y, label] of [[y0 + ph / 2, 'loss'], [y1 + ph / 2, 'accuracy']]) {
    ctx.save(); ctx.translate(10, y); ctx.rotate(-Math.PI / 2); ctx.fillText(label, 0, 0); ctx.restore();
  }
  ctx.restore();
  const line = (ys, sy, color, dash, y, h) => {
    ctx.save(); ctx.beginPath(); ctx.rect(m.l, y - 2, pw + 2, h + 4); ctx.clip();
    ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.setLineDash(dash); ctx.beginPath();
    for (let i = 0; i < n; i++) { const X = sx(c.e[i]), Y = sy(ys[i]); i ? ctx.lineTo(X, Y) : ctx.moveTo(X, Y); }
    ctx.stroke(); ctx.restore();
  };
  line(c.tl, syL, TRAIN, [], y0, ph); line(c.ta, syA, TRAIN, [], y1, ph);
  if (test) { line(c.vl, syL, TEST, [5, 4], y0, ph); line(c.va, syA, TEST, [5, 4], y1, ph); }
  if (f.cursor !== null && f.cursor !== undefined) {
    ctx.save(); ctx.setLineDash([2, 3]); ctx.strokeStyle = INK; ctx.lineWidth = 1.5; ctx.beginPath();
    ctx.moveTo(sx(f.cursor), y0); ctx.lineTo(sx(f.cursor), y1 + ph); ctx.stroke(); ctx.restore();
  }
  // legend
  const items = test ? [['train', TRAIN, []], ['test', TEST, [5, 4]]] : [['train', TRAIN, []]];
  let x = m.l + pw;
  ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
  for (const [label, color, dash] of items.reverse()) {
    ctx.fillStyle = INK; ctx.fillText(label, x, 10); x -= ctx.measureText(label).width + 4;
    ctx.save(); ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.setLineDash(dash); ctx.beginPath();
    ctx.moveTo(x - 18, 10); ctx.lineTo(x, 10); ctx.stroke(); ctx.restore(); x -= 30;
  }
  view.dataset.points = n;
  view.dataset.epoch = f.epoch;
};

DRAW.truth = (el, f, st) => {
  const view = el.querySelector('.nnp-view');
  const nIn = st.n_inputs;
  if (view.__st !== st) {  // the table's rows change with the settings only: build it then
    view.__st = st;
    const head = Array.from({length: nIn}, (_, i) => `<th>x${i + 1}</th>`).join('');
    const body = st.rows.map((r) => `<tr>${r.slice(0, nIn).map((v) => `<td>${v}</td>`).join('')}<td>${r[nIn]}</td>` +
      '<td></td><td></td><td></td></tr>').join('');
    view.innerHTML = `<table><thead><tr>${head}<th>target</th><th>p(1)</th><th>answer</th><th></th></tr></thead>` +
      `<tbody>${body}</tbody></table><div class='verdict'></div>`;
    view.__cells = [...view.querySelectorAll('tbody tr')].map((tr) => [tr, ...[...tr.children].slice(nIn + 1)]);
  }
  st.rows.forEach((r, i) => {  // then only the numbers and colours change
    const p = f.p[i], answer = p >= 0.5 ? 1 : 0, ok = answer === r[nIn];
    const [tr, pc, ac, mark] = view.__cells[i];
    tr.className = ok ? 'ok' : 'bad';
    pc.textContent = p.toFixed(3); ac.textContent = answer; mark.textContent = ok ? '✓' : '✗';
  });
  const table = view.firstChild;
  table.dataset.correct = f.right; table.dataset.rows = st.rows.length;
  const verdict = view.querySelector('.verdict');
  if (verdict.textContent !== f.verdict) verdict.textContent = f.verdict;
  view.dataset.epoch = f.epoch;
};

DRAW.try = (el, f) => {
  const view = el.querySelector('.nnp-view');
  if (view.__html !== f.try.html) { view.innerHTML = f.try.html; view.__html = f.try.html; }
  view.dataset.epoch = f.epoch;
};

DRAW.timeline = (el, f) => {
  const view = el.querySelector('.nnp-view');
  const tl = f.tl, range = view.querySelector('.tl-range'), num = view.querySelector('.tl-epoch');
  view.querySelector('.tl-label').textContent = `Timeline — epoch ${tl.epoch.toLocaleString('en-US')} (${tl.i + 1} of ${tl.n} recorded updates)`;
  range.max = Math.max(1, tl.n - 1);
  if (!view.__dragging) range.value = tl.i;
  if (document.activeElement !== num) num.value = tl.epoch;
  view.dataset.epoch = f.epoch;
};

// ------------------------------------------------------------------ frames in, drawn once each
function mergeCurve(c) {
  if (!c) return;
  const cur = G.curve;
  if (c.reset) {
    G.curve = {e: c.e.slice(), tl: c.tl.slice(), ta: c.ta.slice(), vl: (c.vl || []).slice(), va: (c.va || []).slice()};
    return;
  }
  const last = cur.e.length ? cur.e[cur.e.length - 1] : -1;
  for (let i = 0; i < c.e.length; i++) {
    if (c.e[i] <= last) continue;
    cur.e.push(c.e[i]); cur.tl.push(c.tl[i]); cur.ta.push(c.ta[i]);
    if (c.vl) { cur.vl.push(c.vl[i]); cur.va.push(c.va[i]); }
  }
  if (cur.e.length > 4000) {  // keep it light: every other older point
    for (const k of Object.keys(cur)) { const a = cur[k]; if (a.length) cur[k] = a.filter((_, i) => i % 2 === 0 || i === a.length - 1); }
  }
}

function send(msg) {
  if (G.ws && G.ws.readyState === 1) G.ws.send(JSON.stringify(msg));
}
G.send = send;

function accept(f) {
  G.stats.received++;
  if (f.seq <= G.seq) {  // older than a frame already taken (e.g. a training frame after Pause)
    G.stats.stale++;
    if (f.k) send({ack: f.k});
    return;
  }
  G.seq = f.seq;
  if (f.static) G.st = f.static;
  mergeCurve(f.curve);
  if (G.pending) G.stats.skipped++;  // replaced before the screen refreshed: newest only
  G.pending = f;
  if (f.k) G.pendingK = Math.max(G.pendingK, f.k);
  if (!G.raf) G.raf = requestAnimationFrame(drawPending);
}

function drawView(name, f) {
  const v = VIEWS[name];
  if (!v || !DRAW[name] || !G.st || !v.element.isConnected) return;
  try { DRAW[name](v.element, f, G.st); } catch (e) { console.error('nnplay live view', name, e); }
}

function drawPending() {
  G.raf = 0;
  const f = G.pending;
  if (!f) return;
  G.pending = null;
  const t0 = performance.now();
  for (const name of Object.keys(VIEWS)) drawView(name, f);
  G.frame = f;
  G.stats.frames++;
  G.stats.drawMs += performance.now() - t0;
  if (G.pendingK) { send({ack: G.pendingK}); G.pendingK = 0; }
}

G.viewAdded = (name) => {
  const v = VIEWS[name];
  if (G.frame) drawView(name, G.frame);
  if (v && !v.element.__nnpResize && window.ResizeObserver) {
    let w = 0;
    v.element.__nnpResize = new ResizeObserver(() => {
      const nw = v.element.clientWidth, view = v.element.querySelector('.nnp-view');
      if (view) view.__w = view.clientWidth;
      if (nw !== w) { w = nw; if (G.frame) drawView(name, G.frame); }
    });
    v.element.__nnpResize.observe(v.element);
  }
  if (name === 'net') wireNet(v);
  if (name === 'timeline') wireTimeline(v);
};

// ------------------------------------------------------------------ the stream
function setConn(state) {
  G.conn = state;
  const box = G.hub.querySelector('.st-conn');
  G.hub.dataset.conn = state;
  if (!box) return;
  const msg = {
    lost: 'The live connection to the server was lost (server restarted, network down or the computer slept). ' +
          'Nothing is drawn until it is back.',
    unknown: 'The server no longer knows this page (it was restarted). Reload the page to go on.',
  }[state];
  box.hidden = !msg;
  if (msg) {
    box.querySelector('.st-conn-msg').textContent = msg;
    box.querySelector('button').textContent = state === 'unknown' ? 'Reload the page' : 'Reconnect';
  }
}

function connect() {
  if (!G.token) return;
  if (G.ws) { const old = G.ws; G.ws = null; try { old.close(); } catch (e) {} }
  const url = new URL('nnplay/gates-stream', location.href.replace(/[?#].*$/, '').replace(/[^/]*$/, ''));
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', G.token);
  const ws = new WebSocket(url);
  G.ws = ws;
  setConn('connecting');
  ws.onopen = () => { if (G.ws === ws) setConn('open'); };
  ws.onmessage = (ev) => { if (G.ws === ws) accept(JSON.parse(ev.data)); };
  ws.onclose = (ev) => { if (G.ws === ws) { G.ws = null; setConn(ev.code === 4404 ? 'unknown' : 'lost'); } };
}
G.connect = connect;

const connBtn = element.querySelector('.st-conn button');
if (connBtn && !connBtn.__nnp) {
  connBtn.__nnp = true;
  connBtn.addEventListener('click', () => (G.conn === 'unknown' ? location.reload() : connect()));
}

// ------------------------------------------------------------------ interactions
function wireNet(v) {
  const view = v.element.querySelector('.nnp-view');
  if (!view || view.__wired) return;
  view.__wired = true;
  const canvas = view.querySelector('canvas'), tip = view.querySelector('.nnp-tip');
  const at = (ev) => { const r = canvas.getBoundingClientRect(); return netTarget(view, ev.clientX - r.left, ev.clientY - r.top); };
  canvas.addEventListener('click', (ev) => {
    const t = at(ev);
    if (t) v.trigger('click', {target: t.kind === 'n' ? `n:${t.c}:${t.k}` : `e:${t.i}:${t.o}:${t.j}`});
  });
  canvas.addEventListener('mousemove', (ev) => {
    const t = at(ev);
    canvas.style.cursor = t ? 'pointer' : 'default';
    if (!t) { tip.hidden = true; return; }
    const r = view.getBoundingClientRect();
    tip.innerHTML = netTip(view, t); tip.hidden = false;
    tip.style.left = Math.min(ev.clientX - r.left + 12, r.width - 170) + 'px'; tip.style.top = (ev.clientY - r.top + 12) + 'px';
  });
  canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
}

function wireTimeline(v) {
  const view = v.element.querySelector('.nnp-view');
  if (!view || view.__wired) return;
  view.__wired = true;
  const range = view.querySelector('.tl-range'), num = view.querySelector('.tl-epoch');
  range.addEventListener('pointerdown', () => { view.__dragging = true; });
  window.addEventListener('pointerup', () => { view.__dragging = false; });
  range.addEventListener('input', () => send({seek: Number(range.value)}));
  const typed = () => { if (num.value !== '') send({seek_epoch: Math.round(Number(num.value))}); };
  num.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); typed(); } });
  num.addEventListener('change', typed);
}

// Numbers typed into Gradio's slider boxes apply on Enter as well as on leaving the box.
if (!G.enterWired) {
  G.enterWired = true;
  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (ev.key !== 'Enter' || !t || !t.matches || !t.matches('#gates-root input[type=number]')) return;
    const block = t.closest('.block');
    if (block && block.querySelector('input[type=range]') && !t.classList.contains('tl-epoch')) t.blur();
  }, true);
}

// ------------------------------------------------------------------ frames from Gradio events
const fromValue = () => {
  if (!props.value) return;
  let f;
  try { f = JSON.parse(props.value); } catch (e) { return; }
  if (f.token && f.token !== G.token) {
    G.token = f.token;
    G.seq = -1;
    connect();
  }
  accept(f);
};
for (const name of Object.keys(VIEWS)) G.viewAdded(name);
fromValue();
watch('value', fromValue);
