"""A runner that answers one batch, then dies of SIGSEGV in the middle of the next."""
import os
import signal
import sys

import _serve

calls = [0]


def predict(rows, cols):
    calls[0] += 1
    if calls[0] == 2:
        sys.stderr.write("crashes: segfaulting on batch 2\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGSEGV)
    return rows[:, 0] * 0 + 0.5


_serve.serve(_serve.INFO, predict)
