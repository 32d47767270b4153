#!/usr/bin/env bash
# Creates (once) the Python venv whose torch==2.4.0 provides libtorch for tch 0.17 / rust-bert 0.23.
# Idempotent: a venv that already imports torch 2.4.0 is reused without any download.
# Location: $MIXOUT_VENV, default ~/.cache/mixout/venv-torch-2.4.0 (outside the clone, so
# every clone, CI run and `make clean` reuse it).
set -euo pipefail
TORCH_VERSION=2.4.0
VENV="${MIXOUT_VENV:-$HOME/.cache/mixout/venv-torch-$TORCH_VERSION}"
PY="$VENV/bin/python"

have_torch() {
  [ -x "$PY" ] && "$PY" -c "import torch,sys; sys.exit(0 if torch.__version__.split('+')[0]=='$TORCH_VERSION' else 1)" 2>/dev/null
}

if have_torch; then
  exit 0
fi
echo ">> setting up libtorch: torch==$TORCH_VERSION in a Python venv at $VENV"
echo ">> (one-off: about 2.7 GB download, 5 GB on disk; later builds reuse it)"
mkdir -p "$(dirname "$VENV")"
PYTHON="${PYTHON:-python3}"
if ! command -v "$PYTHON" >/dev/null; then
  echo "error: $PYTHON not found; install Python 3.8-3.12 or set PYTHON=/path/to/python3" >&2
  exit 1
fi
[ -x "$PY" ] || "$PYTHON" -m venv "$VENV"
"$PY" -m pip install --disable-pip-version-check --progress-bar on "torch==$TORCH_VERSION"
have_torch || { echo "error: torch $TORCH_VERSION did not import from $VENV" >&2; exit 1; }
echo ">> libtorch ready: $("$PY" -c 'import torch,os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
