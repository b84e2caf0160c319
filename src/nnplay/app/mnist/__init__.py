"""Parts of the MNIST tab (train, weights, inspect, draw, compare, api); composed by tab.py."""
