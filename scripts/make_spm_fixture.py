#!/usr/bin/env python3
"""Trains the small SentencePiece model tests/fixtures/deberta/spm.model that the DeBERTa-v3
tests tokenise with (no DeBERTa checkpoint ships with the project).

A unigram model on the sentences of the shipped GLUE RTE train.tsv, laid out as
microsoft/deberta-v3-*'s spm.model: [PAD]=0, [CLS]=1, [SEP]=2, [UNK]=3 (transformers and
rust_tokenizers append [MASK] after the last piece). Deterministic for a given sentencepiece
version (single thread, fixed seed sentence order); made with sentencepiece 0.2.3:

    PYTHONPATH=$HOME/.cache/mixout/hf-5.24.0 ~/.cache/mixout/venv-torch-2.11.0/bin/python \\
        scripts/make_spm_fixture.py [--glue-dir ../shared/data/glue] [--vocab-size 2000]
"""
import argparse
import io
import os
from pathlib import Path

import sentencepiece as spm

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    shared = Path(os.environ.get("MIXOUT_SHARED", ROOT.parent / "shared"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--glue-dir", type=Path, default=shared / "data" / "glue")
    ap.add_argument("--vocab-size", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "fixtures" / "deberta" / "spm.model")
    args = ap.parse_args()
    lines = (args.glue_dir / "RTE" / "train.tsv").read_text(encoding="utf-8").splitlines()[1:]
    sentences = [s for line in lines for s in line.split("\t")[1:3] if s.strip()]
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences),
        model_writer=model,
        model_type="unigram",
        vocab_size=args.vocab_size,
        character_coverage=1.0,
        num_threads=1,
        pad_id=0,
        pad_piece="[PAD]",
        bos_id=1,
        bos_piece="[CLS]",
        eos_id=2,
        eos_piece="[SEP]",
        unk_id=3,
        unk_piece="[UNK]",
        minloglevel=2,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(model.getvalue())
    print(f"wrote {args.out} ({len(model.getvalue())} bytes, {args.vocab_size} pieces)")


if __name__ == "__main__":
    main()
