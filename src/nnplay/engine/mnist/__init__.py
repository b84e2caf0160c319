"""The MNIST lab's engine: data, models, training, evaluation, checkpoints.

    from nnplay.engine.mnist import load_mnist, recommended, train, evaluate
    data = load_mnist()                         # cached per process
    result = train(recommended("cnn"), data)    # ~99.1% after one epoch (docs/benchmarks.md)
    evaluate(result.model, data.test_x, data.test_y).test_accuracy
"""

from .config import RECOMMENDED, SCHEDULES, MnistConfig, recommended
from .data import MnistData, load_mnist, locate
from .evaluate import EvalResult, evaluate, predict_probs, probabilities, saliency
from .idx import read_idx
from .io import load_model, load_pretrained, pretrained_path, save_model
from .models import MODELS, build_model, count_parameters, first_layer
from .trainer import MnistTrainer, TrainEvent, TrainResult, accuracy, train

__all__ = [
    "MODELS", "RECOMMENDED", "SCHEDULES", "EvalResult", "MnistConfig", "MnistData", "MnistTrainer",
    "TrainEvent", "TrainResult", "accuracy", "build_model", "count_parameters", "evaluate", "first_layer",
    "load_mnist", "load_model", "load_pretrained", "locate", "predict_probs", "pretrained_path",
    "probabilities", "read_idx", "recommended", "saliency", "save_model", "train",
]
