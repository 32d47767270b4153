#!/usr/bin/env python3
"""ModernBERT parity with transformers 5.24: token ids and logits on all 277 RTE dev pairs.

`cargo test --release --test modernbert saved_classifiers_reload_and_feed_the_parity_check`
with MIXOUT_MODERNBERT_PARITY_DIR=DIR writes two saved ModernBERT sequence classifiers
(random weights, 4 layers alternating global and sliding-window attention with a ±8 window,
hidden 64, the byte-level BPE tokenizer.json of tests/fixtures/modernbert): `cls` (CLS pooling,
legacy config keys global_attn_every_n_layers / global_rope_theta / local_rope_theta) and
`mean` (mean pooling, transformers 5.x keys layer_types / rope_parameters), each with
`ours.json`: per batch of 32 pairs our unpadded token ids, the padded input ids and mask,
and our logits. This script checks, per folder:

  * ids: AutoTokenizer.from_pretrained(folder)(a, b, truncation=True, max_length=128) gives
    exactly our ids for every pair;
  * logits: AutoModelForSequenceClassification.from_pretrained(folder) on our padded batches
    gives our logits within --atol (max |Δ|, default 1e-4), for each attention implementation
    in --attn (default: sdpa and eager).

    MIXOUT_MODERNBERT_PARITY_DIR=/tmp/mb-parity cargo test --release --test modernbert -- \\
        --exact saved_classifiers_reload_and_feed_the_parity_check
    PYTHONPATH=~/.cache/mixout/hf-5.24.0 ~/.cache/mixout/venv-torch-2.11.0/bin/python \\
        scripts/check_modernbert_parity.py /tmp/mb-parity

Exits 1 on any difference beyond the tolerance, any differing ids, or logits too small
(max |logit| below 0.5) for the comparison to mean anything.
"""
import argparse
import csv
import json
import os
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForSequenceClassification, AutoTokenizer

REPO = Path(__file__).resolve().parent.parent


def rte_dev(shared: Path):
    with open(shared / "data" / "glue" / "RTE" / "dev.tsv", newline="", encoding="utf-8") as f:
        return [(r["sentence1"], r["sentence2"]) for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--attn", nargs="+", default=["sdpa", "eager"])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("MIXOUT_SHARED", REPO.parent / "shared")))
    args = ap.parse_args()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    pairs = rte_dev(args.shared)
    folders = sorted(p.parent for p in args.dir.glob("*/ours.json"))
    if not folders:
        print(f"no */ours.json under {args.dir}", file=sys.stderr)
        return 1
    ok = True
    for d in folders:
        ours = json.loads((d / "ours.json").read_text())
        config = json.loads((d / "config.json").read_text())
        ids = [row for b in ours["batches"] for row in b["ids"]]
        tok = AutoTokenizer.from_pretrained(d)
        theirs = [tok(a, b, truncation=True, max_length=ours["max_len"])["input_ids"] for a, b in pairs]
        same = sum(x == y for x, y in zip(theirs, ids))
        ids_ok = same == len(pairs) == len(ids)
        ok &= ids_ok
        print(f"{d.name:<5} ids: {same}/{len(pairs)} pairs equal ({type(tok).__name__})  {'ok' if ids_ok else 'MISMATCH'}")
        for attn in args.attn:
            model = AutoModelForSequenceClassification.from_pretrained(d, attn_implementation=attn).eval()
            diff, scale = 0.0, 0.0
            for b in ours["batches"]:
                with torch.no_grad():
                    out = model(
                        input_ids=torch.tensor(b["input_ids"]), attention_mask=torch.tensor(b["attention_mask"])
                    ).logits.flatten()
                mine = torch.tensor(b["logits"])
                diff = max(diff, (out - mine).abs().max().item())
                scale = max(scale, mine.abs().max().item())
            good = diff <= args.atol and scale >= 0.5
            ok &= good
            print(
                f"{d.name:<5} logits ({attn:<5}): pooling {config['classifier_pooling']}, "
                f"layer_types {config.get('layer_types') or config.get('global_attn_every_n_layers')}, "
                f"max|logit| {scale:.3f}, max|Δ| {diff:.2e} (tol {args.atol:.0e})  {'ok' if good else 'MISMATCH'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
