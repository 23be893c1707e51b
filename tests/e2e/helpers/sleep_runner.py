"""A runner (modelgate's runner protocol, version 1) that sleeps a known time
per batch and answers 0.5 for every row: the benchmark's ground truth. The
sleep is its compute: each SCOR ends with the time it took (perf_counter).

    sleep_runner.py MILLISECONDS NFEATURES [--no-compute]

--no-compute leaves the compute time out, as runners written before it did."""
import struct
import sys
import time

delay = float(sys.argv[1]) / 1000
nfeatures = int(sys.argv[2])
send_compute = sys.argv[3:] != ["--no-compute"]
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer


def read_exact(n):
    data = b""
    while len(data) < n:
        chunk = stdin.read(n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def write_frame(tag, payload):
    stdout.write(tag + struct.pack("<I", len(payload)) + payload)
    stdout.flush()


while True:
    header = read_exact(8)
    tag, (length,) = header[:4], struct.unpack("<I", header[4:])
    payload = read_exact(length) if length else b""
    if tag == b"HELO":
        # version, kind 0 (probability), 1 output, the feature count, no names, no labels
        write_frame(b"INFO", struct.pack("<IIIIII", 1, 0, 1, nfeatures, 0, 0))
    elif tag == b"ROWS":
        nrows, _ = struct.unpack_from("<II", payload, 0)
        t0 = time.perf_counter()
        time.sleep(delay)
        compute = time.perf_counter() - t0
        write_frame(b"SCOR", struct.pack("<II", nrows, 1) + struct.pack("<d", 0.5) * nrows
                    + (struct.pack("<d", compute) if send_compute else b""))
    elif tag != b"COLS":
        write_frame(b"FAIL", b"unexpected frame " + tag)
