#!/usr/bin/env python3
"""Checks that a model folder exported by mixout loads in Hugging Face transformers and
computes the same logits there as in our `mixout predict`.

    python scripts/check_export.py [--bin target/release/mixout] [--model L3] [--json out.json]

Steps (all on the CPU, nothing downloaded):

1. `mixout bench export --model M --out DIR`: our model with a seeded head, no training,
   written by `save_model` (config.json with BertForSequenceClassification and the label
   map, vocab.txt, model.safetensors), exactly as a run with `save_model: true` writes it;
2. `mixout predict --model DIR --task RTE --split dev`: our logits, one line per example;
3. `AutoModelForSequenceClassification.from_pretrained(DIR)` (every tensor must be found: no
   missing or unexpected keys) and `AutoTokenizer.from_pretrained(DIR)` (the folder's
   tokenizer_config.json and tokenizer.json, as save_model writes them), max_length 128, truncation longest_first, on the same RTE dev pairs;
4. the largest |our logit - transformers' logit| over all examples must be below --tol
   (default 1e-4). Prints the figure; exits 1 when it is not met.

Works with transformers 4.x (the project venv has 4.44.2) and 5.x.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_glue_pairs(path):
    """RTE's dev.tsv as our reader sees it: tab-separated, a header, no quoting."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = text.removeprefix("\ufeff").removesuffix("\n")
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    header = lines[0].split("\t")
    a, b = header.index("sentence1"), header.index("sentence2")
    rows = [line.split("\t") for line in lines[1:]]
    return [(r[a], r[b]) for r in rows]


def default_bin():
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target if os.path.isabs(target) else os.path.join(ROOT, target), "release", "mixout")


def default_glue_dir():
    if os.environ.get("MIXOUT_GLUE_DIR"):
        return os.environ["MIXOUT_GLUE_DIR"]
    shared = os.environ.get("MIXOUT_SHARED", os.path.join(ROOT, "..", "shared"))
    return os.path.join(shared, "data", "glue")


def run(cmd, quiet):
    """Runs a mixout subcommand; its output goes to stderr (kept back when quiet, unless it fails)."""
    if quiet:
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    else:
        r = subprocess.run(cmd, stdout=sys.stderr)
    if r.returncode != 0:
        if quiet:
            sys.stderr.write(r.stdout or "")
        raise SystemExit(f"check_export: `{shlex.join(cmd)}` failed (exit code {r.returncode})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=default_bin(), help="the mixout command (may be a wrapper: 'bash .gpu/run.sh mixout')")
    ap.add_argument("--model", default="L3", help="model to export: folder, name under shared/models, L3 or L6")
    ap.add_argument("--glue-dir", default=default_glue_dir(), help="folder holding RTE/dev.tsv")
    ap.add_argument("--work", help="folder for the export and predictions (default: a temp folder, removed)")
    ap.add_argument("--tol", type=float, default=1e-4, help="largest allowed |logit difference|")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--quiet", action="store_true", help="hide the subcommands' output")
    args = ap.parse_args()

    import torch
    import transformers
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)  # tokenizer defaults changing in 4.45
    mixout = shlex.split(args.bin)
    dev_tsv = os.path.join(args.glue_dir, "RTE", "dev.tsv")
    pairs = read_glue_pairs(dev_tsv)

    tmp = None if args.work else tempfile.TemporaryDirectory(prefix="mixout-export-")
    work = args.work or tmp.name
    os.makedirs(work, exist_ok=True)
    model_dir = os.path.join(work, "exported")
    pred_file = os.path.join(work, "predictions.jsonl")
    try:
        run(mixout + ["bench", "export", "--model", args.model, "--out", model_dir], args.quiet)
        run(
            mixout
            + ["predict", "--model", model_dir, "--task", "RTE", "--split", "dev", "--out", pred_file]
            + ["--data-dir", args.glue_dir, "--max-seq-len", "128", "--device", "cpu"],
            args.quiet,
        )
        with open(pred_file) as f:
            ours = [json.loads(line) for line in f if line.strip()]
        if len(ours) != len(pairs):
            raise SystemExit(f"check_export: mixout predict wrote {len(ours)} lines, {dev_tsv} has {len(pairs)} pairs")
        if [o["index"] for o in ours] != list(range(len(pairs))):
            raise SystemExit("check_export: predictions are not in dataset order")

        model, info = AutoModelForSequenceClassification.from_pretrained(
            model_dir, local_files_only=True, output_loading_info=True
        )
        model.to(dtype=torch.float32).eval()
        bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
        if bad:
            raise SystemExit(f"check_export: transformers did not load {model_dir} cleanly: {bad}")
        tok = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
        theirs = []
        with torch.no_grad():
            for i in range(0, len(pairs), args.batch_size):
                chunk = pairs[i : i + args.batch_size]
                enc = tok(
                    [a for a, _ in chunk],
                    [b for _, b in chunk],
                    max_length=128,
                    truncation="longest_first",
                    padding=True,
                    return_tensors="pt",
                )
                theirs.append(model(**enc).logits.float())
        theirs = torch.cat(theirs)
        ours_t = torch.tensor([o["logits"] for o in ours], dtype=torch.float32)
        if ours_t.shape != theirs.shape:
            raise SystemExit(f"check_export: logits shapes differ: ours {tuple(ours_t.shape)}, transformers {tuple(theirs.shape)}")
        diff = (ours_t - theirs).abs()
        worst = float(diff.max())
        same_class = int((ours_t.argmax(-1) == theirs.argmax(-1)).sum())
        result = {
            "examples": len(pairs),
            "max_abs_logit_diff": worst,
            "mean_abs_logit_diff": float(diff.mean()),
            "max_abs_logit": float(theirs.abs().max()),
            "same_prediction": same_class,
            "tol": args.tol,
            "ok": worst < args.tol,
            "model": args.model,
            "labels": model.config.id2label,
            "torch": torch.__version__,
            "transformers": transformers.__version__,
        }
    finally:
        if tmp is not None:
            tmp.cleanup()

    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
    verdict = "OK" if result["ok"] else "FAILED"
    print(
        f"export check: {verdict}: max |dlogit| {worst:.2e} over {len(pairs)} RTE dev examples "
        f"(tol {args.tol:g}; logits up to {result['max_abs_logit']:.3f}; same prediction {same_class}/{len(pairs)}; "
        f"transformers {transformers.__version__}, torch {torch.__version__})"
    )
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
