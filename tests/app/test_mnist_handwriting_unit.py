"""My handwriting without a browser: the set, the table of readings and the download (issue 17.9)."""

from __future__ import annotations

import io
import zipfile

import numpy as np

from nnplay.app.mnist import handwriting as hw
from nnplay.app.mnist.runs import Session
from nnplay.engine.mnist import load_mnist, predict_probs
from nnplay.app.mnist.common import bundled


def _digits(n=6):
    data = load_mnist()
    return data.test_x[:n, 0].numpy(), data.test_y[:n].numpy()


def test_table_has_one_row_per_digit_and_one_column_per_model():
    x, y = _digits()
    s = hw.Set()
    for img, t in zip(x, y):
        s.add(img, int(t))
    s.add(x[0], (int(y[0]) + 1) % 10)  # a wrong label: every model must disagree with it
    table = hw.readings(Session(), s)
    assert table["headers"][:2] == ["digit", "true"] and table["headers"][2].startswith("bundled CNN")
    rows = table["data"]
    assert len(rows) == len(y) + 2 and rows[0][:2] == ["all", ""]
    pred = predict_probs(bundled()[0], np.stack(s.images)).argmax(axis=1)   # the oracle: the engine itself
    right = int((pred == np.asarray(s.labels)).sum())
    assert rows[0][2] == f"{right} of {len(s)} right" and right <= len(s) - 1
    assert rows[-1][2].startswith("✗")
    assert [r[2].split()[1] for r in rows[1:]] == [str(p) for p in pred]


def test_undo_and_the_download_zip():
    x, y = _digits(3)
    s = hw.Set()
    assert hw.download(s) is None and hw.readings(None, s) == hw.EMPTY_TABLE
    for img, t in zip(x, y):
        s.add(img, int(t))
    s.undo()
    z = zipfile.ZipFile(hw.download(s))
    assert sorted(z.namelist()) == ["001_%d.png" % y[0], "002_%d.png" % y[1], "my_handwriting.npz"]
    npz = np.load(io.BytesIO(z.read("my_handwriting.npz")))
    np.testing.assert_array_equal(npz["images"], np.rint(x[:2] * 255).astype(np.uint8))
    assert npz["labels"].tolist() == y[:2].tolist()
    assert len(hw.gallery(s)) == 2 and hw.gallery(s)[1][1] == f"#2: {y[1]}"
