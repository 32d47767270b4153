#!/usr/bin/env bash
# Models we export must load in Hugging Face transformers and give our logits and our token ids
# there. The main check is transformers 5 ($TRANSFORMERS5_VERSION, run from an overlay folder on
# PYTHONPATH so the project venv keeps its 4.x); the venv's 4.44.2 is a second check:
#   1. scripts/check_export.py: a BERT folder written by `save_model` (the shipped L3 with a
#      seeded head) against `mixout predict` on all 277 RTE dev pairs (AutoModel/AutoTokenizer);
#   2. scripts/check_arch_parity.py: BERT (our fused encoder), RoBERTa, DistilBERT, ELECTRA and
#      DeBERTa-v3 classifiers (random weights, logits of O(1); written by tests/architectures.rs
#      and tests/deberta.rs) on 8 RTE dev pairs, and our ids of all 277 RTE dev pairs against
#      AutoTokenizer on each exported folder (cased and vocab.txt-only BERT sources too);
#   3. scripts/check_modernbert_parity.py (transformers 5 only): two saved ModernBERT
#      classifiers (written by tests/modernbert.rs) on all 277 RTE dev pairs, logits and ids.
# Creates the overlay from PyPI when it is missing (CI reaches PyPI); installs transformers 4.44.2
# into the venv likewise. Run from the repository root after `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MIXOUT_VENV:-$HOME/.cache/mixout/venv-torch-2.11.0}"
PY="$VENV/bin/python"
TRANSFORMERS_VERSION=4.44.2
TRANSFORMERS5_VERSION="${TRANSFORMERS5_VERSION:-5.24.0}"
OVERLAY="${MIXOUT_HF5_OVERLAY:-$HOME/.cache/mixout/hf-$TRANSFORMERS5_VERSION}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
[ -x "$PY" ] || { echo "check-transformers: no venv at $VENV (run make setup)" >&2; exit 1; }
if ! PYTHONPATH="$OVERLAY" "$PY" -c "import sys, transformers; sys.exit(transformers.__version__ != '$TRANSFORMERS5_VERSION')" 2>/dev/null; then
  echo ">> installing transformers==$TRANSFORMERS5_VERSION into the overlay $OVERLAY (PyPI)"
  "$PY" -m pip install --disable-pip-version-check -q --target "$OVERLAY" \
    "transformers==$TRANSFORMERS5_VERSION" sentencepiece protobuf
fi
# sentencepiece and protobuf: transformers 4 reads DeBERTa's spm.model only through them.
if ! "$PY" -c "import sys, transformers, sentencepiece, google.protobuf; sys.exit(transformers.__version__ != '$TRANSFORMERS_VERSION')" 2>/dev/null; then
  echo ">> installing transformers==$TRANSFORMERS_VERSION sentencepiece and protobuf into $VENV (PyPI)"
  "$PY" -m pip install --disable-pip-version-check -q "transformers==$TRANSFORMERS_VERSION" sentencepiece protobuf
fi

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
echo ">> writing the parity folders (cargo test)"
for t in "architectures parity_checkpoints_with_non_default_eps_and_activation" \
         "architectures exports_tokenize_like_us" "deberta parity_checkpoints_deberta_v3"; do
  set -- $t
  MIXOUT_ARCH_PARITY_DIR="$dir" LIBTORCH_USE_PYTORCH=1 PATH="$VENV/bin:$PATH" \
    cargo test --release --test "$1" -- --exact "$2"
done
mkdir -p "$dir/modernbert"
MIXOUT_MODERNBERT_PARITY_DIR="$dir/modernbert" LIBTORCH_USE_PYTORCH=1 PATH="$VENV/bin:$PATH" \
  cargo test --release --test modernbert -- --exact saved_classifiers_reload_and_feed_the_parity_check

for hf in "$TRANSFORMERS5_VERSION:$OVERLAY" "$TRANSFORMERS_VERSION:"; do
  version="${hf%%:*}" path="${hf#*:}"
  echo ">> transformers $version: exported BERT folder vs mixout predict"
  PYTHONPATH="$path" "$PY" scripts/check_export.py --bin "$CARGO_TARGET_DIR/release/mixout" --quiet
  echo ">> transformers $version: BERT / RoBERTa / DistilBERT / ELECTRA / DeBERTa-v3 logits and ids"
  PYTHONPATH="$path" "$PY" scripts/check_arch_parity.py "$dir"
done
# transformers has ModernBERT from 4.48 on: the 5.x check only.
echo ">> transformers $TRANSFORMERS5_VERSION: ModernBERT (cls and mean pooling, legacy and v5 config keys) logits and ids"
PYTHONPATH="$OVERLAY" "$PY" scripts/check_modernbert_parity.py "$dir/modernbert"
