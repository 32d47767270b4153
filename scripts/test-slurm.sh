#!/usr/bin/env bash
# Issue 8: `mixout slurm` on a REAL Slurm. Installs Debian's slurm-wlm and munge if they are
# missing, starts a private one-node cluster (munged + slurmctld + slurmd) on loopback in a
# temporary folder, and then:
#   1. runs tests/fixtures/slurm_tiny.yaml (2 settings × 2 seeds) as a 2-task job array plus
#      the dependent report job, and checks results, `mixout status`, the report and the logs;
#   2. requeues a running array task midway through its second run (what a preemption does),
#      checks that the killed run left no result file, and that in the end every run exists
#      exactly once, the run finished before the kill was skipped (not rerun), and the report
#      job waited for the requeued task.
# Prints `N passed, M failed` last; exits non-zero if any check failed. Needs root (or
# passwordless sudo for the install). `make test-slurm` builds and calls it.
# MIXOUT_SLURM_KEEP=1 keeps the temporary folder (daemons are stopped anyway).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
BIN="${CARGO_TARGET_DIR:-$REPO/target}/release/mixout"
FIXTURE="$REPO/tests/fixtures/slurm_tiny.yaml"
WAIT_JOBS_S="${MIXOUT_SLURM_WAIT_S:-900}"
T0=$SECONDS

PASS=0
FAIL=0
TMP=""
say() { printf '[test-slurm %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
# check DESCRIPTION COMMAND...: one counted check.
check() {
    local what="$1"
    shift
    if "$@"; then ok "$what"; else bad "$what"; fi
}

dump_logs() {
    [ -n "$TMP" ] || return 0
    echo "---------------- logs ----------------"
    local f
    for f in "$TMP"/slurm*/logs/*.log "$TMP"/log/*.log "$TMP"/munge/munged.log; do
        [ -f "$f" ] || continue
        echo "===== $f (last 60 lines)"
        tail -n 60 "$f" || true
    done
    if [ -n "${SLURM_CONF:-}" ] && [ -f "$TMP/slurmctld.pid" ]; then
        echo "===== squeue"
        squeue 2>&1 || true
        echo "===== sinfo"
        sinfo 2>&1 || true
    fi
    echo "--------------------------------------"
}

# die MESSAGE: a failed check that makes going on pointless.
die() {
    bad "$*"
    dump_logs
    exit 1
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# stop_pidfile FILE: TERM the daemon whose pid is in FILE, KILL it after 10 s.
stop_pidfile() {
    local f="$1" pid i
    [ -f "$f" ] || return 0
    pid="$(cat "$f" 2>/dev/null)" || return 0
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    trap - EXIT INT TERM ERR
    if [ "$rc" -ne 0 ] && [ "$FAIL" -eq 0 ]; then
        # set -e stopped the script outside a check: that is a failure too.
        bad "script stopped at line ${ERR_LINE:-?} (exit $rc): ${ERR_CMD:-?}"
        dump_logs
    fi
    if [ -n "$TMP" ] && [ -d "$TMP" ]; then
        if [ -n "${SLURM_CONF:-}" ] && pid_alive "$TMP/slurmctld.pid"; then
            # Cancel what is left so no job step outlives the cluster.
            scancel --quiet --user="$(id -un)" 2>/dev/null
            for _ in $(seq 1 60); do
                [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
                sleep 0.5
            done
        fi
        stop_pidfile "$TMP/slurmd.pid"
        stop_pidfile "$TMP/slurmctld.pid"
        stop_pidfile "$TMP/munge/munged.pid"
        if [ "${MIXOUT_SLURM_KEEP:-0}" = 1 ]; then
            echo "kept $TMP"
        else
            rm -rf "$TMP"
        fi
    fi
    say "done"
    echo "$PASS passed, $FAIL failed"
    if [ "$rc" -eq 0 ] && [ "$FAIL" -gt 0 ]; then rc=1; fi
    if [ "$FAIL" -eq 0 ] && [ "$PASS" -eq 0 ]; then rc=1; fi
    exit "$rc"
}
ERR_LINE=""
ERR_CMD=""
trap 'ERR_LINE=$LINENO; ERR_CMD=$BASH_COMMAND' ERR
trap cleanup EXIT
trap 'ERR_LINE=$LINENO; ERR_CMD="interrupted by a signal"; exit 130' INT TERM

# ---------------------------------------------------------------- 1. install
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install or run Slurm"
    SUDO=(sudo -n)
fi
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
    ! command -v munged >/dev/null || ! command -v munge >/dev/null; then
    say "installing slurm-wlm and munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! "${SUDO[@]}" apt-get update -q >/tmp/test-slurm-apt.$$.log 2>&1 ||
        ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends slurm-wlm munge >>/tmp/test-slurm-apt.$$.log 2>&1; then
        tail -n 40 /tmp/test-slurm-apt.$$.log
        rm -f /tmp/test-slurm-apt.$$.log
        die "apt-get install slurm-wlm munge failed"
    fi
    rm -f /tmp/test-slurm-apt.$$.log
fi
for c in slurmctld slurmd sbatch squeue sinfo scontrol scancel munged munge; do
    command -v "$c" >/dev/null || die "$c not found after installing slurm-wlm and munge"
done
ok "slurm and munge installed ($(slurmctld -V))"

if [ ! -x "$BIN" ]; then
    say "$BIN missing: make build"
    make -C "$REPO" build || die "make build failed"
fi
[ -x "$BIN" ] || die "no mixout binary at $BIN"
SHARED="${MIXOUT_SHARED:-$REPO/../shared}"
[ -d "$SHARED/models" ] && [ -d "$SHARED/data/glue" ] || die "shared assets not found at $SHARED (set MIXOUT_SHARED)"
export MIXOUT_SHARED="$(cd "$SHARED" && pwd)"

# ---------------------------------------------------------------- 2. cluster
TMP="$(mktemp -d /tmp/mixout-slurm.XXXXXX)"
# munged wants every folder on the socket's path searchable by all, the key private.
chmod 755 "$TMP"
mkdir -p "$TMP/munge" "$TMP/munge-key" "$TMP/state" "$TMP/spool" "$TMP/log" "$TMP/results"
chmod 755 "$TMP/munge"
chmod 700 "$TMP/munge-key" "$TMP/state" "$TMP/spool"
SOCK="$TMP/munge/munge.socket"
KEY="$TMP/munge-key/munge.key"
dd if=/dev/urandom of="$KEY" bs=1024 count=1 status=none
chmod 400 "$KEY"
say "starting munged"
munged --force --socket="$SOCK" --key-file="$KEY" --log-file="$TMP/munge/munged.log" \
    --pid-file="$TMP/munge/munged.pid" --seed-file="$TMP/munge-key/munged.seed" ||
    die "munged did not start"
munge -n -S "$SOCK" | unmunge -S "$SOCK" >/dev/null || die "munge credential round trip failed"

# port_free PORT: nothing listens on it on loopback.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        if port_free "$p" && [ "$p" != "${1:-}" ]; then
            echo "$p"
            return 0
        fi
    done
    return 1
}
CTLD_PORT="$(pick_port)" || die "no free port"
SLURMD_PORT="$(pick_port "$CTLD_PORT")" || die "no free port"

# The node as slurmd sees it (CPUs, sockets, cores, threads, memory), renamed localhost.
HW="$(slurmd -C | head -n 1)"
hw() { sed -n "s/.*[[:space:]]$1=\([0-9]*\).*/\1/p" <<<" $HW"; }
CPUS="$(hw CPUs)"
MEM="$(hw RealMemory)"
[ -n "$CPUS" ] && [ -n "$MEM" ] || die "cannot parse slurmd -C: $HW"
NODE="NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS"
for k in Boards SocketsPerBoard CoresPerSocket ThreadsPerCore; do
    v="$(hw "$k")"
    [ -n "$v" ] && NODE="$NODE $k=$v"
done
NODE="$NODE RealMemory=$MEM State=UNKNOWN"
ME="$(id -un)"

export SLURM_CONF="$TMP/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# Private one-node test cluster of scripts/test-slurm.sh (no cgroups, no accounting).
ClusterName=mixout-test
SlurmctldHost=localhost
SlurmUser=$ME
SlurmdUser=$ME
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
# cred_expire is also how long a requeued job waits before it may start again (default 120 s).
AuthInfo=socket=$SOCK,cred_expire=10
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MailProg=/bin/true
KillWait=5
MinJobAge=3600
SlurmdTimeout=60
$NODE
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
say "starting slurmctld (port $CTLD_PORT) and slurmd (port $SLURMD_PORT): $NODE"
slurmctld -f "$SLURM_CONF" || die "slurmctld did not start"
slurmd -f "$SLURM_CONF" -N localhost || die "slurmd did not start"
state=""
for _ in $(seq 1 60); do
    state="$(sinfo -h -N -o %t 2>/dev/null | head -n 1)" || true
    [ "$state" = idle ] && break
    sleep 1
done
[ "$state" = idle ] || die "node not idle after 60 s (state: '${state}')"
ok "one-node cluster up: sinfo shows localhost idle"

# ---------------------------------------------------------------- helpers
# submit FILE OUTDIR: `mixout slurm --array 2 --submit`; sets ARRAY_ID and REPORT_ID.
submit() {
    local out
    out="$("$BIN" slurm "$1" --array 2 --results "$TMP/results" --out "$2" --submit 2>&1)" || {
        echo "$out"
        return 1
    }
    echo "$out"
    ARRAY_ID="$(sed -n 's/.*submitted array job \([0-9]*\) and report job \([0-9]*\).*/\1/p' <<<"$out")"
    REPORT_ID="$(sed -n 's/.*submitted array job \([0-9]*\) and report job \([0-9]*\).*/\2/p' <<<"$out")"
    [ -n "$ARRAY_ID" ] && [ -n "$REPORT_ID" ]
}

# wait_queue_empty: every job ended (squeue lists none), or time out.
wait_queue_empty() {
    local t0=$SECONDS
    while [ -n "$(squeue -h -o %i)" ]; do
        if [ $((SECONDS - t0)) -gt "$WAIT_JOBS_S" ]; then
            squeue
            return 1
        fi
        sleep 2
    done
}

# job_field JOB FIELD: a field of `scontrol show job` (one line per array task).
job_field() { { scontrol show job -o "$1" 2>/dev/null || true; } | { grep -o "\b$2=[^ ]*" || true; } | cut -d= -f2; }
# all_completed JOB: every task of JOB is COMPLETED.
all_completed() {
    local s
    s="$(job_field "$1" JobState | sort -u)"
    echo "  job $1 states: $(echo $s)"
    [ "$s" = COMPLETED ]
}

# result_files DIR: the study's result files (hidden temporary files excluded).
result_files() { { find "$1" -mindepth 2 -maxdepth 2 -name '*.json' ! -name '.*' ! -path '*/report/*' 2>/dev/null || true; } | sort; }
# A run's completion line in a task log: "finished RUN_ID: dev METRIC SCORE ...".
FINISHED_RE='finished [^ :]+: dev '
count_lines() { if [ -z "$1" ]; then echo 0; else wc -l <<<"$1" | tr -d ' '; fi; }
# run_ids FILE: the study's run ids in the order sharding uses.
run_ids() { "$BIN" check "$1" | awk 'NR > 1 { print $1 }'; }
# status_all FILE: "finished diverged missing total" of `mixout status` (its columns: setting finished diverged changed missing total).
status_all() { "$BIN" status "$1" --results "$TMP/results" | awk '$1 == "all" { print $2, $3, $5, $6 }'; }

# ---------------------------------------------------------------- 3. tiny study
say "tiny study: 4 runs as a 2-task array + report job"
OUT1="$TMP/slurm"
submit "$FIXTURE" "$OUT1" || die "mixout slurm --submit failed"
ok "mixout slurm --submit: array job $ARRAY_ID, report job $REPORT_ID"
A1="$ARRAY_ID"
R1="$REPORT_ID"
check "report job depends on the array (afterany:$A1)" \
    grep -q "afterany:$A1" <<<"$(scontrol show job -o "$R1")"
check "array script has --requeue and --open-mode=append" bash -c "grep -q -- --requeue '$OUT1/slurm-tiny-array.sbatch' && grep -q -- --open-mode=append '$OUT1/slurm-tiny-array.sbatch'"
wait_queue_empty || die "tiny study: jobs still queued after ${WAIT_JOBS_S}s"
say "tiny study: all jobs ended"
check "both array tasks COMPLETED" all_completed "$A1"
check "report job COMPLETED" all_completed "$R1"
D1="$TMP/results/slurm-tiny"
FILES="$(result_files "$D1")"
check "4 result files under results/slurm-tiny (found $(count_lines "$FILES"))" [ "$(count_lines "$FILES")" -eq 4 ]
check "result files are exactly the study's runs" \
    [ "$(xargs -r -n1 basename -s .json <<<"$FILES" | sort)" = "$(run_ids "$FIXTURE" | sort)" ]
ST="$(status_all "$FIXTURE")"
check "mixout status: 4 finished, 0 diverged, 0 missing of 4 (got: $ST)" [ "$ST" = "4 0 0 4" ]
check "report wrote summary.csv" [ -s "$D1/report/summary.csv" ]
check "summary.csv has both settings" bash -c "grep -q dropout '$D1/report/summary.csv' && grep -q mixout '$D1/report/summary.csv'"
NPNG="$({ find "$D1/report" -name '*.png' 2>/dev/null || true; } | wc -l)"
check "report wrote PNGs ($NPNG)" [ "$NPNG" -ge 1 ]
for k in 0 1; do
    L="$OUT1/logs/mixout-slurm-tiny-${A1}_$k.log"
    check "array task $k log exists" [ -s "$L" ]
    n="$(grep -cE "$FINISHED_RE" "$L" 2>/dev/null || true)"
    check "array task $k finished its 2 runs (log: ${n:-0})" [ "${n:-0}" -eq 2 ]
done
RL="$OUT1/logs/mixout-slurm-tiny-report-$R1.log"
check "report job log exists" [ -s "$RL" ]
# A run finished by two tasks would show up twice across the task logs.
DUPS="$(cat "$OUT1"/logs/mixout-slurm-tiny-"${A1}"_*.log | { grep -oE "$FINISHED_RE" || true; } | awk '{ print $2 }' | sort | uniq -d)"
check "no run ran in two array tasks" [ -z "$DUPS" ]
if [ "$FAIL" -gt 0 ]; then dump_logs; fi

# ---------------------------------------------------------------- 4. requeue midway
# Same study with longer runs (~10x the training data, longer sequences), so the kill lands
# inside a run. Shard 0 of 2 holds runs 0 and 2 of the list.
say "requeue test: 4 longer runs as a 2-task array; requeue task 0 during its second run"
RQ="$TMP/slurm_requeue.yaml"
sed -e 's/^name: slurm-tiny$/name: slurm-requeue/' -e 's/^train_subset: .*/train_subset: 320/' \
    -e 's/^max_seq_len: .*/max_seq_len: 128/' "$FIXTURE" >"$RQ"
grep -q '^name: slurm-requeue$' "$RQ" && grep -q '^train_subset: 320$' "$RQ" ||
    die "could not derive the requeue study from $FIXTURE"
mapfile -t RQ_RUNS < <(run_ids "$RQ")
[ "${#RQ_RUNS[@]}" -eq 4 ] || die "requeue study should have 4 runs, has ${#RQ_RUNS[@]}"
FIRST="${RQ_RUNS[0]}"
SECOND="${RQ_RUNS[2]}"
D2="$TMP/results/slurm-requeue"
OUT2="$TMP/slurm-requeue"
submit "$RQ" "$OUT2" || die "mixout slurm --submit (requeue study) failed"
A2="$ARRAY_ID"
R2="$REPORT_ID"
L0="$OUT2/logs/mixout-slurm-requeue-${A2}_0.log"
# Wait for task 0's first run to be written, then for its second run to start.
t0=$SECONDS
FIRST_FILE=""
while :; do
    FIRST_FILE="$(find "$D2" -mindepth 2 -maxdepth 2 -name "$FIRST.json" 2>/dev/null || true)"
    [ -n "$FIRST_FILE" ] && break
    [ $((SECONDS - t0)) -gt "$WAIT_JOBS_S" ] && die "task 0 never finished its first run ($FIRST)"
    [ "$(job_field "${A2}_0" JobState)" = RUNNING ] || [ "$(job_field "${A2}_0" JobState)" = PENDING ] ||
        die "task 0 ended before its first run was written"
    sleep 0.5
done
FIRST_MTIME="$(stat -c %Y.%s "$FIRST_FILE")"
FIRST_SUM="$(md5sum <"$FIRST_FILE")"
sleep 3 # well inside the second run (tens of seconds)
check "task 0 still running its second run ($SECOND) when killed" \
    [ "$(job_field "${A2}_0" JobState)" = RUNNING ]
say "scontrol requeue ${A2}_0"
scontrol requeue "${A2}_0" || die "scontrol requeue ${A2}_0 failed"
# Wait until the killed task is back in the queue (PENDING), i.e. its process is gone.
t0=$SECONDS
while [ "$(job_field "${A2}_0" JobState)" != PENDING ]; do
    [ $((SECONDS - t0)) -gt 60 ] && break
    sleep 0.5
done
check "requeued task 0 is PENDING again (state $(job_field "${A2}_0" JobState))" \
    [ "$(job_field "${A2}_0" JobState)" = PENDING ]
check "killed run $SECOND left no result file" [ -z "$(find "$D2" -name "$SECOND.json" 2>/dev/null || true)" ]
# Only hidden temporary files (.RUN.tmpPID) may be left by a kill; they are ignored.
STRAY="$(find "$D2" -type f ! -name '*.json' ! -name '.*' 2>/dev/null || true)"
check "no stray non-hidden files in the results after the kill" [ -z "$STRAY" ]
HIDDEN="$({ find "$D2" -type f -name '.*' 2>/dev/null || true; } | wc -l)"
say "hidden temporary files after the kill: $HIDDEN (ignored)"
wait_queue_empty || die "requeue study: jobs still queued after ${WAIT_JOBS_S}s"
say "requeue test: all jobs ended"
check "requeued array: both tasks COMPLETED" all_completed "$A2"
check "task 0 was restarted once (Restarts=$(job_field "${A2}_0" Restarts))" [ "$(job_field "${A2}_0" Restarts)" = 1 ]
check "report job COMPLETED after the requeued task" all_completed "$R2"
FILES="$(result_files "$D2")"
check "4 result files after requeue (found $(count_lines "$FILES"))" [ "$(count_lines "$FILES")" -eq 4 ]
check "every run exists exactly once" \
    [ "$(xargs -r -n1 basename -s .json <<<"$FILES" | sort)" = "$(printf '%s\n' "${RQ_RUNS[@]}" | sort)" ]
ST="$(status_all "$RQ")"
check "mixout status: 4 finished, 0 missing (got: $ST)" [ "$ST" = "4 0 0 4" ]
unchanged() { [ "$(stat -c %Y.%s "$FIRST_FILE")" = "$FIRST_MTIME" ] && [ "$(md5sum <"$FIRST_FILE")" = "$FIRST_SUM" ]; }
check "run finished before the kill ($FIRST) was not rerun (file unchanged)" unchanged
check "requeued task 0's log says it skipped the finished run" grep -qi 'skipping' "$L0"
check "requeued task 0's log keeps the killed attempt (append)" \
    [ "$(grep -c 'run 1/2 started' "$L0" 2>/dev/null || true)" -ge 1 ]
n="$(grep -c "finished $SECOND" "$L0" 2>/dev/null || true)"
check "run $SECOND finished exactly once in task 0's log ($n)" [ "${n:-0}" -eq 1 ]
RL2="$OUT2/logs/mixout-slurm-requeue-report-$R2.log"
RS="$(awk '$1 == "all" { print $2, $3, $5, $6 }' "$RL2" 2>/dev/null || true)"
check "report job saw all 4 runs finished (its status: $RS)" [ "$RS" = "4 0 0 4" ]
check "report job wrote summary.csv" [ -s "$D2/report/summary.csv" ]

if [ "$FAIL" -gt 0 ]; then dump_logs; fi
say "total $((SECONDS - T0)) s"
