"""engine.mnist.probe: read-only measurements the MNIST tab takes between training steps."""

import numpy as np
import torch
import torch.nn.functional as F

from nnplay.engine.mnist import build_model
from nnplay.engine.mnist.probe import first_activations, loss_and_accuracy


def test_loss_and_accuracy_match_a_direct_computation_and_keep_train_mode():
    torch.manual_seed(0)
    model = build_model("cnn")
    model.train()
    x, y = torch.rand(300, 1, 28, 28), torch.randint(0, 10, (300,))
    loss, acc = loss_and_accuracy(model, x, y, batch=128)
    assert model.training  # put back as it was
    model.eval()
    with torch.no_grad():
        logits = model(x)
    assert abs(loss - float(F.cross_entropy(logits, y))) < 1e-4
    assert acc == int((logits.argmax(1) == y).sum()) / 300


def test_first_activations_are_one_relu_map_per_filter():
    x = np.zeros((28, 28), np.float32)
    x[4:24, 13:15] = 1.0
    for name, channels in (("cnn", 16), ("lenet5", 6)):
        maps = first_activations(build_model(name), x)
        assert maps.shape[0] == channels and maps.shape[1:] in ((28, 28), (24, 24))
        assert maps.min() >= 0
    assert first_activations(build_model("logistic"), x).shape == (10, 1, 1)
