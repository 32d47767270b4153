//! `mixout bench`: the Rust side of `make bench`. Each subcommand measures one thing and
//! writes a small JSON file; `bench/run.sh` puts them beside the Python reference.
//! Timings interleave the variants on the same batches so their ratio is taken side by side.

use crate::config::{Experiment, Setting};
use crate::plan::plan;
use crate::train::trainer::{build_model, named_shapes, regularisers, seed_everything, Prepared};
use anyhow::{Context, Result};
use clap::Subcommand;
use mixout_data::{batch, Encoded, Label};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{Device, Kind, Tensor};

/// Arguments of `mixout bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub what: BenchCmd,
}

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Write N RTE training batches (batch 32, padded to their longest) as JSON for the Python reference.
    Batches {
        /// Model folder or name under shared/models.
        #[arg(long, default_value = "paraphrase-MiniLM-L3-v2")]
        model: String,
        /// Number of batches.
        #[arg(long, default_value_t = 10)]
        batches: usize,
        /// Output JSON.
        #[arg(long)]
        out: PathBuf,
    },
    /// Time the training step (plain, dropout 0.1, mixout 0.9), interleaved, on a batches file.
    Step {
        /// Model folder or name.
        #[arg(long, default_value = "paraphrase-MiniLM-L3-v2")]
        model: String,
        /// Batches JSON written by `mixout bench batches`.
        #[arg(long)]
        batches_file: PathBuf,
        /// Passes over the batches per variant (after one warm-up pass).
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// Length-sorted micro-batches per batch.
        #[arg(long, default_value_t = 1)]
        micro_batches: usize,
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// fp32 matrix-product peak of this machine.
    Matmul {
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Evaluation throughput on RTE dev.
    Eval {
        /// Model folder or name.
        #[arg(long, default_value = "paraphrase-MiniLM-L3-v2")]
        model: String,
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Peak resident memory of a short training run (run each p in its own process).
    Memory {
        /// Model folder or name.
        #[arg(long, default_value = "paraphrase-MiniLM-L3-v2")]
        model: String,
        /// Mixout probability (0 = off).
        #[arg(long, default_value_t = 0.0)]
        p: f64,
        /// Training steps.
        #[arg(long, default_value_t = 5)]
        steps: usize,
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
}

fn setting(model: &str, extra: &str) -> Result<(Experiment, Setting)> {
    let yaml = format!("name: bench\ntask: RTE\nmodel: {model}\ndevice: cpu\n{extra}");
    let exp = Experiment::parse(Path::new("bench.yaml"), &yaml)?;
    let s = exp.settings[0].clone();
    Ok((exp, s))
}

fn write_json(path: &Option<PathBuf>, v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    if let Some(p) = path {
        std::fs::write(p, serde_json::to_string_pretty(v)?).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

/// The benchmark batches: the first `n` batches of a seed-0 shuffle of RTE train.
fn bench_batches(prep: &Prepared, n: usize) -> Vec<Vec<usize>> {
    let order = batch::epoch_order(prep.train.0.len(), 0, 1);
    batch::batches(&order, 32).into_iter().take(n).collect()
}

/// Forward FLOPs of BERT for `tokens` tokens in sequences of `len` (matmuls only; training ≈ 3×).
fn forward_flops(cfg: &rust_bert::bert::BertConfig, rows: i64, len: i64) -> f64 {
    let (h, i, l) = (cfg.hidden_size as f64, cfg.intermediate_size as f64, cfg.num_hidden_layers as f64);
    let tokens = (rows * len) as f64;
    let linear = 2.0 * tokens * (4.0 * h * h + 2.0 * h * i);
    let attention = 2.0 * 2.0 * rows as f64 * (len * len) as f64 * h;
    l * (linear + attention) + 2.0 * rows as f64 * h * h
}

/// Runs `mixout bench`.
pub fn bench_cmd(a: &BenchArgs) -> Result<()> {
    match &a.what {
        BenchCmd::Batches { model, batches, out } => {
            let (exp, s) = setting(model, "")?;
            let prep = crate::train::prepare(&s, &exp.path)?;
            let list: Vec<serde_json::Value> = bench_batches(&prep, *batches)
                .iter()
                .map(|b| {
                    let items: Vec<&Encoded> = b.iter().map(|&i| &prep.train.1[i]).collect();
                    let p = batch::pad(&items, prep.pad_id);
                    let rows = |v: &[i64]| v.chunks(p.cols).map(|r| r.to_vec()).collect::<Vec<_>>();
                    let labels: Vec<usize> = b.iter().map(|&i| match prep.train.0[i].label { Label::Class(c) => c, Label::Score(_) => 0 }).collect();
                    json!({"input_ids": rows(&p.input_ids), "token_type_ids": rows(&p.token_type_ids), "attention_mask": rows(&p.attention_mask), "labels": labels, "indices": b})
                })
                .collect();
            let v = json!({"model": prep.files.dir, "batch_size": 32, "batches": list});
            std::fs::write(out, serde_json::to_string(&v)?).with_context(|| format!("writing {}", out.display()))?;
            eprintln!("wrote {} batches to {}", batches, out.display());
            Ok(())
        }
        BenchCmd::Step { model, batches_file, reps, micro_batches, json } => step_bench(model, batches_file, *reps, *micro_batches, json),
        BenchCmd::Matmul { json } => {
            let n = 2048i64;
            let a = Tensor::randn([n, n], (Kind::Float, Device::Cpu));
            let b = Tensor::randn([n, n], (Kind::Float, Device::Cpu));
            let _ = a.matmul(&b);
            let mut best = f64::INFINITY;
            for _ in 0..5 {
                let t = Instant::now();
                let c = a.matmul(&b);
                let _ = c.double_value(&[0, 0]);
                best = best.min(t.elapsed().as_secs_f64());
            }
            let gflops = 2.0 * (n * n * n) as f64 / best / 1e9;
            write_json(json, &json!({"gflops": gflops, "n": n, "threads": tch::get_num_threads()}))
        }
        BenchCmd::Eval { model, json } => {
            let (exp, s) = setting(model, "")?;
            let prep = crate::train::prepare(&s, &exp.path)?;
            seed_everything(0);
            let (_vs, m) = build_model(&s, &prep, Device::Cpu)?;
            let _ = crate::train::evaluate(&m, &prep, 128, Device::Cpu)?;
            let t = Instant::now();
            let reps = 3;
            for _ in 0..reps {
                let _ = crate::train::evaluate(&m, &prep, 128, Device::Cpu)?;
            }
            let secs = t.elapsed().as_secs_f64() / reps as f64;
            write_json(json, &json!({"examples_per_s": prep.dev.0.len() as f64 / secs, "examples": prep.dev.0.len()}))
        }
        BenchCmd::Memory { model, p, steps, json } => {
            let (exp, s) = setting(model, &format!("mixout: {{p: {p}}}\ndropout: 0.0\n"))?;
            let prep = crate::train::prepare(&s, &exp.path)?;
            let before = peak_rss();
            let mut runner = StepRunner::new(&s, &prep)?;
            for b in bench_batches(&prep, *steps) {
                runner.step(&prep, &b, 1)?;
            }
            write_json(json, &json!({"peak_rss_bytes": peak_rss(), "rss_before_model_bytes": before, "p": p, "extra_mixout_bytes": runner.mixout.extra_bytes()}))
        }
    }
}

/// Peak resident set size of this process (Linux `VmHWM`), bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok()))
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

/// Seconds spent in each phase of the training step, summed over steps.
#[derive(Debug, Default, Clone, serde::Serialize)]
struct Profile {
    mix: f64,
    forward_backward: f64,
    unmix: f64,
    clip: f64,
    adam: f64,
    zero_grad: f64,
}

/// A model with its regularisers, stepping on given batches exactly as the trainer does.
struct StepRunner {
    model: crate::model::SequenceClassifier,
    mixout: crate::mixout::Mixout,
    adam: crate::train::optim::Adam,
    _vs: tch::nn::VarStore,
}

impl StepRunner {
    fn new(s: &Setting, prep: &Prepared) -> Result<Self> {
        seed_everything(0);
        let (vs, model) = build_model(s, prep, Device::Cpu)?;
        let plans = plan(&named_shapes(&vs), s)?;
        let (mixout, adam) = regularisers(&vs, s, &plans)?;
        Ok(StepRunner { model, mixout, adam, _vs: vs })
    }

    fn step(&mut self, prep: &Prepared, b: &[usize], k: usize) -> Result<()> {
        self.step_profiled(prep, b, k, &mut Profile::default())
    }

    /// One step, adding the seconds of each phase to `prof`.
    fn step_profiled(&mut self, prep: &Prepared, b: &[usize], k: usize, prof: &mut Profile) -> Result<()> {
        let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
        let mut t = Instant::now();
        let mut lap = |slot: &mut f64| {
            *slot += t.elapsed().as_secs_f64();
            t = Instant::now();
        };
        self.mixout.mix()?;
        lap(&mut prof.mix);
        // Forward and backward together: the same code the trainer runs.
        let _ = crate::train::trainer::accumulate_gradients(&self.model, prep, b, &lengths, k, Device::Cpu)?;
        lap(&mut prof.forward_backward);
        self.mixout.unmix()?;
        lap(&mut prof.unmix);
        let _ = self.adam.clip_grad_norm(1.0)?;
        lap(&mut prof.clip);
        self.adam.step(2e-5)?;
        lap(&mut prof.adam);
        self.adam.zero_grad();
        lap(&mut prof.zero_grad);
        Ok(())
    }
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

fn step_bench(model: &str, batches_file: &Path, reps: usize, k: usize, json: &Option<PathBuf>) -> Result<()> {
    let text = std::fs::read_to_string(batches_file).with_context(|| format!("reading {}", batches_file.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", batches_file.display()))?;
    let batches: Vec<Vec<usize>> = v["batches"]
        .as_array()
        .context("batches file has no `batches` list")?
        .iter()
        .map(|b| b["indices"].as_array().map(|a| a.iter().filter_map(|x| x.as_u64().map(|x| x as usize)).collect()).unwrap_or_default())
        .collect();
    let variants = [("plain", "dropout: 0.0\n"), ("dropout", "dropout: 0.1\n"), ("mixout", "dropout: 0.0\nmixout: {p: 0.9}\n")];
    let mut runners = vec![];
    let mut prep_keep = None;
    for (name, extra) in variants {
        let (exp, s) = setting(model, extra)?;
        let prep = crate::train::prepare(&s, &exp.path)?;
        runners.push((name, StepRunner::new(&s, &prep)?, vec![], Profile::default()));
        prep_keep = Some(prep);
    }
    let prep = prep_keep.context("no variant")?;
    let cfg = crate::model::read_config(&prep.files, &prep.task.labels)?;
    let mut flops = 0.0;
    for b in &batches {
        let cols = b.iter().map(|&i| prep.train.1[i].input_ids.len()).max().unwrap_or(0) as i64;
        flops += 3.0 * forward_flops(&cfg, b.len() as i64, cols);
    }
    let flops_per_step = flops / batches.len().max(1) as f64;
    // One untimed warm-up pass each, then interleave variants batch by batch.
    for rep in 0..=reps {
        for b in &batches {
            for (_, r, times, prof) in runners.iter_mut() {
                let t = Instant::now();
                let mut p = Profile::default();
                r.step_profiled(&prep, b, k, &mut p)?;
                if rep > 0 {
                    times.push(t.elapsed().as_secs_f64());
                    for (acc, x) in [(&mut prof.mix, p.mix), (&mut prof.forward_backward, p.forward_backward), (&mut prof.unmix, p.unmix), (&mut prof.clip, p.clip), (&mut prof.adam, p.adam), (&mut prof.zero_grad, p.zero_grad)] {
                        *acc += x;
                    }
                }
            }
        }
    }
    let mut out = serde_json::Map::new();
    for (name, _, mut times, prof) in runners {
        times.sort_by(|a, b| a.total_cmp(b));
        let n = times.len().max(1) as f64;
        let per_step: serde_json::Value = serde_json::to_value(&prof).map(|v| {
            v.as_object().map(|o| o.iter().map(|(k, x)| (k.clone(), json!(x.as_f64().unwrap_or(0.0) / n))).collect::<serde_json::Map<_, _>>().into()).unwrap_or_default()
        })?;
        out.insert(name.into(), json!({"median_s": quantile(&times, 0.5), "p10_s": quantile(&times, 0.1), "p90_s": quantile(&times, 0.9), "steps": times.len(), "profile_mean_s": per_step}));
    }
    write_json(json, &json!({"variants": out, "flops_per_step": flops_per_step, "micro_batches": k, "threads": tch::get_num_threads(), "batches": batches.len(), "reps": reps}))
}
