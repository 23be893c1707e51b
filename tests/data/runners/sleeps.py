"""A runner that hangs on its first batch (and starts a grandchild that would
outlive it if modelgate killed only the runner)."""
import subprocess
import sys
import time

import _serve

subprocess.Popen(["/bin/sh", "-c", "sleep 300; : " + " ".join(sys.argv[1:])])


def predict(rows, cols):
    sys.stderr.write("sleeps: thinking very hard\n")
    sys.stderr.flush()
    time.sleep(300)


_serve.serve(_serve.INFO, predict)
