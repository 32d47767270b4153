#!/usr/bin/env python3
"""Collects the intermediate JSONs of bench/run.sh into one table and one JSON file.

Reads from --work (names as written by run.sh; any missing file leaves its figures out):
  matmul.json, matmul.end.json {"gflops"} at the start and the end (the larger counts)
  <M>.ours.<E>.k<K>.json       `mixout bench step --encoder E --micro-batches K` (E: unpadded, padded)
  <M>.ref.json                 bench/reference_step.py (same layout, plus times_s)
  <M>.eval.<E>.json            {"examples_per_s"} with encoder E
  L3.mem.p0.json, L3.mem.p0.9.json   {"peak_rss_bytes"}
  sweep.json                   {"runs", "jobs1": {"wall_s"}, "jobs2": {"wall_s"}}
  export_check.json            scripts/check_export.py {"max_abs_logit_diff", "ok", ...}
  cuda.matmul.<P>.json         `mixout bench matmul --device cuda --precision P`
  cuda.<M>.<P>.ours.<E>.json   `mixout bench step --device cuda --precision P --encoder E` (plain, mixout)
  cuda.<M>.<P>.ref.json        bench/reference_step.py --device cuda --precision P
  cuda.sweep.json              {"runs", "device", "jobs1", "jobs2", "jobs4": {"wall_s"}}
  meta.json, stages.tsv        settings (incl. the CUDA section's) and wall time per stage
Writes --out (bench/results/latest.json) and prints the CPU table, then the CUDA one.
Standard library only.

FLOPs: `flops_per_step` of a step file counts 3x the forward matmul FLOPs of the
micro-batches that step actually computed (each padded to its own longest example; the
unpadded encoder computes projections and FFN on real tokens and attention per length
bucket), so "% of peak, as computed" is a true fraction of the machine's rate for every
column; the reference runs whole padded batches, i.e. `flops_per_step_k1`. The "real-token"
share divides the same work for every column, every example at its own length
(`flops_per_step_unpadded`), by the time: useful work per second.
"""

import argparse
import datetime as dt
import json
import os
import re
import socket
import sys

VARIANTS = ("plain", "dropout", "mixout")
CUDA_VARIANTS = ("plain", "mixout")
PRECISIONS = ("fp32", "tf32", "bf16")
MODEL_KEYS = ("L3", "L6", "large")
ENCODERS = ("unpadded", "padded")
MODEL_NAMES = {
    "L3": "paraphrase-MiniLM-L3-v2",
    "L6": "all-MiniLM-L6-v2",
    "large": "BERT-large shape, random weights",
}


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


def med(d, v):
    return (((d or {}).get("variants") or {}).get(v) or {}).get("median_s")


def k1_flops(ours):
    """FLOPs of one whole padded batch (what k = 1 and the reference compute)."""
    for d in ours.values():
        if d and d.get("flops_per_step_k1") is not None:
            return d["flops_per_step_k1"]
    return (ours.get("k1") or {}).get("flops_per_step")


def our_versions(*files):
    for d in files:
        if d and d.get("libtorch"):
            return {k: d.get(k) for k in ("libtorch", "tch")}
    return None


def ref_versions(*files):
    for d in files:
        if d and d.get("torch"):
            return {k: d.get(k) for k in ("torch", "transformers", "python", "cuda")}
    return None


def config_key(key):
    """Sort key of a column name such as `unpadded k1`: unpadded first, then by k."""
    enc, k = key.split(" k")
    return (ENCODERS.index(enc) if enc in ENCODERS else len(ENCODERS), int(k))


def model_figures(work, m, gflops):
    k_files = sorted(
        (config_key(f"{mm.group(1)} k{mm.group(2)}"), f"{mm.group(1)} k{mm.group(2)}", f)
        for f in os.listdir(work)
        if (mm := re.fullmatch(re.escape(m) + r"\.ours\.(\w+)\.k(\d+)\.json", f))
    )
    ours = {key: load(os.path.join(work, f)) for _, key, f in k_files}
    ref = load(os.path.join(work, f"{m}.ref.json"))
    evals = {e: load(os.path.join(work, f"{m}.eval.{e}.json")) for e in ENCODERS}
    ev = {e: d.get("examples_per_s") for e, d in evals.items() if d}
    batches = load(os.path.join(work, f"{m}.batches.json"))
    if not ours and ref is None and not ev:
        return None
    peak = gflops * 1e9 if gflops else None
    # The reference computes whole padded batches: our k = 1 count.
    flops_k1 = k1_flops(ours)
    any_ours = next((d for d in ours.values() if d), {})
    fig = {
        "model": MODEL_NAMES.get(m, m),
        "batches": len(batches["batches"]) if batches else (ref or {}).get("batches"),
        "flops_per_step": {k: d.get("flops_per_step") for k, d in ours.items()},
        "flops_per_step_reference": flops_k1,
        "flops_per_step_unpadded": any_ours.get("flops_per_step_unpadded"),
        "tokens_per_step": {
            "real": (any_ours.get("tokens_per_step") or {}).get("real"),
            "padded_k1": (any_ours.get("tokens_per_step") or {}).get("padded_k1"),
            **{f"computed_{k}": (d.get("tokens_per_step") or {}).get("computed") for k, d in ours.items()},
        },
        "ours": {k: step_summary(d) for k, d in ours.items()},
        "reference": step_summary(ref),
        "reference_info": {k: ref.get(k) for k in ("torch", "transformers", "threads", "attn_implementation", "mixed_weights")}
        if ref
        else None,
        "ours_over_reference": {},
        "mixout_overhead": {},
        "dropout_overhead": {},
        "flops_fraction_of_peak": {},
        "real_token_fraction_of_peak": {},
        "eval_examples_per_s": ev or None,
        "versions": {"ours": our_versions(*ours.values()), "reference": ref_versions(ref)},
    }

    real = fig["flops_per_step_unpadded"]
    for k, d in ours.items():
        fig["ours_over_reference"][k] = {v: ratio(med(d, v), med(ref, v)) for v in VARIANTS} if ref else None
        fig["mixout_overhead"][k] = ratio(med(d, "mixout"), med(d, "plain"))
        fig["dropout_overhead"][k] = ratio(med(d, "dropout"), med(d, "plain"))
        f = d.get("flops_per_step")
        fig["flops_fraction_of_peak"][k] = {v: ratio(ratio(f, med(d, v)), peak) for v in VARIANTS}
        fig["real_token_fraction_of_peak"][k] = {v: ratio(ratio(real, med(d, v)), peak) for v in VARIANTS}
    if ref:
        fig["mixout_overhead"]["reference"] = ratio(med(ref, "mixout"), med(ref, "plain"))
        fig["dropout_overhead"]["reference"] = ratio(med(ref, "dropout"), med(ref, "plain"))
        fig["flops_fraction_of_peak"]["reference"] = {v: ratio(ratio(flops_k1, med(ref, v)), peak) for v in VARIANTS}
        fig["real_token_fraction_of_peak"]["reference"] = {v: ratio(ratio(real, med(ref, v)), peak) for v in VARIANTS}
    return fig


def cuda_figures(work, meta):
    """The CUDA section: peaks per precision; per model and precision ours vs reference."""
    cm = meta.get("cuda") or {}
    matmul = {p: load(os.path.join(work, f"cuda.matmul.{p}.json")) for p in PRECISIONS}
    matmul = {p: d for p, d in matmul.items() if d}
    if not cm.get("ran") and not matmul:
        return {"ran": False, "skipped": cm.get("skipped") or "not run"}
    peaks = {p: d.get("tflops") or (d.get("gflops") or 0) / 1e3 for p, d in matmul.items()}
    any_mm = next(iter(matmul.values()), {})
    out = {
        "ran": True,
        "device": cm.get("device") or any_mm.get("device"),
        "gpu": any_mm.get("gpu"),
        "settings": {k: cm.get(k) for k in ("batches", "reps", "models", "precisions", "jobs")},
        "matmul_tflops": peaks,
        "models": {},
    }
    all_ours, all_ref = [], []
    for m in MODEL_KEYS:
        per = {}
        info = None
        for p in PRECISIONS:
            sides = {e: load(os.path.join(work, f"cuda.{m}.{p}.ours.{e}.json")) for e in ENCODERS}
            ref = load(os.path.join(work, f"cuda.{m}.{p}.ref.json"))
            sides = {e: d for e, d in sides.items() if d}
            if not sides and ref is None:
                continue
            all_ours.extend(sides.values())
            all_ref.append(ref)
            any_ours = next(iter(sides.values()), {})
            if sides and info is None:
                info = {
                    "model": MODEL_NAMES.get(m, m),
                    "flops_per_step_unpadded": any_ours.get("flops_per_step_unpadded"),
                    "flops_per_step_k1": any_ours.get("flops_per_step_k1"),
                    "tokens_per_step": any_ours.get("tokens_per_step"),
                    "batches": any_ours.get("batches"),
                    "micro_batches": any_ours.get("micro_batches"),
                }
            if ref:
                sides["reference"] = ref
            peak = peaks.get(p)
            real = any_ours.get("flops_per_step_unpadded")
            # The reference computes the whole padded batch: our padded count.
            computed = {e: (d.get("flops_per_step") if e != "reference" else any_ours.get("flops_per_step_k1"))
                        for e, d in sides.items()}
            tflops = {e: {v: ratio(ratio(computed[e], med(d, v)), 1e12) for v in CUDA_VARIANTS} for e, d in sides.items()}
            per[p] = {
                "steps": {e: step_summary(d) for e, d in sides.items()},
                "over_reference": {e: {v: ratio(med(d, v), med(ref, v)) for v in CUDA_VARIANTS}
                                   for e, d in sides.items() if e != "reference"},
                "mixout_overhead": {e: ratio(med(d, "mixout"), med(d, "plain")) for e, d in sides.items()},
                "achieved_tflops": tflops,
                "fraction_of_peak": {e: {v: ratio(x, peak) for v, x in t.items()} for e, t in tflops.items()},
                "real_token_fraction_of_peak": {
                    e: {v: ratio(ratio(ratio(real, med(d, v)), 1e12), peak) for v in CUDA_VARIANTS}
                    for e, d in sides.items()
                },
                "profile_mean_s": {e: {v: st.get("profile_mean_s") for v, st in (d.get("variants") or {}).items()}
                                   for e, d in sides.items() if e != "reference"},
                "reference_info": {k: ref.get(k) for k in ("attn_implementation", "allow_tf32", "mixed_weights")}
                if ref
                else None,
            }
        if per:
            out["models"][m] = {**(info or {"model": MODEL_NAMES.get(m, m)}), "precisions": per}
    sw = load(os.path.join(work, "cuda.sweep.json"))
    if sw:
        out["sweep"] = sweep_figures(sw)
    out["versions"] = {"ours": our_versions(*all_ours, *matmul.values()), "reference": ref_versions(*all_ref)}
    return out


def sweep_figures(sw):
    """Adds runs/hour and the ratio to --jobs 1 to every jobsN entry of a sweep file."""
    runs = sw.get("runs")
    j1 = (sw.get("jobs1") or {}).get("wall_s")
    for j, d in sw.items():
        if re.fullmatch(r"jobs\d+", j) and isinstance(d, dict):
            d["runs_per_hour"] = ratio(runs * 3600.0, d.get("wall_s")) if runs else None
            d["ratio_to_jobs1"] = ratio(j1, d.get("wall_s"))
    return sw


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
    if s.get("cpu_section") is False:
        w("CPU section not run (BENCH_CPU=0)")
    else:
        w(
            f"batches {s.get('batches')} x reps {s.get('reps')} per variant, batch 32, max_seq_len 128, "
            f"padded to each batch's longest; times are medians (p10-p90) in seconds per step"
        )
        w(f"fp32 matmul peak: {fmt(res.get('matmul_gflops'), '.1f')} GFLOP/s")
    w("")
    for m, fig in res["models"].items():
        if fig is None:
            continue
        ks = sorted(fig["ours"], key=config_key)
        cols = [f"ours {k}" for k in ks] + (["reference"] if fig["reference"] else [])
        w(f"{m} ({fig['model']}) training step")
        head = f"  {'variant':8s}" + "".join(f" {c:>22s}" for c in cols)
        head += "".join(f" {(k + '/ref'):>15s}" for k in ks if fig["reference"])
        w(head)
        for v in VARIANTS:
            row = f"  {v:8s}"
            for k in ks:
                row += " " + cell((fig["ours"][k] or {}).get(v))
            if fig["reference"]:
                row += " " + cell(fig["reference"].get(v))
                for k in ks:
                    row += f" {fmt((fig['ours_over_reference'].get(k) or {}).get(v), '.2f') + 'x':>15s}"
            w(row)
        for name in ("mixout", "dropout"):
            over = fig[f"{name}_overhead"]
            w(f"  {name} overhead ({name}/plain): " + ", ".join(f"{k} {fmt(x, '.2f')}x" for k, x in over.items()))
        fl = fig["flops_per_step"]
        for title, key, counted in (
            ("as computed", "flops_fraction_of_peak",
             ", ".join(f"{k} {fmt(fl.get(k), '.3g')}" for k in ks)
             + (f", reference {fmt(fig.get('flops_per_step_reference'), '.3g')}" if fig["reference"] else "")),
            ("real-token", "real_token_fraction_of_peak",
             f"every column {fmt(fig.get('flops_per_step_unpadded'), '.3g')}: the whole encoder on each example at its own "
             "length; the unpadded encoder's last layer computes only [CLS] rows, so it does less"),
        ):
            fr = fig[key]
            w(f"  share of the fp32 matmul peak, FLOPs {title} ({counted} per step):")
            for v in VARIANTS:
                w(f"    {v:8s}" + "  ".join(f" {c} {pct((fr.get(c) or {}).get(v)):>6s}" for c in fr))
        tk = fig.get("tokens_per_step") or {}
        if tk.get("real"):
            comp = ", ".join(f"{k} {fmt(tk.get('computed_' + k), '.0f')}" for k in ks)
            w(
                f"  tokens per step: real {tk['real']:.0f}; computed by projections and FFN: {comp} "
                f"(whole batch padded {fmt(tk.get('padded_k1'), '.0f')}, x{fmt(ratio(tk.get('padded_k1'), tk['real']), '.2f')} the real)"
            )
        ev = fig.get("eval_examples_per_s") or {}
        w("  eval throughput (RTE dev, length-sorted batches of 128): "
          + (", ".join(f"{e} {fmt(x, '.1f')}" for e, x in ev.items()) or "n/a") + " examples/s")
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
    ex = res.get("export_check")
    if ex:
        w(
            f"export check ({'OK' if ex.get('ok') else 'FAILED'}): transformers {ex.get('transformers')} loads the exported "
            f"folder; max |logit ours - transformers| {fmt(ex.get('max_abs_logit_diff'), '.2e')} over "
            f"{ex.get('examples')} RTE dev examples (tolerance {ex.get('tol')})"
        )
    vs = res.get("versions") or {}
    if vs.get("ours") or vs.get("reference"):
        w(f"versions: ours {version_text(vs.get('ours'))}; reference {version_text(vs.get('reference'))}")
    if L[-1] != "":
        w("")
    cuda_table(res.get("cuda") or {}, w)
    for warn in warnings(res):
        w("warning: " + warn)
    if res.get("bench_wall_s") is not None:
        w(f"bench wall time: {res['bench_wall_s']:.0f} s")
    return "\n".join(L)


def version_text(v):
    if not v:
        return "n/a"
    return ", ".join(f"{k} {x}" for k, x in v.items() if x)


def ms(s):
    return "n/a" if not s or s.get("median_s") is None else f"{1e3 * s['median_s']:.1f}"


def cuda_table(c, w):
    if not c.get("ran"):
        w(f"CUDA: not measured: {c.get('skipped') or 'section not run'}")
        return
    st = c.get("settings") or {}
    w(f"CUDA: {c.get('gpu') or 'GPU'} ({c.get('device')}); versions: ours {version_text((c.get('versions') or {}).get('ours'))}; "
      f"reference {version_text((c.get('versions') or {}).get('reference'))}")
    pk = c.get("matmul_tflops") or {}
    w("matmul peak: " + ", ".join(f"{p} {fmt(x, '.1f')} TFLOP/s" for p, x in pk.items()))
    w(
        f"batches {st.get('batches')} x reps {st.get('reps')} per variant, batch 32, one micro-batch; step medians in ms; "
        f"TFLOP/s = FLOPs as computed / median (% of that precision's peak); real-token = every example at its own length"
    )
    cols = [
        ("plain ms", 9), ("mixout ms", 10), ("/ref plain", 10), ("/ref mixout", 11), ("mixout cost", 11),
        ("TFLOP/s plain (% peak)", 22), ("real-token % peak", 17),
    ]
    w(f"  {'model':6s} {'prec':5s} {'side':9s}" + "".join(f" {n:>{wd}s}" for n, wd in cols))
    times = lambda x: "n/a" if x is None else f"{x:.2f}x"  # noqa: E731
    cost = lambda x: "n/a" if x is None else f"{100 * (x - 1):+.0f}%"  # noqa: E731
    for m, fig in (c.get("models") or {}).items():
        for p, f in fig["precisions"].items():
            for side, st in f["steps"].items():
                st = st or {}
                oo = (f["over_reference"].get(side) or {})
                t = (f["achieved_tflops"].get(side) or {}).get("plain")
                fp = (f["fraction_of_peak"].get(side) or {}).get("plain")
                rt = (f["real_token_fraction_of_peak"].get(side) or {}).get("plain")
                cells = [
                    ms(st.get("plain")), ms(st.get("mixout")),
                    times(oo.get("plain")) if side != "reference" else "", times(oo.get("mixout")) if side != "reference" else "",
                    cost(f["mixout_overhead"].get(side)),
                    "n/a" if t is None else f"{t:.3g} ({pct(fp)})", pct(rt),
                ]
                w(f"  {m:6s} {p:5s} {side:9s}" + "".join(f" {x:>{wd}s}" for x, (_, wd) in zip(cells, cols)))
    sw = c.get("sweep")
    if sw:
        parts = []
        for j in sorted((k for k in sw if re.fullmatch(r"jobs\d+", k)), key=lambda k: int(k[4:])):
            d = sw[j]
            parts.append(
                f"--jobs {j[4:]} {fmt(d.get('runs_per_hour'), '.0f')} runs/h ({fmt(d.get('wall_s'), '.1f')} s, "
                f"x{fmt(d.get('ratio_to_jobs1'), '.2f')})"
            )
        w(f"sweep on {sw.get('device')} ({sw.get('runs')} short runs of bench/sweep.yaml): " + ", ".join(parts))


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
        # FLOPs are counted as computed (micro-batches included), so no column may pass 1.
        for c, fr in fig["flops_fraction_of_peak"].items():
            if any(x is not None and x > 1.0 for x in (fr or {}).values()):
                over.append(f"{m} {c}")
    for m, fig in ((res.get("cuda") or {}).get("models") or {}).items():
        for p, f in fig["precisions"].items():
            for side, steps in f["steps"].items():
                for v, st in (steps or {}).items():
                    if st.get("median_s") and st.get("p90_s", 0) > 1.3 * st["median_s"]:
                        noisy.append(f"cuda {m} {p} {side} {v}")
                if any(x is not None and x > 1.0 for x in ((f.get("fraction_of_peak") or {}).get(side) or {}).values()):
                    over.append(f"cuda {m} {p} {side}")
    if noisy:
        out.append("p90 more than 1.3x the median (another process got in the way?): " + ", ".join(noisy))
    if over:
        out.append(
            "achieved FLOP/s above the matmul peak (peak measured while the machine was busy?): " + ", ".join(over)
        )
    ex = res.get("export_check")
    if ex and not ex.get("ok"):
        out.append(f"export check FAILED: max |dlogit| {ex.get('max_abs_logit_diff')} >= {ex.get('tol')}")
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
    for m in MODEL_KEYS:
        fig = model_figures(a.work, m, gflops)
        if fig is not None:
            models[m] = fig

    res = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"nproc": meta.get("nproc") or os.cpu_count(), "cpu": cpu_model(), "host": socket.gethostname()},
        "git_rev": git_rev(a.repo),
        "settings": {k: meta.get(k) for k in ("batches", "reps", "ours", "memory_steps", "models", "cpu_section")},
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
        sw = sweep_figures(sw)
        sw["speedup"] = ratio((sw.get("jobs1") or {}).get("wall_s"), (sw.get("jobs2") or {}).get("wall_s"))
        res["sweep"] = sw

    ex = load(os.path.join(a.work, "export_check.json"))
    if ex:
        res["export_check"] = ex

    # Versions of both sides of the CPU comparison (the CUDA block has its own), and of
    # the python run.sh chose.
    res["versions"] = {
        "ours": next((f["versions"]["ours"] for f in models.values() if f["versions"]["ours"]), None),
        "reference": next((f["versions"]["reference"] for f in models.values() if f["versions"]["reference"]), None),
        "python": meta.get("python"),
        "python_packages": meta.get("python_versions"),
    }
    res["cuda"] = cuda_figures(a.work, meta)

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
