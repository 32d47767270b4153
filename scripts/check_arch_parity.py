#!/usr/bin/env python3
"""Logits and token-id parity of our BERT, RoBERTa, DistilBERT, ELECTRA and DeBERTa-v3
classifiers with transformers (4.x and 5.x).

`cargo test --release --test architectures parity_checkpoints_with_non_default_eps_and_activation`
with MIXOUT_ARCH_PARITY_DIR=DIR writes, per family, a saved sequence classifier (random
weights, a head scaled so the logits are O(1)) whose config.json sets a LayerNorm epsilon and
an activation other than BERT's (e.g. layer_norm_eps 1e-5, hidden_act gelu_new / relu), and
our logits on 8 real RTE dev pairs (`ours.json`: input ids, masks, segment ids, logits). This
script loads each folder with transformers' AutoModelForSequenceClassification and compares.

    MIXOUT_ARCH_PARITY_DIR=/tmp/parity cargo test --release --test architectures -- \\
        --exact parity_checkpoints_with_non_default_eps_and_activation
    ~/.cache/mixout/venv-torch-2.11.0/bin/python scripts/check_arch_parity.py /tmp/parity

(tests/deberta.rs `parity_checkpoints_deberta_v3` and tests/architectures.rs
`exports_tokenize_like_us` write more folders there the same way.) A folder with `ids.json`
(our ids of all 277 RTE dev pairs at max_len 128) also has its ids compared with
AutoTokenizer.from_pretrained(folder) on the same pairs: every id must be equal.

The tolerance is relative to the logits' scale: max |Δ| <= rtol * max(1, max |logit|) (default
rtol 1e-4). Exits 1 when a family differs by more, or when its logits are too small (below
--min-scale) for a LayerNorm-epsilon mismatch to be visible.
"""
import argparse
import json
import sys
from pathlib import Path

import torch
import transformers
from transformers import AutoModelForSequenceClassification, AutoTokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from check_export import default_glue_dir, read_glue_pairs  # noqa: E402


def describe(config: dict) -> str:
    """The epsilon and activation a config.json asks for (DistilBERT's epsilon is fixed)."""
    if config.get("model_type") == "distilbert":
        return f"eps 1e-12 (fixed), act {config.get('activation')}"
    if config.get("model_type") == "deberta-v2":
        return f"buckets {config.get('position_buckets')}, act {config.get('hidden_act')}"
    return f"eps {config.get('layer_norm_eps', 1e-12):g}, act {config.get('hidden_act')}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("dir", type=Path)
    ap.add_argument("--rtol", type=float, default=1e-4, help="tolerance relative to max(1, max |logit|)")
    ap.add_argument("--min-scale", type=float, default=0.5, help="smallest max |logit| accepted")
    ap.add_argument("--glue-dir", default=default_glue_dir(), help="folder holding RTE/dev.tsv (for ids.json)")
    args = ap.parse_args()
    folders = sorted({p.parent for p in [*args.dir.glob("*/ours.json"), *args.dir.glob("*/ids.json")]})
    if not folders:
        print(f"no */ours.json under {args.dir}", file=sys.stderr)
        return 1
    transformers.logging.set_verbosity_error()
    print(f"transformers {transformers.__version__}, torch {torch.__version__}")
    pairs = read_glue_pairs(Path(args.glue_dir) / "RTE" / "dev.tsv")
    ok = True
    for d in folders:
        if (d / "ids.json").is_file():
            ok &= check_ids(d, pairs)
        if not (d / "ours.json").is_file():
            continue
        ours = json.loads((d / "ours.json").read_text())
        config = json.loads((d / "config.json").read_text())
        model = AutoModelForSequenceClassification.from_pretrained(d).eval()
        kw = {"input_ids": torch.tensor(ours["input_ids"]), "attention_mask": torch.tensor(ours["attention_mask"])}
        if config.get("model_type") != "distilbert":
            kw["token_type_ids"] = torch.tensor(ours["token_type_ids"])
        with torch.no_grad():
            theirs = model(**kw).logits.flatten()
        mine = torch.tensor(ours["logits"])
        scale = mine.abs().max().item()
        tol = args.rtol * max(1.0, scale)
        diff = (theirs - mine).abs().max().item()
        good = diff <= tol and scale >= args.min_scale
        ok &= good
        status = "ok" if good else ("LOGITS TOO SMALL" if scale < args.min_scale else "MISMATCH")
        print(
            f"{d.name:<11} {type(model).__name__:<36} {describe(config):<32} max|logit| {scale:6.3f}  "
            f"max|Δ| {diff:.2e}  tol {tol:.2e}  {status}"
        )
    return 0 if ok else 1


def check_ids(d: Path, pairs) -> bool:
    """Our ids of every RTE dev pair (ids.json) against AutoTokenizer on the exported folder."""
    ours = json.loads((d / "ids.json").read_text())
    try:
        tok = AutoTokenizer.from_pretrained(d)
    except ValueError as e:
        # transformers 4.x builds DeBERTa's tokenizer from spm.model only with sentencepiece,
        # which the project venv does not carry; 5.x (the main check) needs none.
        if "sentencepiece" in str(e) and int(transformers.__version__.split(".")[0]) < 5:
            print(f"{d.name:<11} {'-':<36} ids: SKIPPED (transformers 4 needs sentencepiece for spm.model)")
            return True
        raise
    enc = tok([a for a, _ in pairs], [b for _, b in pairs], max_length=ours["max_len"], truncation="longest_first")
    theirs = enc["input_ids"]
    bad = [i for i, (a, b) in enumerate(zip(ours["input_ids"], theirs)) if a != b]
    good = not bad and len(theirs) == len(ours["input_ids"]) == len(pairs)
    detail = "" if good else f"  first differing pair {bad[0] if bad else '-'}"
    print(f"{d.name:<11} {type(tok).__name__:<36} ids: {len(pairs) - len(bad)}/{len(pairs)} RTE dev pairs equal{detail}  {'ok' if good else 'MISMATCH'}")
    if bad:
        i = bad[0]
        print(f"    ours   {ours['input_ids'][i]}\n    theirs {theirs[i]}")
    return good


if __name__ == "__main__":
    sys.exit(main())
