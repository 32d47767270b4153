#!/usr/bin/env python3
"""Writes GLUE TSV folders as the Hugging Face dataset `nyu-mll/glue` lays them out:
OUT/<config>/{train,validation}-00000-of-00001.parquet with the hub's columns
(sentence1/sentence2 or sentence, label, idx) and its label encoding (RTE: 0 = entailment).

The offline hub tests serve these files in place of the hub's, so that the parquet path can be
compared example by example, and score by score, with the TSV path on the same data.

  python3 scripts/glue-to-parquet.py GLUE_DIR OUT [TASK ...]     (needs pyarrow)
"""
import csv
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq

# task folder -> (hub config, header?, text columns, label column, label map or "float")
LAYOUT = {
    "RTE": ("rte", True, ["sentence1", "sentence2"], "label", {"entailment": 0, "not_entailment": 1}),
    "MRPC": ("mrpc", True, ["#1 String", "#2 String"], "Quality", {"0": 0, "1": 1}),
    "CoLA": ("cola", False, [3], 1, {"0": 0, "1": 1}),
    "STS-B": ("stsb", True, ["sentence1", "sentence2"], "score", "float"),
    "SST-2": ("sst2", True, ["sentence"], "label", {"0": 0, "1": 1}),
}


def rows(path, header):
    # GLUE's TSVs are not CSV: quotes are text, so split on tabs only.
    with open(path, encoding="utf-8-sig", newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [l[:-1] if l.endswith("\r") else l for l in lines]
    fields = [l.split("\t") for l in lines]
    if header:
        names = fields[0]
        return [dict(zip(names, r)) for r in fields[1:]]
    return [dict(enumerate(r)) for r in fields]


def convert(glue, out, task):
    config, header, texts, label, labels = LAYOUT[task]
    for split, name in (("train", "train"), ("dev", "validation")):
        data = rows(os.path.join(glue, task, f"{split}.tsv"), header)
        cols = {}
        text_names = ["sentence"] if len(texts) == 1 else ["sentence1", "sentence2"]
        for n, t in zip(text_names, texts):
            cols[n] = pa.array([r[t] for r in data], pa.string())
        if labels == "float":
            cols["label"] = pa.array([float(r[label]) for r in data], pa.float32())
        else:
            cols["label"] = pa.array([labels[r[label].strip()] for r in data], pa.int64())
        cols["idx"] = pa.array(range(len(data)), pa.int32())
        os.makedirs(os.path.join(out, config), exist_ok=True)
        pq.write_table(pa.table(cols), os.path.join(out, config, f"{name}-00000-of-00001.parquet"))


def main():
    glue, out, *tasks = sys.argv[1:]
    for task in tasks or list(LAYOUT):
        convert(glue, out, task)


if __name__ == "__main__":
    main()
