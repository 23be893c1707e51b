"""A runner that takes too long to start (a model that loads for minutes)."""
import sys
import time

sys.stderr.write("slow_start: loading a very large model\n")
sys.stderr.flush()
time.sleep(300)
