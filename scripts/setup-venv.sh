#!/usr/bin/env bash
# Creates (once) the Python venv whose torch==2.11.0 provides libtorch for tch 0.24 / rust-bert 0.23.
# Idempotent: a venv that already imports torch 2.11.0 is reused without any download.
# Location: $MIXOUT_VENV, default ~/.cache/mixout/venv-torch-2.11.0 (outside the clone, so
# every clone, CI run and `make clean` reuse it).
#
# Which CUDA: PyPI's torch 2.11.0 wheel is built for CUDA 13 (NVIDIA driver >= 580). For an
# older driver, take a CUDA 12.x build from PyTorch's own wheel index instead, e.g.
#   TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 bash scripts/setup-venv.sh
# (cu126: driver >= 560; cu128: driver >= 570; cpu: no CUDA at all). `make setup
# TORCH_INDEX_URL=...` passes it through. A venv made from another index is kept as is: delete
# it (or point MIXOUT_VENV elsewhere) to switch.
set -euo pipefail
TORCH_VERSION=2.11.0
VENV="${MIXOUT_VENV:-$HOME/.cache/mixout/venv-torch-$TORCH_VERSION}"
PY="$VENV/bin/python"
INDEX_URL="${TORCH_INDEX_URL:-}"

# Beside torch, what the test suite's Python helpers import: pyarrow writes the parquet files
# that stand in for the Hugging Face hub's copy of GLUE (scripts/glue-to-parquet.py).
EXTRA=(pyarrow)

have_torch() {
  [ -x "$PY" ] && "$PY" -c "import torch,sys; sys.exit(0 if torch.__version__.split('+')[0]=='$TORCH_VERSION' else 1)" 2>/dev/null
}
have_extra() {
  [ -x "$PY" ] && "$PY" -c "import ${EXTRA[*]// /,}" 2>/dev/null
}

if have_torch; then
  have_extra || "$PY" -m pip install --disable-pip-version-check --progress-bar off "${EXTRA[@]}"
  exit 0
fi
echo ">> setting up libtorch: torch==$TORCH_VERSION in a Python venv at $VENV"
if [ -n "$INDEX_URL" ]; then
  echo ">> from the wheel index $INDEX_URL"
else
  echo ">> from PyPI (the CUDA 13 build; needs NVIDIA driver >= 580 to use a GPU, runs on CPU anywhere)"
fi
echo ">> (one-off: a few GB of download; later builds reuse it)"
mkdir -p "$(dirname "$VENV")"
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null; then
  echo "error: $PYTHON not found; install Python 3.10-3.13 or set PYTHON=/path/to/python3" >&2
  exit 1
fi
[ -x "$PY" ] || "$PYTHON" -m venv "$VENV"
args=(--disable-pip-version-check --progress-bar off "torch==$TORCH_VERSION")
[ -z "$INDEX_URL" ] || args+=(--index-url "$INDEX_URL")
"$PY" -m pip install "${args[@]}"
have_torch || { echo "error: torch $TORCH_VERSION did not import from $VENV" >&2; exit 1; }
have_extra || "$PY" -m pip install --disable-pip-version-check --progress-bar off "${EXTRA[@]}"
echo ">> libtorch ready: $("$PY" -c 'import torch,os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
