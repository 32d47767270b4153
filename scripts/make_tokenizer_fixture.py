#!/usr/bin/env python3
"""Write the tokenizer-parity fixtures of crates/mixout-data.

The Rust tokenizer (rust_tokenizers' BertTokenizer plus our own truncation) must give
exactly the ids that a PyTorch + transformers pipeline feeds the model, or the two
sides of our benchmarks and any comparison with published numbers would see
different inputs. This script encodes, with the Hugging Face fast tokenizer built
from the model folder's tokenizer.json:

  * every RTE and MRPC dev pair, truncation="longest_first", max_length=128, no padding
    -> tests/fixtures/tokenizer_<model>_<task>_dev.txt, one line per pair:
       "<number of segment-0 tokens> <id> <id> ..." (lines starting with '#' are comments);
  * a handful of hand-written edge cases (accents, CJK, control characters, very long
    words, truncation ties at odd and even budgets, single sentences)
    -> tests/fixtures/tokenizer_<model>_edge.jsonl, one JSON object per line.

Usage (from anywhere):
  python3 scripts/make_tokenizer_fixture.py [--shared DIR] [--model NAME]

It runs itself under the project venv's python
(${MIXOUT_VENV:-~/.cache/mixout/venv-torch-2.11.0}/bin/python) and installs
transformers==4.44.2 (which brings tokenizers 0.19) there if it is missing.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

TRANSFORMERS_VERSION = "4.44.2"
MAX_LEN = 128
REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "crates" / "mixout-data" / "tests" / "fixtures"

# Columns of the original GLUE dev files holding the two texts of a pair.
TASKS = {
    "rte": ("RTE", "sentence1", "sentence2"),
    "mrpc": ("MRPC", "#1 String", "#2 String"),
}

# Each case is (text_a, text_b or None, max_len). They probe the places where two BERT
# tokenizer implementations tend to disagree.
EDGE_CASES = [
    ("Café naïve résumé Ångström façade", "ÉCOLE Über straße", 128),
    ("Tokyo 東京 is big 大きい", "中文字符 mixed with English", 128),
    ("zero\u200bwidth and soft\u00adhyphen", "tab\there and nbsp\u00a0there", 128),
    ("control \x07 bell \x1b esc \ufeff bom", None, 128),
    ("a" * 101 + " short " + "b" * 100, "ok", 128),
    ("emoji 😀 and symbols £ € © ™ ° ± § ¶ †", "quotes “curly” ‘single’ «guillemets» — dash … ellipsis", 128),
    ("İstanbul ΣΊΣΥΦΟΣ Ολυμπος", "ǅemal ﬁ ligature Ⅻ roman", 128),
    ("[UNK] [SEP] [CLS] literal specials", "[MASK] and [PAD]", 128),
    # Truncation: equal lengths with odd and even budgets, first longer, second longer,
    # one side alone too long, and a single overlong sentence.
    (" ".join(f"w{i}" for i in range(20)), " ".join(f"v{i}" for i in range(20)), 16),
    (" ".join(f"w{i}" for i in range(20)), " ".join(f"v{i}" for i in range(20)), 17),
    (" ".join(f"w{i}" for i in range(30)), " ".join(f"v{i}" for i in range(7)), 20),
    (" ".join(f"w{i}" for i in range(7)), " ".join(f"v{i}" for i in range(30)), 21),
    ("one two", " ".join(f"v{i}" for i in range(50)), 12),
    (" ".join(f"w{i}" for i in range(50)), "one two", 13),
    (" ".join(f"w{i}" for i in range(50)), None, 10),
    ("short", "pair", 128),
    ("", "only b", 128),
]


def venv_python() -> Path:
    venv = os.environ.get("MIXOUT_VENV", str(Path.home() / ".cache/mixout/venv-torch-2.11.0"))
    return Path(venv) / "bin" / "python"


def ensure_environment() -> None:
    """Re-run under the project venv and install transformers there if needed."""
    py = venv_python()
    if not py.exists():
        sys.exit(f"error: {py} not found; run scripts/setup-venv.sh first (or set MIXOUT_VENV)")
    if Path(sys.prefix).resolve() != py.parent.parent.resolve():
        os.execv(str(py), [str(py), __file__, *sys.argv[1:]])
    try:
        import transformers  # noqa: F401

        if transformers.__version__ == TRANSFORMERS_VERSION:
            return
    except ImportError:
        pass
    subprocess.check_call(
        [sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
         f"transformers=={TRANSFORMERS_VERSION}"]
    )


def read_pairs(tsv: Path, col_a: str, col_b: str):
    # Split on tabs only: GLUE fields contain bare double quotes, so no CSV unquoting.
    with open(tsv, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header = lines[0].lstrip("\ufeff").split("\t")
    ia, ib = header.index(col_a), header.index(col_b)
    return [(row.split("\t")[ia], row.split("\t")[ib]) for row in lines[1:]]


def n_segment0(type_ids):
    return sum(1 for t in type_ids if t == 0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("MIXOUT_SHARED", str(REPO.parent / "shared")))
    ap.add_argument("--model", default="paraphrase-MiniLM-L3-v2")
    args = ap.parse_args()
    ensure_environment()

    import tokenizers
    import transformers
    from transformers import AutoTokenizer

    model_dir = Path(args.shared) / "models" / args.model
    # use_fast: the fast tokenizer is built from tokenizer.json, which is what a
    # transformers training script uses; its longest-first truncation differs from the
    # slow Python tokenizer on ties, and we match the fast one.
    tok = AutoTokenizer.from_pretrained(str(model_dir), use_fast=True)
    assert tok.is_fast, "expected a fast tokenizer from tokenizer.json"
    short = args.model.split("-")[-2] if args.model.count("-") >= 2 else args.model
    provenance = (
        f"produced by scripts/make_tokenizer_fixture.py with transformers {transformers.__version__} "
        f"/ tokenizers {tokenizers.__version__}, AutoTokenizer(use_fast=True) from "
        f"models/{args.model}/tokenizer.json, truncation=longest_first, no padding"
    )
    FIXTURES.mkdir(parents=True, exist_ok=True)

    for task, (folder, col_a, col_b) in TASKS.items():
        pairs = read_pairs(Path(args.shared) / "data" / "glue" / folder / "dev.tsv", col_a, col_b)
        out = FIXTURES / f"tokenizer_{short}_{task}_dev.txt"
        with open(out, "w", encoding="utf-8") as f:
            f.write(f"# {folder} dev, {len(pairs)} pairs, max_length={MAX_LEN}; {provenance}\n")
            f.write("# line = <number of token_type_id 0 tokens> <input ids...>, one per dev row in file order\n")
            for a, b in pairs:
                enc = tok(a, b, truncation="longest_first", max_length=MAX_LEN)
                ids = enc["input_ids"]
                f.write(" ".join(map(str, [n_segment0(enc["token_type_ids"]), *ids])) + "\n")
        print(f"wrote {out} ({out.stat().st_size} bytes, {len(pairs)} pairs)")

    out = FIXTURES / f"tokenizer_{short}_edge.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        f.write(json.dumps({"comment": provenance}) + "\n")
        for a, b, max_len in EDGE_CASES:
            enc = tok(a, b, truncation="longest_first", max_length=max_len) if b is not None else \
                tok(a, truncation="longest_first", max_length=max_len)
            f.write(json.dumps({
                "a": a, "b": b, "max_len": max_len,
                "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
            }, ensure_ascii=True) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(EDGE_CASES)} cases)")


if __name__ == "__main__":
    main()
