#!/usr/bin/env bash
# `make bench`: our training step vs PyTorch + transformers on the same batches, mixout's
# overhead, fp32 peak, eval throughput, peak memory and sweep throughput.
# Prints one table and writes bench/results/latest.json (see bench/README.md).
#
# Environment (all optional):
#   MIXOUT_VENV        venv with torch 2.11.0 (default ~/.cache/mixout/venv-torch-2.11.0);
#                      transformers 4.44.2 is pip-installed into it when missing
#   CARGO_TARGET_DIR   where the release binary is (default <repo>/target)
#   MIXOUT_SHARED      shared assets (default <repo>/../shared)
#   BENCH_MODELS       models to time, from L3 L6 (default "L3 L6")
#   BENCH_BATCHES      RTE training batches of 32 per model (default 10)
#   BENCH_REPS         timed passes over the batches per variant (default 2)
#   BENCH_MICRO        our default micro-batch count, timed besides 1 (default 4)
#   BENCH_MEMORY_STEPS training steps of the peak-RSS probe (default 3)
#   BENCH_REFERENCE=0  skip the Python reference;  BENCH_SWEEP=0 skip the sweep
#   BENCH_KEEP=1       keep the temp folder with the intermediate JSONs
#   BENCH_OUT          result file (default bench/results/latest.json)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${MIXOUT_VENV:-$HOME/.cache/mixout/venv-torch-2.11.0}"
PY="$VENV/bin/python"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
BIN="$TARGET/release/mixout"
SHARED="${MIXOUT_SHARED:-$ROOT/../shared}"
MODELS="${BENCH_MODELS:-L3 L6}"
BATCHES="${BENCH_BATCHES:-10}"
REPS="${BENCH_REPS:-2}"
MICRO="${BENCH_MICRO:-4}"
MEM_STEPS="${BENCH_MEMORY_STEPS:-3}"
REFERENCE="${BENCH_REFERENCE:-1}"
SWEEP="${BENCH_SWEEP:-1}"
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

model_dir() {
  case "$1" in
    L3) echo "$SHARED/models/paraphrase-MiniLM-L3-v2" ;;
    L6) echo "$SHARED/models/all-MiniLM-L6-v2" ;;
    *) die "unknown model key $1 (use L3 or L6)" ;;
  esac
}
for m in $MODELS; do [ -f "$(model_dir "$m")/config.json" ] || die "model $m missing: $(model_dir "$m")"; done

# --- prerequisites ---------------------------------------------------------------------
[ -x "$BIN" ] || die "no binary at $BIN: run \`make build\` first (or \`make bench\`)"
"$BIN" bench --help >/dev/null 2>&1 || die "$BIN has no working \`bench\` subcommand"

if [ "$REFERENCE" != 0 ]; then
  if ! { [ -x "$PY" ] && "$PY" -c 'import torch' 2>/dev/null; }; then
    log "no torch in $VENV: setting up the venv"
    MIXOUT_VENV="$VENV" bash "$ROOT/scripts/setup-venv.sh"
  fi
  if ! "$PY" -c "import sys, transformers; sys.exit(transformers.__version__ != '$TRANSFORMERS_VERSION')" 2>/dev/null; then
    log "installing transformers==$TRANSFORMERS_VERSION into $VENV (PyPI)"
    "$PY" -m pip install --disable-pip-version-check -q "transformers==$TRANSFORMERS_VERSION"
  fi
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mixout-bench.XXXXXX")"
cleanup() {
  if [ "${BENCH_KEEP:-0}" = 1 ]; then log "intermediate files kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
STAGES="$WORK/stages.tsv"
: >"$STAGES"
T_ALL="$(now)"
stage() { # stage NAME CMD...: run, log, record its wall time
  local name="$1"; shift
  log "$name"
  local t0; t0="$(now)"
  "$@" >>"$WORK/stdout.log"  # the subcommands echo their JSON; it is in the files already
  printf '%s\t%s\n' "$name" "$(since "$t0")" >>"$STAGES"
}

# --- fp32 peak ---------------------------------------------------------------------------
stage "matmul peak" "$BIN" bench matmul --json "$WORK/matmul.json"

# --- training step: ours (k=1), reference, ours (k=MICRO), per model ----------------------
for m in $MODELS; do
  dir="$(model_dir "$m")"
  stage "$m: write $BATCHES batches" \
    "$BIN" bench batches --model "$dir" --batches "$BATCHES" --out "$WORK/$m.batches.json"
  stage "$m: ours, micro-batches 1 ($REPS reps)" \
    "$BIN" bench step --model "$dir" --batches-file "$WORK/$m.batches.json" --reps "$REPS" \
    --micro-batches 1 --json "$WORK/$m.ours.k1.json"
  if [ "$REFERENCE" != 0 ]; then
    stage "$m: reference, PyTorch + transformers ($REPS reps)" \
      "$PY" "$ROOT/bench/reference_step.py" --model "$dir" --batches-file "$WORK/$m.batches.json" \
      --reps "$REPS" --threads "$NPROC" --json "$WORK/$m.ref.json"
  fi
  if [ "$MICRO" != 1 ]; then
    stage "$m: ours, micro-batches $MICRO ($REPS reps)" \
      "$BIN" bench step --model "$dir" --batches-file "$WORK/$m.batches.json" --reps "$REPS" \
      --micro-batches "$MICRO" --json "$WORK/$m.ours.k$MICRO.json"
  fi
done

# fp32 peak again at the end: the larger of the two is taken (a busy moment only lowers it).
stage "matmul peak (again)" "$BIN" bench matmul --json "$WORK/matmul.end.json"

# --- eval throughput ---------------------------------------------------------------------
for m in $MODELS; do
  stage "$m: eval throughput (RTE dev)" "$BIN" bench eval --model "$(model_dir "$m")" --json "$WORK/$m.eval.json"
done

# --- peak memory, each in its own process --------------------------------------------------
for p in 0 0.9; do
  stage "L3: peak RSS, p $p ($MEM_STEPS steps)" \
    "$BIN" bench memory --model "$(model_dir L3)" --p "$p" --steps "$MEM_STEPS" --json "$WORK/L3.mem.p$p.json"
done

# --- sweep throughput: the same 4 short runs with --jobs 1 and --jobs 2 --------------------
if [ "$SWEEP" != 0 ]; then
  runs="$(grep -E '^restarts:' "$ROOT/bench/sweep.yaml" | awk '{print $2}')"
  sweep_json="{\"runs\": $runs"
  for j in 1 2; do
    res="$WORK/sweep-jobs$j"
    mkdir -p "$res"
    log "sweep: $runs runs of bench/sweep.yaml, --jobs $j"
    t0="$(now)"
    "$BIN" run "$ROOT/bench/sweep.yaml" --results "$res" --jobs "$j" >"$WORK/sweep-jobs$j.log" 2>&1 \
      || { cat "$WORK/sweep-jobs$j.log" >&2; die "sweep with --jobs $j failed"; }
    wall="$(since "$t0")"
    done_runs="$(find "$res" -name '*-seed*.json' | wc -l)"
    [ "$done_runs" -ge "$runs" ] \
      || { log "warning: sweep --jobs $j left $done_runs of $runs run results; its log ends:"; tail -n 5 "$WORK/sweep-jobs$j.log" >&2; }
    printf 'sweep --jobs %s\t%s\n' "$j" "$wall" >>"$STAGES"
    sweep_json="$sweep_json, \"jobs$j\": {\"wall_s\": $wall}"
  done
  echo "$sweep_json}" >"$WORK/sweep.json"
fi

T_TOTAL="$(since "$T_ALL")"
cat >"$WORK/meta.json" <<EOF
{"nproc": $NPROC, "batches": $BATCHES, "reps": $REPS, "micro_batches": $MICRO,
 "memory_steps": $MEM_STEPS, "models": "$MODELS", "bench_wall_s": $T_TOTAL,
 "binary": "$BIN", "venv": "$VENV"}
EOF

# Python for the aggregation: the venv's when there, else the system's (stdlib only).
AGG_PY="$PY"; [ -x "$AGG_PY" ] || AGG_PY="$(command -v python3)"
"$AGG_PY" "$ROOT/bench/aggregate.py" --work "$WORK" --repo "$ROOT" --out "$OUT"
