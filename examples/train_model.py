#!/usr/bin/python3
"""Trains the bundled example's models from examples/data/train.csv:

  examples/models/model.json  XGBoost binary:logistic (XGBoost JSON, with feature
                              names), evaluated in-process by modelgate
  examples/models/model.pkl   scikit-learn Pipeline(StandardScaler, LogisticRegression),
                              evaluated through adapters/sklearn_runner.py

Deterministic (fixed seeds, one thread). Run with Debian's Python, which has
python3-xgboost 1.7 and python3-sklearn:  /usr/bin/python3 examples/train_model.py
The six numeric features only: gender and age_group are protected attributes
that a credit model must not use directly."""
import csv
import os
import pickle

import numpy as np
import xgboost as xgb
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["income", "debt_ratio", "credit_history_years", "num_accounts",
            "late_payments", "utilization"]
HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    y = np.array([int(r["label"]) for r in rows])
    return X, y


def main():
    X, y = load(os.path.join(HERE, "data", "train.csv"))
    out = os.path.join(HERE, "models")
    os.makedirs(out, exist_ok=True)

    dtrain = xgb.DMatrix(X, label=y, feature_names=FEATURES)
    params = {"objective": "binary:logistic", "max_depth": 2, "eta": 0.1,
              "subsample": 0.9, "seed": 7, "nthread": 1, "eval_metric": "logloss"}
    booster = xgb.train(params, dtrain, num_boost_round=200)
    booster.save_model(os.path.join(out, "model.json"))

    # Fitted on a DataFrame so that the model carries its feature names
    # (feature_names_in_): modelgate then matches test-data columns by name.
    import pandas as pd
    pipe = Pipeline([("scale", StandardScaler()),
                     ("lr", LogisticRegression(max_iter=1000, random_state=7))])
    pipe.fit(pd.DataFrame(X, columns=FEATURES), y)
    with open(os.path.join(out, "model.pkl"), "wb") as f:
        pickle.dump(pipe, f, protocol=4)
    print("wrote %s/model.json and %s/model.pkl" % (out, out))


if __name__ == "__main__":
    main()
