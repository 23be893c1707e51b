"""Shared by the misbehaving test runners: the protocol from adapters/sklearn_runner.py."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "adapters"))
from sklearn_runner import KIND_PROBABILITY, info_payload, read_frame, serve, write_frame  # noqa: E402,F401

INFO = info_payload(KIND_PROBABILITY, 1, 2, [], [], version=1)
