#!/usr/bin/python3
"""The pandas + scikit-learn peer of `make bench` (bench/README.md).

usage: /usr/bin/python3 bench/peers/pandas_sklearn.py FILE.csv

Reads a bench_gen CSV with pandas and computes what modelgate's `evaluate`
and `fairness` give: accuracy, balanced accuracy, precision, recall, F1,
ROC AUC, PR AUC (average precision), log loss, Brier score and MCC at the
decision threshold 0.5 (predicted positive when score > 0.5), and the
selection rate of every group of gender (missing values as their own group)
and of age_group. Prints one JSON object (the values, for the cross-check
against modelgate's).
"""
import json
import sys

import pandas as pd
from sklearn import metrics


def main():
    df = pd.read_csv(sys.argv[1])
    y = df["label"].to_numpy()
    score = df["score"].to_numpy()
    pred = (score > 0.5).astype(int)
    out = {
        "rows": int(len(df)),
        "accuracy": metrics.accuracy_score(y, pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred),
        "recall": metrics.recall_score(y, pred),
        "f1": metrics.f1_score(y, pred),
        "roc_auc": metrics.roc_auc_score(y, score),
        "pr_auc": metrics.average_precision_score(y, score),
        "log_loss": metrics.log_loss(y, score),
        "brier": metrics.brier_score_loss(y, score),
        "mcc": metrics.matthews_corrcoef(y, pred),
    }
    df["pred"] = pred
    for col in ("gender", "age_group"):
        rates = df.groupby(col, dropna=False)["pred"].mean()
        out["selection_rate_" + col] = {str(k): float(v) for k, v in rates.items()}
    print(json.dumps({k: v if isinstance(v, (int, dict)) else float(v) for k, v in out.items()}))


if __name__ == "__main__":
    main()
