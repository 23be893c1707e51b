"""A runner whose model raises on every batch: the error comes back as a FAIL frame."""
import _serve


def predict(rows, cols):
    raise ValueError("feature 2 must be positive")


_serve.serve(_serve.INFO, predict)
