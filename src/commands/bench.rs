//! `mixout bench`: the Rust side of `make bench`. Each subcommand measures one thing and
//! writes a small JSON file; `bench/run.sh` puts them beside the Python reference.
//! Timings interleave the variants on the same batches so their ratio is taken side by side.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use mixout::device::DeviceSpec;
use mixout::model::{
    load_pretrained, read_config, save_model, write_safetensors_pt, DropoutSpec, EncoderImpl, ModelFiles,
    SequenceClassifier,
};
use mixout::study::{Overrides, Study, StudySetting};
use mixout::train::assemble::{apply_precision, build_model, seed_everything, Finetuner};
use mixout::train::{prepare, Phase, Prepared, StepOptions as TrainStep};
use mixout_data::{batch, Encoded, Label};
use mixout_spec::{Experiment, Precision, Setting};
use serde_json::json;
use std::collections::HashMap;
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

/// The step's variants, in the order they are interleaved.
const VARIANTS: [(&str, &str); 3] =
    [("plain", "dropout: 0.0\n"), ("dropout", "dropout: 0.1\n"), ("mixout", "dropout: 0.0\nmixout: {p: 0.9}\n")];

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Write N RTE training batches (batch 32, padded to their longest) as JSON for the Python reference.
    Batches {
        /// Model folder, name under shared/models, or L3 / L6.
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
        /// Model folder, name under shared/models, or L3 / L6.
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
        /// Comma-separated subset of plain,dropout,mixout.
        #[arg(long, default_value = "plain,dropout,mixout")]
        variants: String,
        /// cpu, cuda or cuda:N.
        #[arg(long, default_value = "cpu", value_parser = parse_device)]
        device: DeviceSpec,
        /// fp32, tf32 (TF32 matmuls, CUDA only) or bf16 (mixed precision).
        #[arg(long, default_value = "fp32", value_parser = parse_precision)]
        precision: Precision,
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Matrix-product peak of this machine (fp32 by default; on CUDA also tf32 and bf16).
    Matmul {
        /// cpu, cuda or cuda:N.
        #[arg(long, default_value = "cpu", value_parser = parse_device)]
        device: DeviceSpec,
        /// fp32, tf32 (CUDA only) or bf16.
        #[arg(long, default_value = "fp32", value_parser = parse_precision)]
        precision: Precision,
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Evaluation throughput on RTE dev.
    Eval {
        /// Model folder, name under shared/models, or L3 / L6.
        #[arg(long, default_value = "paraphrase-MiniLM-L3-v2")]
        model: String,
        /// Output JSON.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Peak resident memory of a short training run (run each p in its own process).
    Memory {
        /// Model folder, name under shared/models, or L3 / L6.
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
    /// Write a BERT-shaped model folder with random weights (no download), to time big shapes.
    MakeModel {
        /// Architecture: large (24 layers, hidden 1024) or base (12 layers, hidden 768).
        #[arg(long, value_enum, default_value_t = Shape::Large)]
        shape: Shape,
        /// Model folder whose vocab.txt (and tokenizer_config.json) the new model uses.
        #[arg(long)]
        vocab_from: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Seed of the weights.
        #[arg(long, default_value_t = 0)]
        seed: i64,
    },
    /// Write a model folder as a finetuned run would (seeded head, no training), for checking
    /// that exported folders load in transformers (`scripts/check_export.py`).
    Export {
        /// Model folder, name under shared/models, or L3 / L6.
        #[arg(long, default_value = "paraphrase-MiniLM-L3-v2")]
        model: String,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Seed of the new head (and of the pooler where the checkpoint has none).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

/// Shapes `mixout bench make-model` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Shape {
    /// bert-large: hidden 1024, 24 layers, 16 heads, FFN 4096.
    Large,
    /// bert-base: hidden 768, 12 layers, 12 heads, FFN 3072.
    Base,
}

impl Shape {
    /// (hidden, layers, heads, intermediate).
    fn dims(self) -> (i64, i64, i64, i64) {
        match self {
            Shape::Large => (1024, 24, 16, 4096),
            Shape::Base => (768, 12, 12, 3072),
        }
    }
}

fn parse_device(s: &str) -> std::result::Result<DeviceSpec, String> {
    s.parse::<DeviceSpec>().map_err(|e| e.to_string())
}

fn parse_precision(s: &str) -> std::result::Result<Precision, String> {
    [Precision::Fp32, Precision::Tf32, Precision::Bf16]
        .into_iter()
        .find(|p| p.name() == s.trim())
        .ok_or_else(|| format!("`{s}`: expected fp32, tf32 or bf16"))
}

/// `L3` and `L6` stand for the two shared models, as in `bench/run.sh`.
fn model_alias(model: &str) -> &str {
    match model {
        "L3" => "paraphrase-MiniLM-L3-v2",
        "L6" => "all-MiniLM-L6-v2",
        other => other,
    }
}

/// A one-setting study on RTE, resolved as `mixout run` resolves one.
fn setting(model: &str, extra: &str, device: DeviceSpec, precision: Precision) -> Result<(Study, Setting)> {
    // Single-quoted YAML scalar: a folder path may hold `:` or `#`.
    let model = model_alias(model).replace('\'', "''");
    let yaml =
        format!("name: bench\ntask: RTE\nmodel: '{model}'\ndevice: {device}\nprecision: {}\n{extra}", precision.name());
    let exp = Experiment::parse(Path::new("bench.yaml"), &yaml)?;
    let s = exp.settings[0].clone();
    Ok((Study::resolve(exp, &Overrides { jobs: 1, ..Default::default() }), s))
}

fn cpu_setting(model: &str, extra: &str) -> Result<(Study, Setting)> {
    setting(model, extra, DeviceSpec::Cpu, Precision::Fp32)
}

/// The one resolved setting of a bench study.
fn only(study: &Study) -> &StudySetting {
    &study.settings[0]
}

fn write_json(path: &Option<PathBuf>, v: &serde_json::Value) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    if let Some(p) = path {
        std::fs::write(p, serde_json::to_string_pretty(v)?).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

/// Waits for the device's queued work. CUDA kernels run asynchronously: a timer read
/// without this would measure the launches, not the computation.
fn sync(device: Device) {
    if let Device::Cuda(i) = device {
        tch::Cuda::synchronize(i as i64);
    }
}

/// Versions and device of this side of a comparison, recorded in every timing file.
fn provenance(device: Device, precision: Precision) -> serde_json::Value {
    let gpu = match device {
        Device::Cuda(i) => mixout::device::nvidia_driver().ok().and_then(|d| d.gpus.get(i).map(|g| g.name.clone())),
        _ => None,
    };
    json!({
        "device": mixout::device::device_name(device),
        "precision": precision.name(),
        "gpu": gpu,
        "libtorch": mixout::doctor::libtorch().version,
        "tch": mixout::doctor::TCH_VERSION,
    })
}

/// Adds the fields of `extra` (an object) to `v` (an object).
fn merged(mut v: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
    if let (Some(o), serde_json::Value::Object(e)) = (v.as_object_mut(), extra) {
        o.extend(e);
    }
    v
}

/// The benchmark batches: the first `n` batches of a seed-0 shuffle of RTE train.
fn bench_batches(prep: &Prepared, n: usize) -> Vec<Vec<usize>> {
    let order = batch::epoch_order(prep.train.0.len(), 0, 1);
    batch::batches(&order, 32).into_iter().take(n).collect()
}

/// Forward FLOPs of BERT on `rows` sequences padded to `len` (matmuls only; training ≈ 3×).
fn forward_flops(cfg: &rust_bert::bert::BertConfig, rows: i64, len: i64) -> f64 {
    let (h, i, l) = (cfg.hidden_size as f64, cfg.intermediate_size as f64, cfg.num_hidden_layers as f64);
    let tokens = (rows * len) as f64;
    let linear = 2.0 * tokens * (4.0 * h * h + 2.0 * h * i);
    let attention = 2.0 * 2.0 * rows as f64 * (len * len) as f64 * h;
    l * (linear + attention) + 2.0 * rows as f64 * h * h
}

/// What one training step computes on a batches file, averaged over its batches.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
struct StepWork {
    /// Training FLOPs (3× forward) of the micro-batches as the trainer runs them, each
    /// padded to its own longest example: the work the step actually does.
    flops: f64,
    /// The same with the whole batch padded to its longest (k = 1; what the reference runs).
    flops_k1: f64,
    /// FLOPs if every example were computed at its own length (no padding at all).
    flops_unpadded: f64,
    /// Non-padding tokens.
    real_tokens: f64,
    /// Tokens computed, padding included, with the step's micro-batches.
    computed_tokens: f64,
    /// Tokens computed with the whole batch padded to its longest.
    padded_tokens_k1: f64,
}

/// Counts [`StepWork`] for `k` micro-batches split as [`batch::micro_batches`] splits them.
fn step_work(cfg: &rust_bert::bert::BertConfig, batches: &[Vec<usize>], lengths: &[usize], k: usize) -> StepWork {
    let mut w = StepWork::default();
    let longest = |ids: &[usize]| ids.iter().map(|&i| lengths[i]).max().unwrap_or(0);
    for b in batches {
        for micro in batch::micro_batches(b, lengths, k) {
            let cols = longest(&micro);
            w.flops += 3.0 * forward_flops(cfg, micro.len() as i64, cols as i64);
            w.computed_tokens += (micro.len() * cols) as f64;
        }
        let cols = longest(b);
        w.flops_k1 += 3.0 * forward_flops(cfg, b.len() as i64, cols as i64);
        w.padded_tokens_k1 += (b.len() * cols) as f64;
        for &i in b {
            w.flops_unpadded += 3.0 * forward_flops(cfg, 1, lengths[i] as i64);
            w.real_tokens += lengths[i] as f64;
        }
    }
    let n = batches.len().max(1) as f64;
    for x in [
        &mut w.flops,
        &mut w.flops_k1,
        &mut w.flops_unpadded,
        &mut w.real_tokens,
        &mut w.computed_tokens,
        &mut w.padded_tokens_k1,
    ] {
        *x /= n;
    }
    w
}

/// Runs `mixout bench`.
pub fn bench_cmd(a: &BenchArgs) -> Result<()> {
    match &a.what {
        BenchCmd::Batches { model, batches, out } => {
            let (study, _) = cpu_setting(model, "")?;
            let prep = prepare(only(&study))?;
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
        BenchCmd::Step { model, batches_file, reps, micro_batches, variants, device, precision, json } => {
            let opts = StepOptions {
                reps: *reps,
                k: *micro_batches,
                variants: variants.clone(),
                device: *device,
                precision: *precision,
            };
            step_bench(model, batches_file, &opts, json)
        }
        BenchCmd::Matmul { device, precision, json } => {
            write_json(json, &matmul_peak(mixout::device::resolve(*device)?, *precision))
        }
        BenchCmd::Eval { model, json } => {
            let (study, s) = cpu_setting(model, "")?;
            let prep = prepare(only(&study))?;
            seed_everything(0);
            let (_vs, m, _) = build_model(&s, &prep.files, &prep.task.labels, Device::Cpu)?;
            let _ = mixout::train::evaluate(&m, &prep, 128, Device::Cpu)?;
            let t = Instant::now();
            let reps = 3;
            for _ in 0..reps {
                let _ = mixout::train::evaluate(&m, &prep, 128, Device::Cpu)?;
            }
            let secs = t.elapsed().as_secs_f64() / reps as f64;
            write_json(json, &json!({"examples_per_s": prep.dev.0.len() as f64 / secs, "examples": prep.dev.0.len()}))
        }
        BenchCmd::Memory { model, p, steps, json } => {
            let (study, _) = cpu_setting(model, &format!("mixout: {{p: {p}}}\ndropout: 0.0\n"))?;
            let prep = prepare(only(&study))?;
            let before = peak_rss();
            let mut runner = StepRunner::new(only(&study), &prep)?;
            for b in bench_batches(&prep, *steps) {
                runner.step(&prep, &b, 1)?;
            }
            write_json(
                json,
                &json!({"peak_rss_bytes": peak_rss(), "rss_before_model_bytes": before, "p": p, "extra_mixout_bytes": runner.ft.mixout.extra_bytes()}),
            )
        }
        BenchCmd::MakeModel { shape, vocab_from, out, seed } => make_model(*shape, vocab_from, out, *seed),
        BenchCmd::Export { model, out, seed } => {
            let (study, s) = cpu_setting(model, "")?;
            let prep = prepare(only(&study))?;
            seed_everything(*seed);
            let (vs, _model, _) = build_model(&s, &prep.files, &prep.task.labels, Device::Cpu)?;
            save_model(&vs, &prep.files, &prep.task.labels, out)
                .with_context(|| format!("exporting to {}", out.display()))?;
            write_json(
                &None,
                &json!({"out": out, "from": prep.files.dir, "labels": prep.task.labels, "seed": seed, "parameters": mixout::model::parameter_count(&vs)}),
            )
        }
    }
}

/// Best-of-5 rate of an `n × n` matrix product in the precision's kind (bf16 for bf16,
/// else fp32 with the TF32 switch set as a run of that precision sets it).
fn matmul_peak(device: Device, precision: Precision) -> serde_json::Value {
    apply_precision(precision, device);
    let kind = if precision == Precision::Bf16 { Kind::BFloat16 } else { Kind::Float };
    // On a GPU one 2048² product takes microseconds: a larger n and several products per
    // timing keep launch latency out of the figure.
    let (n, per_timing) = if device.is_cuda() { (8192i64, 10) } else { (2048i64, 1) };
    let a = Tensor::randn([n, n], (kind, device));
    let b = Tensor::randn([n, n], (kind, device));
    let _ = a.matmul(&b);
    sync(device);
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        let mut c = Tensor::new();
        for _ in 0..per_timing {
            c = a.matmul(&b);
        }
        sync(device);
        let _ = c.double_value(&[0, 0]);
        best = best.min(t.elapsed().as_secs_f64() / per_timing as f64);
    }
    let gflops = 2.0 * (n * n * n) as f64 / best / 1e9;
    merged(
        json!({"gflops": gflops, "tflops": gflops / 1e3, "n": n, "threads": tch::get_num_threads(), "kind": format!("{kind:?}")}),
        provenance(device, precision),
    )
}

/// Writes a BERT-shaped folder with random weights: config.json, the vocabulary of
/// `vocab_from`, and model.safetensors holding every encoder and pooler variable of our
/// [`SequenceClassifier`] (no head, like a pretrained checkpoint) under Hugging Face names,
/// initialised as BERT's `_init_weights` does. Then loads it back to check it.
fn make_model(shape: Shape, vocab_from: &Path, out: &Path, seed: i64) -> Result<()> {
    let vocab_src = vocab_from.join("vocab.txt");
    let vocab = std::fs::read_to_string(&vocab_src).with_context(|| format!("reading {}", vocab_src.display()))?;
    let vocab_size = vocab.lines().count();
    if vocab_size == 0 {
        bail!("{}: empty vocabulary", vocab_src.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let (hidden, layers, heads, intermediate) = shape.dims();
    let range = 0.02;
    let config = json!({
        "_name_or_path": format!("random bert-{shape:?} shape, seed {seed} (mixout bench make-model)").to_lowercase(),
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
        "layer_norm_eps": 1e-12,
        "initializer_range": range,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    });
    let files = ModelFiles {
        dir: out.to_path_buf(),
        config: out.join("config.json"),
        vocab: out.join("vocab.txt"),
        weights: out.join("model.safetensors"),
    };
    std::fs::write(&files.config, serde_json::to_string_pretty(&config)?)
        .with_context(|| format!("writing {}", files.config.display()))?;
    // Removed first: a copy keeps the source's mode, and shared assets are often read-only.
    let copy = |src: &Path, dst: &Path| -> Result<()> {
        let _ = std::fs::remove_file(dst);
        std::fs::copy(src, dst).with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        Ok(())
    };
    copy(&vocab_src, &files.vocab)?;
    for extra in ["tokenizer_config.json", "special_tokens_map.json"] {
        let src = vocab_from.join(extra);
        if src.is_file() {
            copy(&src, &out.join(extra))?;
        }
    }

    let cfg = read_config(&files, &[])?;
    let no_dropout = DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 };
    let vs = tch::nn::VarStore::new(Device::Cpu);
    let model = SequenceClassifier::new(&vs.root(), &cfg, no_dropout, EncoderImpl::Fused)?;
    let mut vars = vs.variables();
    // Draw in name order: a HashMap's order differs between processes, the seed's weights must not.
    let mut names: Vec<String> = vars.keys().filter(|n| !n.starts_with("classifier.")).cloned().collect();
    names.sort();
    tch::manual_seed(seed);
    tch::no_grad(|| {
        for name in &names {
            let Some(var) = vars.get_mut(name) else { continue };
            let _ = match (name.contains("LayerNorm"), name.ends_with(".bias")) {
                (true, false) => var.fill_(1.0),
                (_, true) => var.zero_(),
                (false, false) => var.normal_(0.0, range),
            };
        }
    });
    let weights: HashMap<String, Tensor> =
        names.iter().filter_map(|n| vars.get(n).map(|t| (n.clone(), t.shallow_clone()))).collect();
    let parameters: i64 = weights.values().map(|t| t.numel() as i64).sum();
    write_safetensors_pt(&weights, &files.weights)?;
    drop((weights, vars, model, vs));

    // A bad file should fail here, not three stages later in the benchmark.
    let check = tch::nn::VarStore::new(Device::Cpu);
    let _m = SequenceClassifier::new(&check.root(), &cfg, no_dropout, EncoderImpl::Fused)?;
    let report = load_pretrained(&check, &files, range)?;
    if report.missing.iter().any(|n| !n.starts_with("classifier."))
        || !report.unused.is_empty()
        || report.loaded != names.len()
    {
        bail!(
            "{}: reloading found {} of {} tensors (missing {:?}, unused {:?})",
            files.weights.display(),
            report.loaded,
            names.len(),
            report.missing,
            report.unused
        );
    }
    write_json(
        &None,
        &json!({"out": out, "shape": format!("{shape:?}").to_lowercase(), "vocab_size": vocab_size, "parameters": parameters, "tensors": report.loaded, "seed": seed}),
    )
}

/// Peak resident set size of this process (Linux `VmHWM`), bytes.
pub fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
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
    /// Adam's update and the zeroed gradients.
    adam: f64,
}

impl Profile {
    fn add(&mut self, p: &Profile) {
        self.mix += p.mix;
        self.forward_backward += p.forward_backward;
        self.unmix += p.unmix;
        self.clip += p.clip;
        self.adam += p.adam;
    }

    fn slot(&mut self, phase: Phase) -> &mut f64 {
        match phase {
            Phase::Mix => &mut self.mix,
            Phase::ForwardBackward => &mut self.forward_backward,
            Phase::Unmix => &mut self.unmix,
            Phase::Clip => &mut self.clip,
            Phase::Update => &mut self.adam,
        }
    }
}

/// A model with its regularisers, taking the trainer's own step on given batches, at the
/// setting's peak learning rate and clipping.
struct StepRunner {
    ft: Finetuner,
    setting: Setting,
    /// Token count of every training example (the micro-batch split sorts by it).
    lengths: Vec<usize>,
}

impl StepRunner {
    /// Assembles the setting's model on its device, in its precision, as a run does.
    fn new(ss: &StudySetting, prep: &Prepared) -> Result<Self> {
        let device = mixout::device::resolve(ss.device)?;
        seed_everything(0);
        let ft = Finetuner::assemble(&ss.spec, &prep.files, &prep.task.labels, device)?;
        let lengths = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
        Ok(StepRunner { ft, setting: ss.spec.clone(), lengths })
    }

    fn options(&self, k: usize) -> TrainStep {
        TrainStep { lr: self.setting.lr, clip: self.setting.grad_clip, micro_batches: k }
    }

    fn step(&mut self, prep: &Prepared, b: &[usize], k: usize) -> Result<()> {
        let o = self.options(k);
        let _ = self.ft.step(prep, b, &self.lengths, o)?;
        Ok(())
    }

    /// One step, adding the seconds of each phase to `prof`. On CUDA each phase ends with a
    /// synchronisation, so a phase is charged for its own kernels (at the price of the
    /// overlap between phases that the trainer, which does not synchronise, enjoys).
    fn step_profiled(&mut self, prep: &Prepared, b: &[usize], k: usize, prof: &mut Profile) -> Result<()> {
        let device = self.ft.device;
        let o = self.options(k);
        let mut t = Instant::now();
        let mut lap = |phase: Phase| {
            sync(device);
            *prof.slot(phase) += t.elapsed().as_secs_f64();
            t = Instant::now();
        };
        let _ = self.ft.step_timed(prep, b, &self.lengths, o, &mut lap)?;
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

/// How `mixout bench step` runs.
struct StepOptions {
    reps: usize,
    k: usize,
    variants: String,
    device: DeviceSpec,
    precision: Precision,
}

fn step_bench(model: &str, batches_file: &Path, o: &StepOptions, json: &Option<PathBuf>) -> Result<()> {
    let text = std::fs::read_to_string(batches_file).with_context(|| format!("reading {}", batches_file.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", batches_file.display()))?;
    let batches: Vec<Vec<usize>> = v["batches"]
        .as_array()
        .context("batches file has no `batches` list")?
        .iter()
        .map(|b| {
            b["indices"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_u64().map(|x| x as usize)).collect())
                .unwrap_or_default()
        })
        .collect();
    let wanted: Vec<&str> = o.variants.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if let Some(bad) = wanted.iter().find(|w| !VARIANTS.iter().any(|(n, _)| n == *w)) {
        bail!("--variants: unknown variant `{bad}` (known: plain, dropout, mixout)");
    }
    let device = mixout::device::resolve(o.device)?;
    let mut runners = vec![];
    let mut prep_keep = None;
    for (name, extra) in VARIANTS.into_iter().filter(|(n, _)| wanted.contains(n)) {
        let (study, _) = setting(model, extra, o.device, o.precision)?;
        let prep = prepare(only(&study))?;
        runners.push((name, StepRunner::new(only(&study), &prep)?, vec![], Profile::default()));
        prep_keep = Some(prep);
    }
    let prep = prep_keep.context("--variants: no variant given")?;
    let cfg = read_config(&prep.files, &prep.task.labels)?;
    let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
    if let Some(&bad) = batches.iter().flatten().find(|&&i| i >= lengths.len()) {
        bail!("{}: example index {bad} is beyond RTE train ({} examples)", batches_file.display(), lengths.len());
    }
    let work = step_work(&cfg, &batches, &lengths, o.k);
    // One untimed warm-up pass each, then interleave variants batch by batch.
    for rep in 0..=o.reps {
        for b in &batches {
            for (_, r, times, prof) in runners.iter_mut() {
                sync(device);
                let t = Instant::now();
                let mut p = Profile::default();
                r.step_profiled(&prep, b, o.k, &mut p)?;
                sync(device);
                if rep > 0 {
                    times.push(t.elapsed().as_secs_f64());
                    prof.add(&p);
                }
            }
        }
    }
    let mut out = serde_json::Map::new();
    for (name, _, mut times, prof) in runners {
        times.sort_by(|a, b| a.total_cmp(b));
        let n = times.len().max(1) as f64;
        let per_step: serde_json::Value = serde_json::to_value(&prof).map(|v| {
            v.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, x)| (k.clone(), json!(x.as_f64().unwrap_or(0.0) / n)))
                        .collect::<serde_json::Map<_, _>>()
                        .into()
                })
                .unwrap_or_default()
        })?;
        let median = quantile(&times, 0.5);
        out.insert(
            name.into(),
            json!({"median_s": median, "p10_s": quantile(&times, 0.1), "p90_s": quantile(&times, 0.9), "mean_s": times.iter().sum::<f64>() / n,
                   "steps": times.len(), "tflops": work.flops / median / 1e12, "profile_mean_s": per_step}),
        );
    }
    let result = json!({
        "variants": out,
        "flops_per_step": work.flops,
        "flops_per_step_k1": work.flops_k1,
        "flops_per_step_unpadded": work.flops_unpadded,
        "tokens_per_step": {"real": work.real_tokens, "computed": work.computed_tokens, "padded_k1": work.padded_tokens_k1},
        "flops_counted": "3x forward matmul FLOPs of each micro-batch padded to its own longest example",
        "micro_batches": o.k,
        "threads": tch::get_num_threads(),
        "batches": batches.len(),
        "reps": o.reps,
        "model": prep.files.dir,
        "implementation": "mixout",
    });
    write_json(json, &merged(result, provenance(device, o.precision)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_config() -> rust_bert::bert::BertConfig {
        serde_json::from_value(json!({
            "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": 8, "initializer_range": 0.02, "intermediate_size": 32, "max_position_embeddings": 64,
            "num_attention_heads": 2, "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": 50
        }))
        .unwrap()
    }

    #[test]
    fn step_work_counts_the_micro_batches_as_computed() {
        let cfg = tiny_config();
        let lengths = vec![10, 3, 7, 3, 12, 5, 4, 9];
        let batches = vec![(0..8).collect::<Vec<_>>()];
        let k1 = step_work(&cfg, &batches, &lengths, 1);
        assert_eq!(k1.flops, k1.flops_k1);
        assert_eq!(k1.computed_tokens, 8.0 * 12.0);
        assert_eq!(k1.real_tokens, 53.0);
        // Sorted lengths 3 3 4 5 | 7 9 10 12: two micro-batches padded to 5 and to 12.
        let k2 = step_work(&cfg, &batches, &lengths, 2);
        assert_eq!(k2.computed_tokens, 4.0 * 5.0 + 4.0 * 12.0);
        assert_eq!(k2.flops, 3.0 * (forward_flops(&cfg, 4, 5) + forward_flops(&cfg, 4, 12)));
        assert!(k2.flops < k1.flops, "{} !< {}", k2.flops, k1.flops);
        assert_eq!(k2.flops_k1, k1.flops_k1);
        // One example per micro-batch: nothing is padded.
        let k8 = step_work(&cfg, &batches, &lengths, 8);
        assert!((k8.flops - k8.flops_unpadded).abs() < 1e-6 * k8.flops, "{} vs {}", k8.flops, k8.flops_unpadded);
        assert_eq!(k8.computed_tokens, k8.real_tokens);
    }

    #[test]
    fn precision_and_device_arguments_parse() {
        assert_eq!(parse_precision("bf16"), Ok(Precision::Bf16));
        assert!(parse_precision("fp16").unwrap_err().contains("expected fp32, tf32 or bf16"));
        assert_eq!(parse_device("cuda:1"), Ok(DeviceSpec::Cuda(1)));
    }
}
