"""A runner that only records that it was started: it writes "started" to
MARKER and exits. Tests that check flags before any model runs pass MARKER
under their scratch folder and assert that it was never written.

Usage: marks_start.py MARKER"""
import sys

with open(sys.argv[1], "w") as f:
    f.write("started\n")
sys.exit(1)
