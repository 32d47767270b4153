#!/usr/bin/env python3
"""Write tests/fixtures/modernbert/{tokenizer.json,tokenizer_config.json}: a small byte-level
BPE tokenizer shaped like ModernBERT's (NFC normaliser, ByteLevel pre-tokenizer without a
prefix space, [UNK] [CLS] [SEP] [PAD] [MASK], template `[CLS] $A [SEP]` and
`[CLS] $A [SEP] $B:1 [SEP]:1`), trained offline on the sentences of the shipped GLUE RTE
train.tsv. tests/modernbert.rs copies it into the checkpoints it writes; the parity script
(scripts/check_modernbert_parity.py) checks that transformers' AutoTokenizer on such a
folder gives the ids our Rust side gives.

Run with the transformers 5.24 overlay, whose `tokenizers` is 0.23 (the Rust crate's version):
  PYTHONPATH=~/.cache/mixout/hf-5.24.0 ~/.cache/mixout/venv-torch-2.11.0/bin/python \\
      scripts/make_modernbert_tokenizer.py [--shared DIR]
Training is deterministic: rerunning it rewrites the same files.
"""
import argparse
import csv
import json
import os
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "modernbert"
VOCAB_SIZE = 1000
SPECIALS = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"]


def sentences(shared: Path):
    with open(shared / "data" / "glue" / "RTE" / "train.tsv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            yield row["sentence1"]
            yield row["sentence2"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("MIXOUT_SHARED", REPO.parent / "shared")))
    args = ap.parse_args()
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIALS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(sentences(args.shared), trainer=trainer)
    cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    OUT.mkdir(parents=True, exist_ok=True)
    tok.save(str(OUT / "tokenizer.json"))
    config = {
        "clean_up_tokenization_spaces": True,
        "cls_token": "[CLS]",
        "mask_token": "[MASK]",
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": 8192,
        "pad_token": "[PAD]",
        "sep_token": "[SEP]",
        "tokenizer_class": "PreTrainedTokenizerFast",
        "unk_token": "[UNK]",
    }
    (OUT / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n")
    print(f"wrote {OUT}: vocabulary {tok.get_vocab_size()}")


if __name__ == "__main__":
    main()
