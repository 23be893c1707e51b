#!/usr/bin/env python3
"""sklearn_runner.py - serves a pickled scikit-learn model to modelgate.

modelgate runs it for a model file that holds a pickle or a joblib dump:
    modelgate evaluate --model model.pkl [--python /usr/bin/python3] ...
and it can be named as any runner (the interpreter is yours: the one whose
environment can unpickle the model):
    modelgate evaluate --model 'cmd:/usr/bin/python3 adapters/sklearn_runner.py model.pkl' ...

Speaks modelgate's runner protocol (docs/runner-protocol.md) on stdin/stdout;
everything it has to say goes to stderr. Needs the standard library and numpy;
joblib is used when installed (it also reads plain pickles).

The serve() function is reusable: any Python runner can call it with its own
INFO fields and a predict function that maps a float64 (n, f) array to a
float64 (n, k) array. Every SCOR it sends ends with the time the predict
function took (the protocol's optional compute time), so that modelgate's
benchmark can tell the model's compute from transport and serialisation.
"""
import struct
import sys
import time

PROTOCOL_VERSION = 2  # the newest this runner speaks; it also answers a version-1 modelgate
KIND_PROBABILITY, KIND_CLASS_PROBS, KIND_CLASS, KIND_VALUE = 0, 1, 2, 3
UNKNOWN_FEATURES = 0xFFFFFFFF


class ProtocolError(Exception):
    pass


def read_exact(stream, n):
    chunks = []
    while n > 0:
        b = stream.read(n)
        if not b:
            return None
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame(stream):
    """Returns (tag, payload) or None at the end of input."""
    header = read_exact(stream, 8)
    if header is None:
        return None
    tag = header[:4].decode("ascii", "replace")
    (length,) = struct.unpack("<I", header[4:])
    payload = read_exact(stream, length) if length else b""
    if payload is None:
        raise ProtocolError("input ended inside a %s frame" % tag)
    return tag, payload


def write_frame(stream, tag, payload):
    stream.write(tag.encode("ascii") + struct.pack("<I", len(payload)) + payload)
    stream.flush()


def pack_strings(items):
    out = [struct.pack("<I", len(items))]
    for s in items:
        b = str(s).encode("utf-8")
        out.append(struct.pack("<I", len(b)) + b)
    return b"".join(out)


def unpack_strings(payload, pos):
    (n,) = struct.unpack_from("<I", payload, pos)
    pos += 4
    items = []
    for _ in range(n):
        (ln,) = struct.unpack_from("<I", payload, pos)
        pos += 4
        items.append(payload[pos:pos + ln].decode("utf-8"))
        pos += ln
    return items, pos


def info_payload(kind, noutputs, nfeatures=None, feature_names=(), class_labels=(),
                 version=PROTOCOL_VERSION):
    nf = UNKNOWN_FEATURES if nfeatures is None else nfeatures
    return (struct.pack("<IIII", version, kind, noutputs, nf)
            + pack_strings(list(feature_names)) + pack_strings(list(class_labels)))


TBLK_F64, TBLK_I64, TBLK_BOOL, TBLK_STR = 0, 1, 2, 3


def decode_typed(payload, names):
    """A TBLK payload (protocol 2) as a pandas DataFrame, typed as pandas'
    read_csv would type the same data: int64 (float64 with NaN when a column
    has nulls), float64, bool (object with NaN when nulls), str (object, NaN
    for nulls). Columns are named from COLS, else 0..n-1."""
    import numpy as np
    import pandas as pd

    nrows, ncols = struct.unpack_from("<II", payload, 0)
    pos = 8
    data = {}
    for j in range(ncols):
        code, has_nulls = payload[pos], payload[pos + 1]
        pos += 2
        nulls = None
        if has_nulls:
            nulls = np.frombuffer(payload, dtype=np.uint8, count=nrows, offset=pos).astype(bool)
            pos += nrows
        if code in (TBLK_F64, TBLK_I64):
            dtype = "<f8" if code == TBLK_F64 else "<i8"
            col = np.frombuffer(payload, dtype=dtype, count=nrows, offset=pos)
            pos += 8 * nrows
            if nulls is not None:
                col = col.astype("f8")
                col[nulls] = np.nan
        elif code == TBLK_BOOL:
            col = np.frombuffer(payload, dtype=np.uint8, count=nrows, offset=pos).astype(bool)
            pos += nrows
            if nulls is not None:
                col = col.astype(object)
                col[nulls] = np.nan
        elif code == TBLK_STR:
            col = np.empty(nrows, dtype=object)
            for i in range(nrows):
                (ln,) = struct.unpack_from("<I", payload, pos)
                pos += 4
                col[i] = payload[pos:pos + ln].decode("utf-8")
                pos += ln
            if nulls is not None:
                col[nulls] = np.nan
        else:
            raise ProtocolError("unknown column type %d in a TBLK frame" % code)
        data[names[j] if names and j < len(names) else j] = col
    return pd.DataFrame(data, copy=False)


def serve(info, predict, stdin=None, stdout=None):
    """Answers modelgate's frames until it closes our stdin.

    info: the INFO payload (see info_payload); predict: f(rows, columns) ->
    float64 array of shape (n, k), where rows is a float64 (n, f) array (NaN =
    missing), or a pandas DataFrame of typed columns when info says protocol
    version 2 and modelgate sends TBLK frames, and columns the feature names
    modelgate announced (or None).
    """
    import numpy as np

    stdin = stdin or sys.stdin.buffer
    stdout = stdout or sys.stdout.buffer
    columns = None
    frame = read_frame(stdin)
    if frame is None:
        return
    tag, payload = frame
    if tag != "HELO":
        raise ProtocolError("expected HELO, got %r" % tag)
    (version,) = struct.unpack_from("<I", payload, 0)
    (ours,) = struct.unpack_from("<I", info, 0)
    if version < ours:  # an older modelgate: answer in its version (1: float64 rows only)
        info = struct.pack("<I", version) + info[4:]
    write_frame(stdout, "INFO", info)
    while True:
        frame = read_frame(stdin)
        if frame is None:
            return
        tag, payload = frame
        if tag == "COLS":
            names, _ = unpack_strings(payload, 4)
            columns = names or None
            continue
        if tag == "TBLK":
            nrows = struct.unpack_from("<I", payload, 0)[0]
            rows = decode_typed(payload, columns)
        elif tag == "ROWS":
            nrows, nfeat = struct.unpack_from("<II", payload, 0)
            rows = np.frombuffer(payload, dtype="<f8", offset=8, count=nrows * nfeat)
            rows = rows.reshape(nrows, nfeat)
        else:
            raise ProtocolError("unexpected frame %r" % tag)
        try:
            t0 = time.perf_counter()
            scores = np.asarray(predict(rows, columns), dtype="<f8")
            scores = scores.reshape(nrows, -1)
            compute = time.perf_counter() - t0
        except Exception as e:  # the model's own failure goes back as FAIL
            write_frame(stdout, "FAIL", ("%s: %s" % (type(e).__name__, e)).encode("utf-8"))
            continue
        write_frame(stdout, "SCOR", struct.pack("<II", scores.shape[0], scores.shape[1])
                    + scores.tobytes() + struct.pack("<d", max(compute, 0.0)))


def load_model(path):
    try:
        import joblib
    except ImportError:
        joblib = None
    if joblib is not None:
        return joblib.load(path)
    import pickle
    with open(path, "rb") as f:
        return pickle.load(f)


def refuse(message):
    """Answers modelgate's HELO with a FAIL frame carrying `message`."""
    if read_frame(sys.stdin.buffer) is not None:
        write_frame(sys.stdout.buffer, "FAIL", message.encode("utf-8"))


def model_input(model, x):
    """What the estimator takes: a DataFrame (typed columns, by name) when it
    was fitted on one, else a float64 array (fitted on an array)."""
    import numpy as np

    if getattr(model, "feature_names_in_", None) is not None or isinstance(x, np.ndarray):
        return x
    if all(dt.kind in "fiub" for dt in x.dtypes):
        return x.to_numpy(dtype="f8")
    return x


def describe(model):
    """The INFO payload and the predict function for a fitted estimator."""
    import numpy as np

    names = getattr(model, "feature_names_in_", None)
    names = [str(n) for n in names] if names is not None else []
    nfeat = getattr(model, "n_features_in_", None)
    classes = getattr(model, "classes_", None)
    if hasattr(model, "predict_proba") and classes is not None:
        labels = [str(c) for c in classes]
        if len(labels) == 2:
            info = info_payload(KIND_PROBABILITY, 1, nfeat, names, labels)
            return info, lambda x, cols: model.predict_proba(model_input(model, x))[:, 1]
        info = info_payload(KIND_CLASS_PROBS, len(labels), nfeat, names, labels)
        return info, lambda x, cols: model.predict_proba(model_input(model, x))
    if classes is not None:
        labels = [str(c) for c in classes]
        info = info_payload(KIND_CLASS, 1, nfeat, names, labels)
        return info, lambda x, cols: np.searchsorted(
            classes, model.predict(model_input(model, x))).astype("f8")
    info = info_payload(KIND_VALUE, 1, nfeat, names, [])
    return info, lambda x, cols: model.predict(model_input(model, x))


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: sklearn_runner.py MODEL.pkl|MODEL.joblib\n")
        return 2
    path = argv[1]
    sys.stderr.write("sklearn_runner: loading %s runs code stored in that file; load only models "
                     "you trust\n" % path)
    import warnings
    # modelgate sends arrays; a model fitted on a DataFrame would warn per batch.
    warnings.filterwarnings("ignore", message="X does not have valid feature names")
    try:
        import numpy  # noqa: F401  (serve() needs it)
        model = load_model(path)
    except ImportError as e:
        # Said in the handshake, so that modelgate shows it as one line.
        refuse("the Python interpreter %s running %s cannot load %s: %s; give modelgate one "
               "that has the packages the model was saved with (scikit-learn, numpy, ...): "
               "--python PATH or MODELGATE_PYTHON=PATH" % (sys.executable, argv[0], path, e))
        return 3
    info, predict = describe(model)
    serve(info, predict)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
