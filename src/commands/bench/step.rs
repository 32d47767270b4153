//! `mixout bench step` and `matmul`: the trainer's own step timed per phase, interleaved
//! over variants on the same batches, and the device's matmul peak.

//! `mixout bench`: the Rust side of `make bench`. Each subcommand measures one thing and
//! writes a small JSON file; `bench/run.sh` puts them beside the Python reference.
//! Timings interleave the variants on the same batches so their ratio is taken side by side.

use super::work::step_work;
use super::{merged, only, provenance, setting, sync, write_json, VARIANTS};
use anyhow::{bail, Context, Result};
use mixout::device::DeviceSpec;
use mixout::model::read_config;
use mixout::study::StudySetting;
use mixout::train::assemble::{apply_precision, seed_everything, Finetuner};
use mixout::train::{prepare, Phase, Prepared, StepOptions as TrainStep};
use mixout_spec::{EncoderImpl, Precision, Setting};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tch::{Device, Kind, Tensor};

/// Best-of-5 rate of an `n × n` matrix product in the precision's kind (bf16 for bf16,
/// else fp32 with the TF32 switch set as a run of that precision sets it).
pub(super) fn matmul_peak(device: Device, precision: Precision) -> serde_json::Value {
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

/// Seconds spent in each phase of the training step, summed over steps.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub(super) struct Profile {
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
pub(super) struct StepRunner {
    pub(super) ft: Finetuner,
    setting: Setting,
    /// Token count of every training example (the micro-batch split sorts by it).
    lengths: Vec<usize>,
}

impl StepRunner {
    /// Assembles the setting's model on its device, in its precision, as a run does.
    pub(super) fn new(ss: &StudySetting, prep: &Prepared) -> Result<Self> {
        let device = mixout::device::resolve(ss.device)?;
        seed_everything(0);
        let ft = Finetuner::assemble(&ss.spec, &prep.files, &prep.task.labels, device)?;
        let lengths = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
        Ok(StepRunner { ft, setting: ss.spec.clone(), lengths })
    }

    fn options(&self, k: usize) -> TrainStep {
        TrainStep { lr: self.setting.lr, clip: self.setting.grad_clip, micro_batches: k }
    }

    pub(super) fn step(&mut self, prep: &Prepared, b: &[usize], k: usize) -> Result<()> {
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

pub(super) fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// How `mixout bench step` runs.
pub(super) struct StepOptions {
    pub(super) reps: usize,
    pub(super) k: usize,
    pub(super) encoder: EncoderImpl,
    pub(super) variants: String,
    pub(super) device: DeviceSpec,
    pub(super) precision: Precision,
}

/// The example indices of each batch of a batches file (`mixout bench batches`).
fn read_batches(batches_file: &Path) -> Result<Vec<Vec<usize>>> {
    let text = std::fs::read_to_string(batches_file).with_context(|| format!("reading {}", batches_file.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", batches_file.display()))?;
    let batches = v["batches"]
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
    Ok(batches)
}

pub(super) fn step_bench(model: &str, batches_file: &Path, o: &StepOptions, json: &Option<PathBuf>) -> Result<()> {
    let batches = read_batches(batches_file)?;
    let wanted: Vec<&str> = o.variants.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if let Some(bad) = wanted.iter().find(|w| !VARIANTS.iter().any(|(n, _)| n == *w)) {
        bail!("--variants: unknown variant `{bad}` (known: plain, dropout, mixout)");
    }
    let device = mixout::device::resolve(o.device)?;
    let mut runners = vec![];
    let mut prep_keep = None;
    for (name, extra) in VARIANTS.into_iter().filter(|(n, _)| wanted.contains(n)) {
        let extra = format!("{extra}encoder: {}\n", serde_yaml::to_string(&o.encoder)?.trim());
        let (study, _) = setting(model, &extra, o.device, o.precision)?;
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
    let work = step_work(&cfg, &batches, &lengths, o.k, o.encoder == EncoderImpl::Unpadded);
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
                   "steps": times.len(), "tflops": work.flops / median / 1e12,
                   "real_token_tflops": work.flops_unpadded / median / 1e12, "profile_mean_s": per_step}),
        );
    }
    let result = json!({
        "variants": out,
        "flops_per_step": work.flops,
        "flops_per_step_k1": work.flops_k1,
        "flops_per_step_unpadded": work.flops_unpadded,
        "tokens_per_step": {"real": work.real_tokens, "computed": work.computed_tokens, "padded_k1": work.padded_tokens_k1},
        "flops_counted": "3x forward matmul FLOPs as computed: each micro-batch padded to its own longest example (unpadded encoder: projections and FFN on the real tokens, attention per length bucket); flops_per_step_unpadded counts every example at its own length",
        "micro_batches": o.k,
        "encoder": o.encoder,
        "threads": tch::get_num_threads(),
        "batches": batches.len(),
        "reps": o.reps,
        "model": prep.files.dir,
        "implementation": "mixout",
    });
    write_json(json, &merged(result, provenance(device, o.precision)))
}
