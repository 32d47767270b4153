#!/usr/bin/env bash
# `make bench`: our training step vs PyTorch + transformers on the same batches, mixout's
# overhead, matmul peak, eval throughput, peak memory and sweep throughput, on the CPU and,
# when a GPU is visible (`mixout doctor` exits 0), on CUDA at fp32, tf32 and bf16.
# Also checks that an exported model folder gives our logits in transformers.
# Prints one table and writes bench/results/latest.json (see bench/README.md).
#
# Environment (all optional):
#   MIXOUT_VENV        venv with torch 2.11.0 (default ~/.cache/mixout/venv-torch-2.11.0);
#                      transformers 4.44.2 is pip-installed into it when the CPU reference
#                      needs it and it is missing
#   BENCH_PYTHON       python with torch and transformers to use instead of the venv's; when
#                      neither is set and the venv has no torch, `python3` (e.g. on a GPU
#                      machine with its own torch); nothing is ever installed into it
#   CARGO_TARGET_DIR   where the release binary is (default <repo>/target)
#   BENCH_BIN          command that runs mixout (default $CARGO_TARGET_DIR/release/mixout);
#                      may be a wrapper, e.g. BENCH_BIN="bash .gpu/run.sh mixout"
#   MIXOUT_SHARED      shared assets (default <repo>/../shared)
#   BENCH_MODELS       models timed on the CPU, from L3 L6 large (default "L3 L6")
#   BENCH_BATCHES      RTE training batches of 32 per model (default 10)
#   BENCH_REPS         timed passes over the batches per variant (default 2)
#   BENCH_OURS         our CPU configurations, encoder:micro-batches (default "unpadded:1
#                      padded:4 unpadded:4": the default, the padded encoder at its old CPU
#                      default, and whether micro-batching still pays when unpadded)
#   BENCH_MEMORY_STEPS training steps of the peak-RSS probe (default 3)
#   BENCH_REFERENCE=0  skip the Python reference;  BENCH_SWEEP=0 skip the sweeps
#   BENCH_CPU=0        skip the CPU section (matmul, steps, eval, memory, CPU sweep)
#   BENCH_EXPORT_CHECK=0  skip the export check (scripts/check_export.py)
#   BENCH_CUDA=0       skip the CUDA section even when a GPU is visible
#   BENCH_CUDA_DEVICE  device of the CUDA section (default cuda:0)
#   BENCH_CUDA_MODELS  models timed on CUDA, from L3 L6 large (default "L3 large"); `large`
#                      is a BERT-large-shaped model with random weights, made in the temp folder
#   BENCH_CUDA_PRECISIONS  (default "fp32 tf32 bf16")
#   BENCH_CUDA_BATCHES (default 20), BENCH_CUDA_REPS (default 3): as BENCH_BATCHES/REPS
#   BENCH_CUDA_JOBS    --jobs values of the CUDA sweep (default "1 2 4")
#   BENCH_KEEP=1       keep the temp folder with the intermediate JSONs
#   BENCH_OUT          result file (default bench/results/latest.json)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${MIXOUT_VENV:-$HOME/.cache/mixout/venv-torch-2.11.0}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
SHARED="${MIXOUT_SHARED:-$ROOT/../shared}"
MODELS="${BENCH_MODELS:-L3 L6}"
BATCHES="${BENCH_BATCHES:-10}"
REPS="${BENCH_REPS:-2}"
OURS="${BENCH_OURS:-unpadded:1 padded:4 unpadded:4}"
MEM_STEPS="${BENCH_MEMORY_STEPS:-3}"
REFERENCE="${BENCH_REFERENCE:-1}"
SWEEP="${BENCH_SWEEP:-1}"
CPU="${BENCH_CPU:-1}"
EXPORT_CHECK="${BENCH_EXPORT_CHECK:-1}"
CUDA_WANTED="${BENCH_CUDA:-1}"
CUDA_DEVICE="${BENCH_CUDA_DEVICE:-cuda:0}"
CUDA_MODELS="${BENCH_CUDA_MODELS:-L3 large}"
CUDA_PRECISIONS="${BENCH_CUDA_PRECISIONS:-fp32 tf32 bf16}"
CUDA_BATCHES="${BENCH_CUDA_BATCHES:-20}"
CUDA_REPS="${BENCH_CUDA_REPS:-3}"
CUDA_JOBS="${BENCH_CUDA_JOBS:-1 2 4}"
OUT="${BENCH_OUT:-$ROOT/bench/results/latest.json}"
TRANSFORMERS_VERSION=4.44.2
NPROC="$(nproc)"

die() { echo "bench: error: $*" >&2; exit 1; }
log() { printf '%s bench: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$(now)" -v b="$1" 'BEGIN { printf "%.3f", a - b }'; }

[ -d "$SHARED/models" ] || die "no shared assets at $SHARED (set MIXOUT_SHARED to the folder holding models/ and data/)"
SHARED="$(cd "$SHARED" && pwd)"
export MIXOUT_SHARED="$SHARED"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mixout-bench.XXXXXX")"
cleanup() {
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "intermediate files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
LARGE_DIR="$WORK/bert-large-random"

model_dir() {
  case "$1" in
    L3) echo "$SHARED/models/paraphrase-MiniLM-L3-v2" ;;
    L6) echo "$SHARED/models/all-MiniLM-L6-v2" ;;
    large) echo "$LARGE_DIR" ;;
    *) die "unknown model key $1 (use L3, L6 or large)" ;;
  esac
}
# Only the sections that run need their models (a GPU check ships L3 alone, and skips the CPU).
needed=$CUDA_MODELS; [ "$CPU" = 1 ] && needed="$MODELS $needed"
for m in $needed; do
  [ "$m" = large ] || [ -f "$(model_dir "$m")/config.json" ] || die "model $m missing: $(model_dir "$m")"
done

# --- prerequisites ---------------------------------------------------------------------
if [ -n "${BENCH_BIN:-}" ]; then
  read -r -a MIXOUT <<<"$BENCH_BIN"
else
  MIXOUT=("$TARGET/release/mixout")
  [ -x "${MIXOUT[0]}" ] || die "no binary at ${MIXOUT[0]}: run \`make build\` first (or \`make bench\`)"
fi
"${MIXOUT[@]}" bench --help >/dev/null 2>&1 || die "\`${MIXOUT[*]}\` has no working \`bench\` subcommand"

# Is there a GPU? `mixout doctor` exits 0 only when `device: cuda` would work.
CUDA=0
CUDA_SKIPPED=""
if [ "$CUDA_WANTED" = 0 ]; then
  CUDA_SKIPPED="BENCH_CUDA=0"
elif DOCTOR="$("${MIXOUT[@]}" doctor 2>&1)"; then
  CUDA=1
else
  why="$(printf '%s\n' "$DOCTOR" | sed -n 's/^verdict[[:space:]]*//p' | head -n 1)"
  problem="$(printf '%s\n' "$DOCTOR" | sed -n 's/^[[:space:]]*- //p' | head -n 1)"
  [ -n "$why" ] || why="$(printf '%s\n' "$DOCTOR" | grep -v '^[[:space:]]*$' | tail -n 1)"
  CUDA_SKIPPED="no CUDA device visible (mixout doctor: ${why}${problem:+; $problem})"
fi

# Python: BENCH_PYTHON, else the venv's when it has torch, else python3. The venv is set up,
# and transformers installed into it, only when the CPU reference needs them; another
# python (a GPU machine's own, no network) is used as it is.
NEED_CPU_REF=0; [ "$CPU" != 0 ] && [ "$REFERENCE" != 0 ] && NEED_CPU_REF=1
PY_IS_VENV=0
if [ -n "${BENCH_PYTHON:-}" ]; then
  PY="$BENCH_PYTHON"
elif [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import torch' 2>/dev/null; then
  PY="$VENV/bin/python"; PY_IS_VENV=1
elif command -v python3 >/dev/null && python3 -c 'import torch' 2>/dev/null; then
  PY="$(command -v python3)"
elif [ "$NEED_CPU_REF" = 1 ]; then
  log "no torch in $VENV nor in python3: setting up the venv"
  MIXOUT_VENV="$VENV" bash "$ROOT/scripts/setup-venv.sh"
  PY="$VENV/bin/python"; PY_IS_VENV=1
else
  PY=""
fi
HAVE_TF=0
if [ -n "$PY" ]; then
  if [ "$PY_IS_VENV" = 1 ]; then
    if "$PY" -c "import sys, transformers; sys.exit(transformers.__version__ != '$TRANSFORMERS_VERSION')" 2>/dev/null; then
      HAVE_TF=1
    elif [ "$NEED_CPU_REF" = 1 ]; then
      log "installing transformers==$TRANSFORMERS_VERSION into $VENV (PyPI)"
      "$PY" -m pip install --disable-pip-version-check -q "transformers==$TRANSFORMERS_VERSION"
      HAVE_TF=1
    elif "$PY" -c 'import transformers' 2>/dev/null; then
      HAVE_TF=1
    fi
  elif "$PY" -c 'import torch, transformers' 2>/dev/null; then
    HAVE_TF=1
  fi
fi
REF_OK=0
if [ "$REFERENCE" != 0 ]; then
  if [ "$HAVE_TF" = 1 ]; then REF_OK=1; else log "no torch + transformers in ${PY:-any python}: the Python reference is skipped"; fi
fi
if [ -n "$PY" ]; then
  PY_VERSIONS="$("$PY" -c 'import json, platform, torch
try:
    import transformers; tv = transformers.__version__
except Exception:
    tv = None
print(json.dumps({"python": platform.python_version(), "torch": torch.__version__, "transformers": tv,
                  "cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available()}))' 2>/dev/null || echo null)"
else
  PY_VERSIONS=null
fi

STAGES="$WORK/stages.tsv"
: >"$STAGES"
T_ALL="$(now)"
stage() { # stage NAME CMD...: run, log, record its wall time; returns the command's status
  local name="$1"; shift
  log "$name"
  local t0 rc=0; t0="$(now)"
  "$@" >>"$WORK/stdout.log" || rc=$?  # the subcommands echo their JSON; it is in the files already
  printf '%s\t%s\n' "$name" "$(since "$t0")" >>"$STAGES"
  return "$rc"
}

# The BERT-large shape: random weights (no download), the L3 model's uncased vocabulary.
if [[ " $MODELS " == *" large "* ]] || { [ "$CUDA" = 1 ] && [[ " $CUDA_MODELS " == *" large "* ]]; }; then
  stage "large: make a BERT-large-shaped model (random weights)" \
    "${MIXOUT[@]}" bench make-model --shape large --vocab-from "$(model_dir L3)" --out "$LARGE_DIR"
fi

# sweep TAG DEVICE JOBS...: wall time of bench/sweep.yaml into fresh folders, per --jobs value.
sweep() {
  local tag="$1" device="$2"; shift 2
  local runs; runs="$(grep -E '^restarts:' "$ROOT/bench/sweep.yaml" | awk '{print $2}')"
  local json="{\"runs\": $runs, \"device\": \"$device\""
  for j in "$@"; do
    local res="$WORK/$tag-jobs$j"
    mkdir -p "$res"
    log "sweep ($device): $runs runs of bench/sweep.yaml, --jobs $j"
    local t0; t0="$(now)"
    "${MIXOUT[@]}" run "$ROOT/bench/sweep.yaml" --results "$res" --jobs "$j" --device "$device" >"$WORK/$tag-jobs$j.log" 2>&1 \
      || { cat "$WORK/$tag-jobs$j.log" >&2; die "sweep on $device with --jobs $j failed"; }
    local wall; wall="$(since "$t0")"
    local done_runs; done_runs="$(find "$res" -name '*-seed*.json' | wc -l)"
    [ "$done_runs" -ge "$runs" ] \
      || { log "warning: sweep --jobs $j left $done_runs of $runs run results; its log ends:"; tail -n 5 "$WORK/$tag-jobs$j.log" >&2; }
    printf '%s --jobs %s\t%s\n' "$tag" "$j" "$wall" >>"$STAGES"
    json="$json, \"jobs$j\": {\"wall_s\": $wall}"
  done
  echo "$json}" >"$WORK/$tag.json"
}

# ===================================== CPU =============================================
if [ "$CPU" != 0 ]; then
  # --- fp32 peak -------------------------------------------------------------------------
  stage "matmul peak" "${MIXOUT[@]}" bench matmul --json "$WORK/matmul.json"

  # --- training step: the reference between our configurations, per model ---------------
  ours_step() { # ours_step MODEL DIR ENCODER:K
    local enc="${3%%:*}" k="${3##*:}"
    stage "$1: ours, $enc encoder, micro-batches $k ($REPS reps)" \
      "${MIXOUT[@]}" bench step --model "$2" --batches-file "$WORK/$1.batches.json" --reps "$REPS" \
      --encoder "$enc" --micro-batches "$k" --json "$WORK/$1.ours.$enc.k$k.json"
  }
  read -r -a OURS_LIST <<<"$OURS"
  for m in $MODELS; do
    dir="$(model_dir "$m")"
    stage "$m: write $BATCHES batches" \
      "${MIXOUT[@]}" bench batches --model "$dir" --batches "$BATCHES" --out "$WORK/$m.batches.json"
    ours_step "$m" "$dir" "${OURS_LIST[0]}"
    if [ "$REF_OK" = 1 ]; then
      stage "$m: reference, PyTorch + transformers ($REPS reps)" \
        "$PY" "$ROOT/bench/reference_step.py" --model "$dir" --batches-file "$WORK/$m.batches.json" \
        --reps "$REPS" --threads "$NPROC" --json "$WORK/$m.ref.json"
    fi
    for c in "${OURS_LIST[@]:1}"; do ours_step "$m" "$dir" "$c"; done
  done

  # fp32 peak again at the end: the larger of the two is taken (a busy moment only lowers it).
  stage "matmul peak (again)" "${MIXOUT[@]}" bench matmul --json "$WORK/matmul.end.json"

  # --- eval throughput -------------------------------------------------------------------
  for m in $MODELS; do
    for enc in unpadded padded; do
      stage "$m: eval throughput (RTE dev), $enc" \
        "${MIXOUT[@]}" bench eval --model "$(model_dir "$m")" --encoder "$enc" --json "$WORK/$m.eval.$enc.json"
    done
  done

  # --- peak memory, each in its own process ------------------------------------------------
  for p in 0 0.9; do
    stage "L3: peak RSS, p $p ($MEM_STEPS steps)" \
      "${MIXOUT[@]}" bench memory --model "$(model_dir L3)" --p "$p" --steps "$MEM_STEPS" --json "$WORK/L3.mem.p$p.json"
  done

  # --- sweep throughput: the same 4 short runs with --jobs 1 and --jobs 2 ------------------
  if [ "$SWEEP" != 0 ]; then
    sweep sweep cpu 1 2
  fi
fi

# --- exported folders load in transformers with our logits (CPU; any transformers) -------
if [ "$EXPORT_CHECK" != 0 ]; then
  if [ "$HAVE_TF" = 1 ]; then
    stage "export check: transformers vs mixout predict, RTE dev" \
      "$PY" "$ROOT/scripts/check_export.py" --bin "${MIXOUT[*]}" --model "$(model_dir L3)" \
      --json "$WORK/export_check.json" --quiet \
      || log "warning: the export check failed (see bench/results; \`$PY scripts/check_export.py\` shows why)"
  else
    echo "bench: export check skipped: no transformers importable in ${PY:-any python} (BENCH_PYTHON)" >&2
  fi
fi

# ===================================== CUDA ============================================
if [ "$CUDA" = 1 ]; then
  printf '%s\n' "$DOCTOR" >"$WORK/cuda.doctor.txt"
  log "CUDA section on $CUDA_DEVICE: models $CUDA_MODELS, precisions $CUDA_PRECISIONS"
  # --- peaks: fp32, tf32, bf16 matrix products --------------------------------------------
  for prec in $CUDA_PRECISIONS; do
    stage "cuda: matmul peak $prec" \
      "${MIXOUT[@]}" bench matmul --device "$CUDA_DEVICE" --precision "$prec" --json "$WORK/cuda.matmul.$prec.json"
  done
  # --- training step, ours vs reference, plain and mixout, one micro-batch ------------------
  for m in $CUDA_MODELS; do
    dir="$(model_dir "$m")"
    stage "cuda $m: write $CUDA_BATCHES batches" \
      "${MIXOUT[@]}" bench batches --model "$dir" --batches "$CUDA_BATCHES" --out "$WORK/cuda.$m.batches.json"
    for prec in $CUDA_PRECISIONS; do
      for enc in unpadded padded; do
        stage "cuda $m $prec: ours, $enc ($CUDA_REPS reps)" \
          "${MIXOUT[@]}" bench step --model "$dir" --batches-file "$WORK/cuda.$m.batches.json" --reps "$CUDA_REPS" \
          --encoder "$enc" --micro-batches 1 --variants plain,mixout --device "$CUDA_DEVICE" --precision "$prec" \
          --json "$WORK/cuda.$m.$prec.ours.$enc.json"
      done
      if [ "$REF_OK" = 1 ]; then
        # Warm-up: one pass over the batches, as ours does (every shape meets cuBLAS once).
        stage "cuda $m $prec: reference ($CUDA_REPS reps)" \
          "$PY" "$ROOT/bench/reference_step.py" --model "$dir" --batches-file "$WORK/cuda.$m.batches.json" \
          --reps "$CUDA_REPS" --warmup "$CUDA_BATCHES" --threads "$NPROC" --variants plain,mixout \
          --device "$CUDA_DEVICE" --precision "$prec" --json "$WORK/cuda.$m.$prec.ref.json"
      fi
    done
  done
  # --- sweep throughput on the GPU: parallel runs as child processes sharing it -----------
  if [ "$SWEEP" != 0 ]; then
    # shellcheck disable=SC2086  # CUDA_JOBS is a list of numbers
    sweep cuda.sweep "$CUDA_DEVICE" $CUDA_JOBS
  fi
else
  echo "bench: CUDA section skipped: $CUDA_SKIPPED" >&2
fi

T_TOTAL="$(since "$T_ALL")"
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
cat >"$WORK/meta.json" <<EOF
{"nproc": $NPROC, "batches": $BATCHES, "reps": $REPS, "ours": "$OURS",
 "memory_steps": $MEM_STEPS, "models": "$MODELS", "cpu_section": $([ "$CPU" != 0 ] && echo true || echo false),
 "bench_wall_s": $T_TOTAL, "binary": "$(esc "${MIXOUT[*]}")", "venv": "$(esc "$VENV")",
 "python": "$(esc "${PY:-}")", "python_versions": $PY_VERSIONS,
 "cuda": {"ran": $([ "$CUDA" = 1 ] && echo true || echo false), "skipped": "$(esc "$CUDA_SKIPPED")",
          "device": "$CUDA_DEVICE", "models": "$CUDA_MODELS", "precisions": "$CUDA_PRECISIONS",
          "batches": $CUDA_BATCHES, "reps": $CUDA_REPS, "jobs": "$CUDA_JOBS"}}
EOF

# Python for the aggregation: the chosen one when there, else the system's (stdlib only).
AGG_PY="${PY:-}"; [ -n "$AGG_PY" ] || AGG_PY="$(command -v python3)"
"$AGG_PY" "$ROOT/bench/aggregate.py" --work "$WORK" --repo "$ROOT" --out "$OUT"
