"""A runner that fails before the handshake, as one whose model cannot load."""
import sys

sys.stderr.write("exits_at_once: cannot load the model: no such file 'missing.pkl'\n")
sys.exit(3)
