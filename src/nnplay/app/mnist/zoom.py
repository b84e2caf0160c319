"""Tap (or click) a weight tile to see it enlarged: a view drawn in the page from the mosaic's own
data, so it opens at once, also on a phone. The mosaic figure says where its tiles are in
layout.meta.tile (viz/mnist/figures.py); Escape, the × button or a tap outside closes it."""

# Hooks Plotly's click on #mnist-mosaic. Re-checked twice a second: a new figure replaces the
# plot's event emitter (as for the confusion matrix in inspect.py).
ZOOM_JS = """
const openZoom = (gd, pt) => {
  const meta = (gd.layout && gd.layout.meta) || {};
  const t = meta.tile;
  if (!t || !window.Plotly) return;
  const x = Math.round(pt.x), y = Math.round(pt.y);
  const c = Math.floor(x / (t.w + t.gap)), r = Math.floor(y / (t.h + t.gap));
  const i = r * t.cols + c;
  if (c >= t.cols || i >= t.n || x - c * (t.w + t.gap) >= t.w || y - r * (t.h + t.gap) >= t.h) return;
  const full = gd._fullData[0], z = full.z;
  const tile = [];
  for (let k = 0; k < t.h; k++) tile.push(Array.from(z[r * (t.h + t.gap) + k].slice(c * (t.w + t.gap), c * (t.w + t.gap) + t.w)));
  const name = meta.labels ? 'digit ' + meta.labels[i] : 'unit ' + (i + 1);
  let box = document.getElementById('mnist-zoom');
  if (!box) {
    box = document.createElement('div');
    box.id = 'mnist-zoom';
    box.innerHTML = '<div class="mnist-zoom-card" role="dialog" aria-label="Enlarged weight tile">' +
      '<button class="mnist-zoom-close" aria-label="Close">×</button><div class="mnist-zoom-plot"></div></div>';
    box.addEventListener('click', (ev) => { if (ev.target === box || ev.target.closest('.mnist-zoom-close')) box.remove(); });
    document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') document.getElementById('mnist-zoom')?.remove(); });
    document.body.appendChild(box);
  }
  const side = Math.min(window.innerWidth - 40, window.innerHeight - 80, 520);
  const title = (gd.layout.title && gd.layout.title.text || '').split(' · ').slice(0, 1).join('') + ' · ' + name;
  window.Plotly.newPlot(box.querySelector('.mnist-zoom-plot'), [{
      type: 'heatmap', z: tile, colorscale: full.colorscale, zmin: full.zmin, zmax: full.zmax, zsmooth: false,
      hovertemplate: 'row %{y}, col %{x}: %{z:.3f}<extra></extra>', colorbar: {thickness: 10, len: 0.8}}],
    {width: side, height: side + 30, margin: {l: 10, r: 10, t: 40, b: 10}, title: {text: title, x: 0.02, font: {size: 14}},
     xaxis: {visible: false, constrain: 'domain', fixedrange: true},
     yaxis: {visible: false, autorange: 'reversed', scaleanchor: 'x', constrain: 'domain', fixedrange: true},
     paper_bgcolor: 'white', plot_bgcolor: 'white', dragmode: false},
    {displayModeBar: false, responsive: false});
  box.dataset.index = String(i);
};
const zoomHandler = (ev) => {
  const gd = document.querySelector('#mnist-mosaic .js-plotly-plot');
  const pt = ev && ev.points && ev.points[0];
  if (gd && pt) openZoom(gd, pt);
};
setInterval(() => {
  const gd = document.querySelector('#mnist-mosaic .js-plotly-plot');
  if (gd && gd._ev && gd.on && !gd._ev.listeners('plotly_click').includes(zoomHandler)) gd.on('plotly_click', zoomHandler);
}, 500);
"""

CSS = """
#mnist-zoom {position: fixed; inset: 0; z-index: 1000; background: rgba(15, 23, 42, .55);
  display: flex; align-items: center; justify-content: center}
#mnist-zoom .mnist-zoom-card {position: relative; background: white; border-radius: 12px; padding: 8px;
  box-shadow: 0 10px 30px rgba(0, 0, 0, .3)}
#mnist-zoom .mnist-zoom-close {position: absolute; top: 4px; right: 8px; z-index: 2; font-size: 26px;
  line-height: 1; width: 44px; height: 44px; border: none; background: transparent; cursor: pointer}
#mnist-mosaic .js-plotly-plot .nsewdrag {cursor: zoom-in}
"""
