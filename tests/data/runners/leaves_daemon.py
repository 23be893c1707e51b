"""A runner that predicts 0.5 for every row and, before it serves, starts a
helper that leaves its process group with os.setsid() and sleeps (a daemon):
the runner's group kill misses it, so modelgate must find it as a subreaper.

Usage: leaves_daemon.py MARKER
The helper's pid is written to MARKER (whole, through a rename) before the
handshake is answered."""
import os
import sys
import time

import _serve

marker = sys.argv[1]
r, w = os.pipe()
if os.fork() == 0:
    os.close(r)
    os.setsid()
    os.write(w, b"%d" % os.getpid())
    os.close(w)
    time.sleep(1e6)
    os._exit(0)
os.close(w)
helper = int(os.read(r, 32))  # returns once the helper has called setsid()
os.close(r)
with open(marker + ".part", "w") as f:
    f.write("%d\n" % helper)
os.rename(marker + ".part", marker)


def predict(rows, cols):
    import numpy as np

    return np.full((rows.shape[0], 1), 0.5)


_serve.serve(_serve.INFO, predict)
