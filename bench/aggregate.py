#!/usr/bin/env python3
"""Collects the intermediate JSONs of bench/run.sh into one table and one JSON file.

Reads from --work (names as written by run.sh; any missing file leaves its figures out):
  matmul.json, matmul.end.json {"gflops"} at the start and the end (the larger counts)
  <M>.ours.k<K>.json           `mixout bench step` (variants, flops_per_step, micro_batches)
  <M>.ref.json                 bench/reference_step.py (same layout, plus times_s)
  <M>.eval.json                {"examples_per_s"}
  L3.mem.p0.json, L3.mem.p0.9.json   {"peak_rss_bytes"}
  sweep.json                   {"runs", "jobs1": {"wall_s"}, "jobs2": {"wall_s"}}
  meta.json, stages.tsv        settings and wall time per stage
Writes --out (bench/results/latest.json) and prints the table. Standard library only.
"""

import argparse
import datetime as dt
import json
import os
import re
import socket
import sys

VARIANTS = ("plain", "dropout", "mixout")
MODEL_NAMES = {"L3": "paraphrase-MiniLM-L3-v2", "L6": "all-MiniLM-L6-v2"}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def git_rev(repo):
    """HEAD's commit read from .git directly (no git process): a worktree or plain checkout."""
    git = os.path.join(repo, ".git")
    try:
        if os.path.isfile(git):  # worktree / submodule: "gitdir: <path>"
            with open(git) as f:
                line = f.read().strip()
            if line.startswith("gitdir:"):
                git = os.path.normpath(os.path.join(repo, line[len("gitdir:"):].strip()))
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        common = git
        cd = os.path.join(git, "commondir")
        if os.path.isfile(cd):
            with open(cd) as f:
                common = os.path.normpath(os.path.join(git, f.read().strip()))
        for base in (git, common):
            p = os.path.join(base, ref)
            if os.path.isfile(p):
                with open(p) as f:
                    return f.read().strip()
        packed = os.path.join(common, "packed-refs")
        if os.path.isfile(packed):
            with open(packed) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[1] == ref:
                        return parts[0]
        return None  # a branch with no commit yet
    except OSError:
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def step_summary(d):
    """Strips a step result to its per-variant figures (raw times left out)."""
    if d is None:
        return None
    out = {}
    for v, s in d.get("variants", {}).items():
        out[v] = {k: s[k] for k in ("median_s", "p10_s", "p90_s", "steps") if k in s}
    return out


def model_figures(work, m, gflops):
    k_files = sorted(
        (int(mm.group(1)), f)
        for f in os.listdir(work)
        if (mm := re.fullmatch(re.escape(m) + r"\.ours\.k(\d+)\.json", f))
    )
    ours = {f"k{k}": load(os.path.join(work, f)) for k, f in k_files}
    ref = load(os.path.join(work, f"{m}.ref.json"))
    ev = load(os.path.join(work, f"{m}.eval.json"))
    batches = load(os.path.join(work, f"{m}.batches.json"))
    if not ours and ref is None and ev is None:
        return None
    peak = gflops * 1e9 if gflops else None
    # FLOPs of one step on these batches: from our k=1 run (same padded batches as the reference).
    flops_k1 = (ours.get("k1") or {}).get("flops_per_step")
    fig = {
        "model": MODEL_NAMES.get(m, m),
        "batches": len(batches["batches"]) if batches else (ref or {}).get("batches"),
        "flops_per_step": {k: d.get("flops_per_step") for k, d in ours.items()},
        "ours": {k: step_summary(d) for k, d in ours.items()},
        "reference": step_summary(ref),
        "reference_info": {k: ref.get(k) for k in ("torch", "transformers", "threads", "attn_implementation", "mixed_weights")}
        if ref
        else None,
        "ours_over_reference": {},
        "mixout_overhead": {},
        "flops_fraction_of_peak": {},
        "eval_examples_per_s": ev.get("examples_per_s") if ev else None,
    }

    def med(d, v):
        return (((d or {}).get("variants") or {}).get(v) or {}).get("median_s")

    for k, d in ours.items():
        fig["ours_over_reference"][k] = {v: ratio(med(d, v), med(ref, v)) for v in VARIANTS} if ref else None
        fig["mixout_overhead"][f"ours_{k}"] = ratio(med(d, "mixout"), med(d, "plain"))
        f = d.get("flops_per_step")
        fig["flops_fraction_of_peak"][f"ours_{k}"] = {
            v: ratio(ratio(f, med(d, v)), peak) for v in VARIANTS
        }
    if ref:
        fig["mixout_overhead"]["reference"] = ratio(med(ref, "mixout"), med(ref, "plain"))
        fig["flops_fraction_of_peak"]["reference"] = {v: ratio(ratio(flops_k1, med(ref, v)), peak) for v in VARIANTS}
    return fig


def fmt(x, spec=".3f", none="n/a"):
    return none if x is None else format(x, spec)


def pct(x):
    return "n/a" if x is None else f"{100 * x:.1f}%"


def table(res):
    L = []
    w = L.append
    w(f"mixout bench  {res['date']}  nproc {res['machine']['nproc']}  rev {(res['git_rev'] or 'unknown')[:12]}")
    w(f"cpu: {res['machine'].get('cpu') or 'unknown'}")
    s = res.get("settings") or {}
    w(
        f"batches {s.get('batches')} x reps {s.get('reps')} per variant, batch 32, max_seq_len 128, "
        f"padded to each batch's longest; times are medians (p10-p90) in seconds per step"
    )
    w(f"fp32 matmul peak: {fmt(res.get('matmul_gflops'), '.1f')} GFLOP/s")
    w("")
    for m, fig in res["models"].items():
        if fig is None:
            continue
        ks = sorted(fig["ours"], key=lambda k: int(k[1:]))
        cols = [f"ours {k}" for k in ks] + (["reference"] if fig["reference"] else [])
        w(f"{m} ({fig['model']}) training step")
        head = f"  {'variant':8s}" + "".join(f" {c:>22s}" for c in cols)
        head += "".join(f" {('ours/ref ' + k):>13s}" for k in ks if fig["reference"])
        w(head)
        for v in VARIANTS:
            row = f"  {v:8s}"
            for k in ks:
                row += " " + cell((fig["ours"][k] or {}).get(v))
            if fig["reference"]:
                row += " " + cell(fig["reference"].get(v))
                for k in ks:
                    row += f" {fmt((fig['ours_over_reference'].get(k) or {}).get(v), '.2f') + 'x':>13s}"
            w(row)
        over = fig["mixout_overhead"]
        w("  mixout overhead (mixout/plain): " + ", ".join(f"{k} {fmt(x, '.2f')}x" for k, x in over.items()))
        fr = fig["flops_fraction_of_peak"]
        w(
            "  achieved FLOP/s, plain, of matmul peak: "
            + ", ".join(f"{k} {pct((x or {}).get('plain'))}" for k, x in fr.items())
            + f"  (flops/step {fmt(next(iter(fig['flops_per_step'].values()), None), '.3g')})"
        )
        w(f"  eval throughput (RTE dev): {fmt(fig['eval_examples_per_s'], '.1f')} examples/s")
        w("")
    mem = res.get("memory")
    if mem:
        mib = lambda b: "n/a" if b is None else f"{b / 2**20:.0f} MiB"  # noqa: E731
        w(
            f"peak RSS, L3, {mem['steps']} steps: p 0 {mib(mem['peak_rss_bytes'].get('p0'))}, "
            f"p 0.9 {mib(mem['peak_rss_bytes'].get('p0.9'))} (mixout/plain {fmt(mem['mixout_over_plain'], '.2f')}x)"
        )
    sw = res.get("sweep")
    if sw:
        j1, j2 = sw.get("jobs1") or {}, sw.get("jobs2") or {}
        w(
            f"sweep ({sw['runs']} short runs of bench/sweep.yaml): --jobs 1 {fmt(j1.get('runs_per_hour'), '.0f')} runs/h "
            f"({fmt(j1.get('wall_s'), '.1f')} s), --jobs 2 {fmt(j2.get('runs_per_hour'), '.0f')} runs/h "
            f"({fmt(j2.get('wall_s'), '.1f')} s), speed-up {fmt(sw.get('speedup'), '.2f')}x"
        )
    for warn in warnings(res):
        w("warning: " + warn)
    if res.get("bench_wall_s") is not None:
        w(f"bench wall time: {res['bench_wall_s']:.0f} s")
    return "\n".join(L)


def warnings(res):
    """Signs that the machine was busy while measuring, so the figures are not comparable."""
    out = []
    noisy = []
    over = []
    for m, fig in res["models"].items():
        cols = {f"ours {k}": d for k, d in fig["ours"].items()}
        if fig["reference"]:
            cols["reference"] = fig["reference"]
        for c, d in cols.items():
            for v, st in (d or {}).items():
                if st.get("median_s") and st.get("p90_s", 0) > 1.3 * st["median_s"]:
                    noisy.append(f"{m} {c} {v}")
        for c, fr in fig["flops_fraction_of_peak"].items():
            # ours with k > 1 micro-batches skips padding that flops_per_step counts: may exceed 1.
            if c not in ("ours_k1", "reference"):
                continue
            if any(x is not None and x > 1.0 for x in (fr or {}).values()):
                over.append(f"{m} {c}")
    if noisy:
        out.append("p90 more than 1.3x the median (another process got in the way?): " + ", ".join(noisy))
    if over:
        out.append(
            "achieved FLOP/s above the matmul peak (peak measured while the machine was busy?): " + ", ".join(over)
        )
    return out


def cell(s):
    if not s:
        return f"{'n/a':>22s}"
    return f"{s['median_s']:7.3f} ({s['p10_s']:.3f}-{s['p90_s']:.3f})".rjust(22)


def main():
    ap = argparse.ArgumentParser(description="aggregate bench/run.sh results")
    ap.add_argument("--work", required=True, help="folder with the intermediate JSONs")
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--out", help="JSON to write (e.g. bench/results/latest.json)")
    a = ap.parse_args()

    meta = load(os.path.join(a.work, "meta.json")) or {}
    # Peak measured at the start and at the end of the bench: the larger one counts.
    peaks = [d.get("gflops") for d in (load(os.path.join(a.work, f)) for f in ("matmul.json", "matmul.end.json")) if d]
    peaks = [g for g in peaks if g]
    gflops = max(peaks) if peaks else None
    models = {}
    for m in ("L3", "L6"):
        fig = model_figures(a.work, m, gflops)
        if fig is not None:
            models[m] = fig

    res = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": meta.get("nproc") or os.cpu_count(), "cpu": cpu_model(), "host": socket.gethostname()},
        "git_rev": git_rev(a.repo),
        "settings": {k: meta.get(k) for k in ("batches", "reps", "micro_batches", "memory_steps", "models")},
        "matmul_gflops": gflops,
        "matmul_gflops_measured": peaks,
        "models": models,
    }

    m0 = load(os.path.join(a.work, "L3.mem.p0.json"))
    m9 = load(os.path.join(a.work, "L3.mem.p0.9.json"))
    if m0 or m9:
        b0 = (m0 or {}).get("peak_rss_bytes")
        b9 = (m9 or {}).get("peak_rss_bytes")
        res["memory"] = {
            "model": MODEL_NAMES["L3"],
            "steps": meta.get("memory_steps"),
            "peak_rss_bytes": {"p0": b0, "p0.9": b9},
            "mixout_over_plain": ratio(b9, b0),
        }

    sw = load(os.path.join(a.work, "sweep.json"))
    if sw:
        runs = sw.get("runs")
        for j in ("jobs1", "jobs2"):
            if j in sw:
                sw[j]["runs_per_hour"] = ratio(runs * 3600.0, sw[j].get("wall_s"))
        sw["speedup"] = ratio((sw.get("jobs1") or {}).get("wall_s"), (sw.get("jobs2") or {}).get("wall_s"))
        res["sweep"] = sw

    stages = os.path.join(a.work, "stages.tsv")
    if os.path.isfile(stages):
        with open(stages) as f:
            res["stage_wall_s"] = {n: float(t) for n, t in (l.rstrip("\n").split("\t") for l in f if "\t" in l)}
    res["bench_wall_s"] = meta.get("bench_wall_s")

    print(table(res))
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as f:
            json.dump(res, f, indent=1)
            f.write("\n")
        print(f"written: {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
