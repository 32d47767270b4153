#!/usr/bin/env bash
# Models we export must load in Hugging Face transformers and give our logits there:
#   1. scripts/check_export.py: a BERT folder written by `save_model` (the shipped L3 with a
#      seeded head) against `mixout predict` on all 277 RTE dev pairs;
#   2. scripts/check_arch_parity.py: BERT (our fused encoder), RoBERTa, DistilBERT and ELECTRA
#      classifiers (random weights, a non-default LayerNorm epsilon and activation, logits of
#      O(1); written by tests/architectures.rs) on 8 RTE dev pairs.
# Uses the project venv's python, installing transformers==4.44.2 there from PyPI when it is
# missing (CI reaches PyPI). Run from the repository root after `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${MIXOUT_VENV:-$HOME/.cache/mixout/venv-torch-2.11.0}"
PY="$VENV/bin/python"
TRANSFORMERS_VERSION=4.44.2
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
[ -x "$PY" ] || { echo "check-transformers: no venv at $VENV (run make setup)" >&2; exit 1; }
if ! "$PY" -c "import sys, transformers; sys.exit(transformers.__version__ != '$TRANSFORMERS_VERSION')" 2>/dev/null; then
  echo ">> installing transformers==$TRANSFORMERS_VERSION into $VENV (PyPI)"
  "$PY" -m pip install --disable-pip-version-check -q "transformers==$TRANSFORMERS_VERSION"
fi
echo ">> exported BERT folder vs transformers"
"$PY" scripts/check_export.py --bin "$CARGO_TARGET_DIR/release/mixout"
echo ">> BERT / RoBERTa / DistilBERT / ELECTRA (non-default eps and activation) vs transformers"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
MIXOUT_ARCH_PARITY_DIR="$dir" LIBTORCH_USE_PYTORCH=1 PATH="$VENV/bin:$PATH" \
  cargo test --release --test architectures -- --exact parity_checkpoints_with_non_default_eps_and_activation
"$PY" scripts/check_arch_parity.py "$dir"
