"""A runner that takes a fixed time (argv[1] seconds) over every batch and
answers 0.5 for every row: its latency has a floor that no machine can beat."""
import sys
import time

import numpy as np

import _serve

delay = float(sys.argv[1])


def predict(rows, cols):
    time.sleep(delay)
    return np.full((rows.shape[0], 1), 0.5)


_serve.serve(_serve.info_payload(_serve.KIND_PROBABILITY, 1), predict)
