//! `mixout bench`: the Rust side of `make bench`. Each subcommand measures one thing and
//! writes a small JSON file; `bench/run.sh` puts them beside the Python reference.
//! Timings interleave the variants on the same batches so their ratio is taken side by side.

use anyhow::{Context, Result};
use clap::Subcommand;
use mixout::device::DeviceSpec;
use mixout::export::save_model;
use mixout::study::{Overrides, Study, StudySetting};
use mixout::train::assemble::{build_model, seed_everything};
use mixout::train::{prepare, Prepared};
use mixout_data::{batch, Encoded, Label};
use mixout_spec::{EncoderImpl, Experiment, Precision, Setting};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::Device;

mod make_model;
mod step;
mod work;

use make_model::make_model;
use step::{matmul_peak, step_bench, StepOptions, StepRunner};

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
        /// Encoder: unpadded (real tokens only) or padded.
        #[arg(long, default_value = "unpadded", value_parser = parse_encoder)]
        encoder: EncoderImpl,
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
        /// Encoder: unpadded (real tokens only) or padded.
        #[arg(long, default_value = "unpadded", value_parser = parse_encoder)]
        encoder: EncoderImpl,
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

fn parse_encoder(s: &str) -> std::result::Result<EncoderImpl, String> {
    serde_yaml::from_str(s).map_err(|_| format!("`{s}`: expected unpadded, padded or rust-bert"))
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
        BenchCmd::Step { model, batches_file, reps, micro_batches, encoder, variants, device, precision, json } => {
            let opts = StepOptions {
                reps: *reps,
                k: *micro_batches,
                encoder: *encoder,
                variants: variants.clone(),
                device: *device,
                precision: *precision,
            };
            step_bench(model, batches_file, &opts, json)
        }
        BenchCmd::Matmul { device, precision, json } => {
            write_json(json, &matmul_peak(mixout::device::resolve(*device)?, *precision))
        }
        BenchCmd::Eval { model, encoder, json } => {
            let (study, s) = cpu_setting(model, &format!("encoder: {}\n", serde_yaml::to_string(encoder)?.trim()))?;
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
            write_json(
                json,
                &json!({"examples_per_s": prep.dev.0.len() as f64 / secs, "examples": prep.dev.0.len(), "encoder": encoder}),
            )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_and_device_arguments_parse() {
        assert_eq!(parse_precision("bf16"), Ok(Precision::Bf16));
        assert!(parse_precision("fp16").unwrap_err().contains("expected fp32, tf32 or bf16"));
        assert_eq!(parse_device("cuda:1"), Ok(DeviceSpec::Cuda(1)));
    }
}
