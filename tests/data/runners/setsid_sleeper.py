"""A runner that answers the handshake and then sleeps, after starting a
grandchild that leaves the runner's process group with os.setsid() and sleeps
too (it would outlive a kill of the runner's group alone).

Usage: setsid_sleeper.py MARKER
Once the handshake is answered and the grandchild is in its own session, the
runner writes "RUNNER_PID GRANDCHILD_PID" to MARKER (written whole, through a
rename), so that a test can wait for it instead of sleeping."""
import os
import struct
import sys
import time

marker = sys.argv[1]
i, o = sys.stdin.buffer, sys.stdout.buffer

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.setsid()
    os.write(w, b"%d" % os.getpid())
    os.close(w)
    time.sleep(1e6)
    os._exit(0)
os.close(w)
grandchild = int(os.read(r, 32))  # returns once the grandchild has called setsid()
os.close(r)

i.read(12)  # HELO
o.write(b"INFO" + struct.pack("<I", 24) + struct.pack("<IIIIII", 1, 0, 1, 0xFFFFFFFF, 0, 0))
o.flush()
with open(marker + ".part", "w") as f:
    f.write("%d %d\n" % (os.getpid(), grandchild))
os.rename(marker + ".part", marker)
time.sleep(1e6)
