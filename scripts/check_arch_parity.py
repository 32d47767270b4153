#!/usr/bin/env python3
"""Logits parity of our RoBERTa, DistilBERT and ELECTRA classifiers with transformers.

`cargo test --release --test architectures` with MIXOUT_ARCH_PARITY_DIR=DIR writes, per
architecture, a saved sequence classifier (random weights, seeded head) and our logits on
8 real RTE dev pairs (`ours.json`: input ids, masks, segment ids, logits). This script loads
each folder with transformers' Auto*ForSequenceClassification and compares the logits.

    MIXOUT_ARCH_PARITY_DIR=/tmp/parity cargo test --release --test architectures
    ~/.cache/mixout/venv-torch-2.11.0/bin/python scripts/check_arch_parity.py /tmp/parity

Exits 1 when any architecture differs by more than --tol (default 1e-4).
"""
import argparse
import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForSequenceClassification


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    worst = 0.0
    ok = True
    for arch in ["roberta", "distilbert", "electra"]:
        d = args.dir / arch
        ours = json.loads((d / "ours.json").read_text())
        model = AutoModelForSequenceClassification.from_pretrained(d).eval()
        kw = {"input_ids": torch.tensor(ours["input_ids"]), "attention_mask": torch.tensor(ours["attention_mask"])}
        if arch != "distilbert":
            kw["token_type_ids"] = torch.tensor(ours["token_type_ids"])
        with torch.no_grad():
            theirs = model(**kw).logits.flatten()
        diff = (theirs - torch.tensor(ours["logits"])).abs().max().item()
        worst = max(worst, diff)
        status = "ok" if diff <= args.tol else "MISMATCH"
        ok &= diff <= args.tol
        print(f"{arch:<11} {type(model).__name__:<40} max |logit ours - transformers| = {diff:.2e}  {status}")
    print(f"worst {worst:.2e} (tolerance {args.tol:.0e})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
