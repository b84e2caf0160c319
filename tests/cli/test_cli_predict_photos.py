"""`nnplay predict --json` on a photographed number and on a letter: the issue-13 fields."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nnplay.cli import main
from nnplay.engine.mnist import load_mnist


def _number_photo(path, digits):
    d = load_mnist(test_subset=100)
    want = {int(y): x for x, y in zip(reversed(d.test_x[:, 0].numpy()), reversed(d.test_y.numpy()))}
    page = np.full((500, 900), 225, np.float32) * np.linspace(1.0, 0.8, 900)[None, :]
    for i, k in enumerate(digits):
        ink = np.asarray(Image.fromarray((want[k] * 255).astype(np.uint8)).resize((200, 200)), np.float32) / 255
        page[150:350, 100 + i * 230:300 + i * 230] *= 1 - 0.85 * ink
    Image.fromarray(page.astype(np.uint8)).save(path, quality=88)


def test_predict_json_gives_number_digits_boxes_and_is_digit(tmp_path, capsys):
    photo = tmp_path / "number.jpg"
    _number_photo(photo, (3, 1, 8))
    letter = tmp_path / "letter.png"
    img = Image.new("L", (300, 300), 235)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 200)
    except OSError:
        font = ImageFont.load_default(size=200)
    ImageDraw.Draw(img).text((150, 150), "K", fill=20, font=font, anchor="mm")
    img.save(letter)
    assert main(["predict", "--json", str(photo), str(letter)]) == 0
    num, let = json.loads(capsys.readouterr().out)["predictions"]
    assert num["file"] == str(photo) and num["number"] == "318" and num["is_digit"] is True and "why" not in num
    assert [d["digit"] for d in num["digits"]] == [3, 1, 8]
    for i, d in enumerate(num["digits"]):  # boxes in the photo's pixels, left to right, around each digit
        x0, y0, x1, y1 = d["box"]
        assert 100 + i * 230 - 5 <= x0 < x1 <= 300 + i * 230 + 5 and 150 - 5 <= y0 < y1 <= 350 + 5
        assert len(d["probabilities"]) == 10 and abs(sum(d["probabilities"]) - 1) < 1e-4
    assert num["digit"] in (3, 1, 8) and len(num["probabilities"]) == 10
    assert let["is_digit"] is False and let["why"] and let["digit"] in range(10)
    main(["predict", str(letter)])
    assert "not a digit" in capsys.readouterr().out
