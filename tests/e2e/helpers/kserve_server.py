"""A small KServe v2 REST server for the end-to-end tests: serves one model
(a pickled scikit-learn estimator, or a fixed sleep per request) on loopback.

    kserve_server.py --port-file F (--model model.pkl | --sleep-ms MS) [--features N]
                     [--timeout S]

Writes the chosen port to F once it listens; exits after --timeout seconds so a
test that dies never leaves it behind."""
import argparse
import json
import pickle
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--model")
ap.add_argument("--sleep-ms", type=float)
ap.add_argument("--features", type=int, default=4)
ap.add_argument("--timeout", type=float, default=120)
args = ap.parse_args()

model = None
nfeatures = args.features
if args.model:
    with open(args.model, "rb") as f:
        model = pickle.load(f)
    nfeatures = model.n_features_in_
NAME = "m"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server
    disable_nagle_algorithm = True  # else delayed ACKs add 40 ms to every answer

    def log_message(self, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == f"/v2/models/{NAME}":
            nout = 2 if model is not None else 1
            self.reply(200, {"name": NAME, "platform": "test",
                             "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, nfeatures]}],
                             "outputs": [{"name": "output-0", "datatype": "FP64", "shape": [-1, nout]}]})
        else:
            self.reply(404, {"error": f"no model at {self.path}"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        req = json.loads(self.rfile.read(n))
        if self.path != f"/v2/models/{NAME}/infer":
            self.reply(404, {"error": f"no model at {self.path}"})
            return
        inp = req["inputs"][0]
        rows, cols = inp["shape"]
        if cols != nfeatures:
            self.reply(400, {"error": f"expected {nfeatures} features, got {cols}"})
            return
        x = np.array([np.nan if v is None else v for v in inp["data"]], dtype=float).reshape(rows, cols)
        if model is not None:
            out = model.predict_proba(x)
        else:
            time.sleep(args.sleep_ms / 1000)
            out = x[:, :1] * 0
        self.reply(200, {"model_name": NAME, "outputs": [
            {"name": "output-0", "shape": list(out.shape), "datatype": "FP64",
             "data": out.ravel().tolist()}]})


server = HTTPServer(("127.0.0.1", 0), Handler)
threading.Timer(args.timeout, server.shutdown).start()
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
