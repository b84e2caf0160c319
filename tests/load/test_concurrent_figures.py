"""The prediction figures are built by many request threads at once (one per user).
Plotly's figure copy is not thread-safe (it pops each trace's "type" out of the source
while copying), so the cached base figures in viz.mnist.inspect must be copied in turn:
16 threads building the three prediction figures together must never fail."""

from __future__ import annotations

import threading

import numpy as np

from nnplay.viz.mnist import inspect as vi


def test_prediction_figures_from_many_threads():
    errors, barrier = [], threading.Barrier(16)
    rng = np.random.default_rng(0)
    x, sal, p = rng.random((28, 28)), rng.standard_normal((28, 28)), rng.dirichlet(np.ones(10))

    def work():
        barrier.wait()
        for _ in range(60):
            try:
                bars = vi.probability_bars(p, height=230, title="probabilities")
                assert bars.data[0].type == "bar"
                assert vi.digit_figure(x, height=230).data[0].type == "image"
                vi.saliency_figure(x, sal, height=230)
            except Exception as e:  # noqa: BLE001 - collected and reported below
                errors.append(f"{type(e).__name__}: {str(e).strip().splitlines()[0][:100]}")

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], f"{len(errors)} of {16 * 60} figure builds failed, e.g. {errors[:2]}"
