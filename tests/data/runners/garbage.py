"""A runner that prints to stdout instead of answering with a frame."""
import struct
import sys

import _serve

out = sys.stdout.buffer
header = sys.stdin.buffer.read(12)
_serve.write_frame(out, "INFO", _serve.INFO)
sys.stdin.buffer.read(8)
out.write(b"predicting 10 rows...\n")
out.flush()
sys.stdin.buffer.read()
