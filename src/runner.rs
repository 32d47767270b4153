//! Runs a study: settings × seeds, each run written to its own result file the moment it
//! finishes. A rerun skips finished runs; Ctrl-C stops after what finished; a diverged run
//! is recorded and the sweep goes on. With `jobs > 1` on CPU, runs execute in child
//! processes (each with its own libtorch RNG and `cores / jobs` threads), so results are
//! identical to a sequential sweep.

use crate::config::{Experiment, RunSpec};
use crate::device::{available_cores, describe, device_name, DeviceSpec};
use crate::error::{Error, Result};
use crate::train::{self, trainer::INTERRUPTED, Prepared};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mixout_report::{RunParams, RunResult, RunStatus, Versions};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

pub use crate::doctor::{LIBTORCH_VERSION, TCH_VERSION};

/// Options of `mixout run` besides the experiment file.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Parent folder of results; the study writes into `<results>/<experiment name>/`.
    pub results: PathBuf,
    /// Parallel runs (CPU only).
    pub jobs: usize,
    /// Run only the K-th of N slices (0-based K).
    pub shard: Option<(usize, usize)>,
    /// Run only these run ids.
    pub only: Vec<String>,
    /// Override the experiment's device.
    pub device: Option<DeviceSpec>,
    /// Override the threads per run.
    pub threads: Option<usize>,
    /// No progress bars, log lines only.
    pub quiet: bool,
}

/// What a sweep did.
#[derive(Debug, Default, Clone)]
pub struct SweepSummary {
    /// Runs finished in this invocation.
    pub ran: usize,
    /// Runs skipped because a result file existed.
    pub skipped: usize,
    /// Runs that diverged (recorded).
    pub diverged: usize,
    /// The study's results folder.
    pub results_dir: PathBuf,
}

/// The study's results folder.
pub fn results_dir(exp: &Experiment, results: &Path) -> PathBuf {
    results.join(mixout_report::results::sanitize(&exp.name))
}

/// The runs of a shard `K/N`: every N-th run of the expanded list, starting at K. The
/// list's order comes from the file alone, so every machine computes the same slices.
pub fn shard_runs(runs: Vec<RunSpec>, shard: Option<(usize, usize)>) -> Vec<RunSpec> {
    match shard {
        None => runs,
        Some((k, n)) => runs.into_iter().enumerate().filter(|(i, _)| i % n == k).map(|(_, r)| r).collect(),
    }
}

/// Parses `K/N` with 0 ≤ K < N.
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || Error::Invalid(format!("--shard `{s}`: expected K/N with 0 <= K < N, e.g. --shard 0/4"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// libtorch threads of one run: `--threads`, else the setting's `threads`, else an equal
/// share of the cores among the parallel jobs.
fn threads_per_run(opts: &RunOptions, setting: &crate::config::Setting) -> usize {
    opts.threads.or(setting.threads).unwrap_or_else(|| (available_cores() / opts.jobs.max(1)).max(1))
}

fn versions() -> Versions {
    let git = option_env!("MIXOUT_GIT_DESCRIBE").filter(|s| !s.is_empty()).map(str::to_string);
    // The libtorch actually loaded, with its build tag (`2.11.0+cu130`), so runs from
    // different libtorch versions or builds can be told apart in a report.
    Versions {
        mixout: env!("CARGO_PKG_VERSION").into(),
        tch: TCH_VERSION.into(),
        libtorch: crate::doctor::libtorch().version,
        git,
    }
}

/// Flattened knobs for the report.
fn params_of(run: &RunSpec) -> RunParams {
    let s = &run.setting;
    RunParams {
        dropout: s.encoder_dropout(),
        mixout_p: s.mixout.p,
        mixout_layers: if s.mixout.include.is_empty() && s.mixout.exclude.is_empty() {
            serde_json::to_value(s.mixout.layers).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        } else {
            "custom".into()
        },
        head: s.head_label(),
        wdecay: s.weight_decay.lambda,
        wdecay_toward: match s.weight_decay.toward {
            crate::config::DecayTarget::Zero => "zero".into(),
            crate::config::DecayTarget::Pretrained => "pretrained".into(),
        },
        lr: s.lr,
        epochs: s.epochs,
        bias_correction: s.optimizer.bias_correction,
        train_subset: s.train_subset,
        precision: s.precision.name().into(),
        reinit_layers: s.reinit_layers,
        llrd: s.llrd,
    }
}

/// Executes one run in this process and writes its result file; returns it.
pub fn execute_run(
    exp: &Experiment,
    run: &RunSpec,
    prep: &Prepared,
    opts: &RunOptions,
    bar: &ProgressBar,
) -> Result<RunResult> {
    let dir = results_dir(exp, &opts.results);
    let device_spec = opts.device.unwrap_or(run.setting.device);
    let threads = threads_per_run(opts, &run.setting);
    tch::set_num_threads(threads as i32);
    let started = std::time::Instant::now();
    let run_id = run.run_id.clone();
    let mut on_step = |step: u64, total: u64, loss: f64| {
        if bar.is_hidden() {
            // Not on a terminal: a structured line every ~10% of the run instead of a bar.
            if step.is_multiple_of((total / 10).max(1)) || step == total {
                tracing::info!(run = %run_id, step, total, loss, "progress");
            }
        } else {
            bar.set_length(total);
            bar.set_position(step);
            bar.set_message(format!("loss {loss:.4}"));
        }
    };
    let out = train::train(run, prep, device_spec, &mut on_step)?;
    let score = out.final_dev.get(&prep.task.metric).copied();
    let status = if out.diverged_at.is_some() { RunStatus::Diverged } else { RunStatus::Finished };
    let failed = match score {
        Some(s) => s <= prep.chance,
        None => true,
    };
    if run.setting.save_model && status == RunStatus::Finished {
        crate::model::save_model(&out.vs, &prep.files, &prep.task.labels, &train::trainer::model_dir(&dir, run))?;
    }
    let result = RunResult {
        schema_version: mixout_report::results::SCHEMA_VERSION,
        experiment: exp.name.clone(),
        setting: run.label.clone(),
        setting_index: run.setting_index,
        group: run.setting.group.clone(),
        baseline: run.setting.baseline.clone(),
        run_id: run.run_id.clone(),
        seed: run.seed,
        task: prep.task.name.clone(),
        model: run.setting.model.clone(),
        metric: prep.task.metric.clone(),
        chance: prep.chance,
        status,
        score,
        final_dev: out.final_dev.clone(),
        failed,
        diverged_at_step: out.diverged_at,
        epochs: out.epochs.clone(),
        params: params_of(run),
        config: serde_json::to_value(&run.setting).unwrap_or_default(),
        device: device_name(out.device),
        threads,
        versions: versions(),
        steps: out.steps,
        wall_time_s: started.elapsed().as_secs_f64(),
        steps_per_s: out.steps as f64 / out.train_seconds.max(1e-9),
    };
    result.write_atomic(&dir)?;
    Ok(result)
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>28} [{bar:30}] {pos}/{len} steps {msg} eta {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// Runs a study (or the selected part of it).
pub fn run_experiment(exp: &Experiment, opts: &RunOptions) -> Result<SweepSummary> {
    let dir = results_dir(exp, &opts.results);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut runs = shard_runs(exp.runs(), opts.shard);
    if !opts.only.is_empty() {
        runs.retain(|r| opts.only.contains(&r.run_id));
    }
    let total = runs.len();
    let mut summary = SweepSummary { results_dir: dir.clone(), ..Default::default() };
    let todo: Vec<RunSpec> = runs
        .into_iter()
        .filter(|r| {
            let done = RunResult::path_in(&dir, &r.label, &r.run_id).is_file();
            if done {
                summary.skipped += 1;
            }
            !done
        })
        .collect();
    if summary.skipped > 0 {
        tracing::info!("{} of {total} runs already finished in {}: skipping them", summary.skipped, dir.display());
    }
    if todo.is_empty() {
        return Ok(summary);
    }
    let mut seen = std::collections::BTreeSet::new();
    crate::inspect::preflight(exp, todo.iter().filter(|r| seen.insert(r.setting_index)).map(|r| &r.setting))?;
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\ninterrupt: stopping after writing what finished (press Ctrl-C again to quit now)");
    });
    let device = opts.device.unwrap_or(exp.settings[0].device).resolve()?;
    if opts.jobs > 1 {
        return run_parallel(exp, opts, todo, summary, total, device);
    }
    let tty = std::io::stderr().is_terminal() && !opts.quiet;
    // Set before the device line below, so it reports the threads the runs use.
    tch::set_num_threads(threads_per_run(opts, &exp.settings[0]) as i32);
    let mut preps: HashMap<(String, String, usize), Arc<Prepared>> = HashMap::new();
    for (i, run) in todo.iter().enumerate() {
        let key = (
            format!("{:?}{:?}", run.setting.task, run.setting.custom_task),
            run.setting.model.clone(),
            run.setting.max_seq_len,
        );
        let prep = match preps.get(&key) {
            Some(p) => p.clone(),
            None => {
                let p = Arc::new(train::prepare(&run.setting, &exp.path)?);
                preps.insert(key, p.clone());
                p
            }
        };
        let bar =
            if tty { ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()) } else { ProgressBar::hidden() };
        bar.set_style(bar_style());
        bar.set_prefix(format!("[{}/{}] {}", summary.skipped + i + 1, total, run.run_id));
        if i == 0 {
            tracing::info!("{}", describe(device));
        }
        tracing::info!(run = %run.run_id, "run {}/{} started", summary.skipped + i + 1, total);
        match execute_run(exp, run, &prep, opts, &bar) {
            Ok(r) => {
                bar.finish_and_clear();
                summary.ran += 1;
                if r.status == RunStatus::Diverged {
                    summary.diverged += 1;
                }
                report_line(&r);
            }
            Err(Error::Interrupted) => {
                bar.abandon();
                return Err(Error::Interrupted);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(summary)
}

fn report_line(r: &RunResult) {
    match r.score {
        Some(s) => tracing::info!(
            "finished {}: dev {} {s:.2}{} ({:.0} s, {:.2} steps/s)",
            r.run_id,
            r.metric,
            if r.failed { " FAILED (at or below chance)" } else { "" },
            r.wall_time_s,
            r.steps_per_s
        ),
        None => {
            tracing::warn!("run {} diverged at step {:?} (recorded; the sweep goes on)", r.run_id, r.diverged_at_step)
        }
    }
}

/// Where the child processes of a parallel sweep run: the CPU, or CUDA devices with a
/// memory budget each.
enum Placement {
    Cpu,
    Cuda(Vec<GpuBudget>),
}

/// What one GPU can take: its size, what other processes held when the sweep started, and
/// the estimated need of each of our children now running on it.
#[derive(Debug, Clone)]
pub struct GpuBudget {
    /// CUDA index (`cuda:N`).
    pub cuda_index: usize,
    /// Total memory, bytes (0 when the driver could not be asked: no check is made).
    pub total: u64,
    /// Memory held by other processes when the sweep started, bytes.
    pub used_by_others: u64,
    /// Estimated bytes of each running child, by run id.
    pub running: Vec<(String, u64)>,
}

impl GpuBudget {
    /// Whether a run needing `need` bytes fits beside the children already running.
    pub fn fits(&self, need: u64) -> bool {
        self.total == 0 || self.used_by_others + self.running.iter().map(|r| r.1).sum::<u64>() + need <= self.total
    }

    /// Memory that was free when the sweep started, bytes.
    pub fn free_at_start(&self) -> u64 {
        self.total.saturating_sub(self.used_by_others)
    }
}

/// The GPU the k-th parallel job uses: jobs are spread round-robin over the devices.
pub fn job_device(job: usize, devices: usize) -> usize {
    job % devices.max(1)
}

/// A conservative estimate of the GPU memory one training run needs, bytes: fp32 weights,
/// gradients, two Adam moments, the scratch buffer and up to two frozen targets (8 copies of
/// the parameters), the activations of one micro-batch (Korthikanti et al. 2022:
/// `s·b·h·(34 + 5·a·s/h)` bytes per layer at 16 bits, doubled for fp32), and 1 GiB for the
/// CUDA context and allocator slack.
pub fn estimate_run_bytes(
    cfg: &rust_bert::bert::BertConfig,
    batch: usize,
    micro: usize,
    seq: usize,
    bf16: bool,
) -> u64 {
    let (h, l, a) = (cfg.hidden_size as f64, cfg.num_hidden_layers as f64, cfg.num_attention_heads as f64);
    let params = l * (4.0 * h * h + 2.0 * h * cfg.intermediate_size as f64 + 9.0 * h)
        + (cfg.vocab_size + cfg.max_position_embeddings + cfg.type_vocab_size) as f64 * h
        + h * h;
    let b = (batch as f64 / micro.max(1) as f64).ceil();
    let s = seq as f64;
    let act = l * s * b * h * (34.0 + 5.0 * a * s / h) * if bf16 { 1.0 } else { 2.0 };
    (8.0 * 4.0 * params + act) as u64 + (1u64 << 30)
}

/// The memory a run of `run` needs on its device, from its model's config.json.
fn run_need(exp: &Experiment, run: &RunSpec) -> Result<u64> {
    let s = &run.setting;
    let files = crate::model::ModelFiles::resolve(&crate::config::resolve_model(&s.model, &exp.path))?;
    let cfg = crate::model::read_config(&files, &[])?;
    let k = s.micro_batches.resolve(true);
    Ok(estimate_run_bytes(&cfg, s.batch_size, k, s.max_seq_len, s.precision == crate::config::Precision::Bf16))
}

fn gib(b: u64) -> f64 {
    b as f64 / (1u64 << 30) as f64
}

/// Parallel sweep: each run is a child `mixout run --only RUN_ID`. On the CPU each child gets
/// its share of the cores; on CUDA, jobs are spread over the visible GPUs, and a child starts
/// only when its estimated memory fits beside the children already on that GPU.
fn run_parallel(
    exp: &Experiment,
    opts: &RunOptions,
    todo: Vec<RunSpec>,
    summary: SweepSummary,
    total: usize,
    device: tch::Device,
) -> Result<SweepSummary> {
    let exe = std::env::current_exe().map_err(|e| Error::Invalid(format!("cannot find own executable: {e}")))?;
    let placement = if device.is_cuda() {
        let n = tch::Cuda::device_count().max(1) as usize;
        // A single requested device stays that device; `auto`/`cuda` spread over all of them.
        let indices: Vec<usize> = match (opts.device.unwrap_or(exp.settings[0].device), device) {
            (DeviceSpec::Cuda(i), _) if i > 0 || n == 1 => vec![i],
            _ => (0..n).collect(),
        };
        let driver = crate::device::nvidia_driver().ok();
        let budgets = indices
            .iter()
            .map(|&i| {
                let g = driver.as_ref().and_then(|d| d.gpus.get(crate::device::nvml_index(i)));
                GpuBudget {
                    cuda_index: i,
                    total: g.map(|g| g.total_bytes).unwrap_or(0),
                    used_by_others: g.map(|g| g.total_bytes.saturating_sub(g.free_bytes)).unwrap_or(0),
                    running: vec![],
                }
            })
            .collect::<Vec<_>>();
        tracing::info!(
            "{} runs on {} parallel jobs over {} GPU(s): {}",
            todo.len(),
            opts.jobs,
            budgets.len(),
            budgets
                .iter()
                .map(|b| format!(
                    "cuda:{} ({:.1} of {:.1} GiB free)",
                    b.cuda_index,
                    gib(b.free_at_start()),
                    gib(b.total)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Placement::Cuda(budgets)
    } else {
        tracing::info!(
            "{} runs on {} parallel jobs × {} threads",
            todo.len(),
            opts.jobs,
            threads_per_run(opts, &exp.settings[0])
        );
        Placement::Cpu
    };
    let ngpu = match &placement {
        Placement::Cuda(b) => b.len(),
        Placement::Cpu => 1,
    };
    let queue = Arc::new(Mutex::new(todo.into_iter().collect::<std::collections::VecDeque<_>>()));
    let state = Arc::new(Mutex::new((summary, Option::<String>::None)));
    let placement = Arc::new(Mutex::new(placement));
    std::thread::scope(|scope| {
        for job in 0..opts.jobs {
            let queue = queue.clone();
            let state = state.clone();
            let placement = placement.clone();
            let exe = exe.clone();
            scope.spawn(move || loop {
                if INTERRUPTED.load(Ordering::SeqCst) {
                    return;
                }
                if state.lock().map(|s| s.1.is_some()).unwrap_or(true) {
                    return;
                }
                let Some(run) = queue.lock().ok().and_then(|mut q| q.pop_front()) else { return };
                let mut cmd = std::process::Command::new(&exe);
                cmd.arg("run").arg(&exp.path).arg("--results").arg(&opts.results).arg("--only").arg(&run.run_id);
                cmd.arg("--threads").arg(threads_per_run(opts, &run.setting).to_string()).arg("--jobs").arg("1").arg("--quiet");
                // The GPU slot this job owns, and the memory reserved there for this child.
                let mut slot: Option<usize> = None;
                if device.is_cuda() {
                    let need = match run_need(exp, &run) {
                        Ok(n) => n,
                        Err(e) => {
                            if let Ok(mut st) = state.lock() {
                                st.1.get_or_insert(format!("run {}: {e}", run.run_id));
                            }
                            return;
                        }
                    };
                    let b = job_device(job, ngpu);
                    loop {
                        let Ok(mut pl) = placement.lock() else { return };
                        let Placement::Cuda(budgets) = &mut *pl else { return };
                        let g = &mut budgets[b];
                        if g.fits(need) {
                            g.running.push((run.run_id.clone(), need));
                            tracing::info!("run {} on cuda:{} (needs ~{:.1} GiB)", run.run_id, g.cuda_index, gib(need));
                            cmd.arg("--device").arg(format!("cuda:{}", g.cuda_index));
                            slot = Some(b);
                            break;
                        }
                        if g.running.is_empty() {
                            // Nothing of ours to wait for: it can never fit.
                            let msg = format!(
                                "run {} needs ~{:.1} GiB on cuda:{} but only {:.1} of {:.1} GiB are free (other processes hold {:.1} GiB): \
                                 free GPU memory, use a smaller batch, `micro_batches: 2` or `precision: bf16`",
                                run.run_id, gib(need), g.cuda_index, gib(g.free_at_start()), gib(g.total), gib(g.used_by_others)
                            );
                            if let Ok(mut st) = state.lock() {
                                st.1.get_or_insert(msg);
                            }
                            return;
                        }
                        let waiting_on: Vec<String> = g.running.iter().map(|r| r.0.clone()).collect();
                        drop(pl);
                        tracing::info!(
                            "run {} (~{:.1} GiB) does not fit on its GPU beside {}: not starting it until one finishes",
                            run.run_id,
                            gib(need),
                            waiting_on.join(", ")
                        );
                        std::thread::sleep(std::time::Duration::from_secs(2));
                        if INTERRUPTED.load(Ordering::SeqCst) {
                            return;
                        }
                    }
                } else if let Some(d) = opts.device {
                    cmd.arg("--device").arg(d.to_string());
                }
                let status = cmd.status();
                if let Some(b) = slot {
                    if let Ok(mut pl) = placement.lock() {
                        if let Placement::Cuda(budgets) = &mut *pl {
                            budgets[b].running.retain(|r| r.0 != run.run_id);
                        }
                    }
                }
                let dir = results_dir(exp, &opts.results);
                let mut st = match state.lock() {
                    Ok(s) => s,
                    Err(_) => return,
                };
                match status {
                    Ok(s) if s.success() => match RunResult::read(&RunResult::path_in(&dir, &run.label, &run.run_id)) {
                        Ok(r) => {
                            st.0.ran += 1;
                            if r.status == RunStatus::Diverged {
                                st.0.diverged += 1;
                            }
                            tracing::info!("[{}/{}] done {} on {}", st.0.ran + st.0.skipped, total, run.run_id, r.device);
                        }
                        Err(e) => st.1 = Some(e.to_string()),
                    },
                    Ok(s) => {
                        if !INTERRUPTED.load(Ordering::SeqCst) {
                            st.1.get_or_insert(format!("run {} failed ({s})", run.run_id));
                        }
                    }
                    Err(e) => {
                        st.1.get_or_insert(format!("could not start {}: {e}", exe.display()));
                    }
                }
            });
        }
    });
    let (summary, err) = Arc::try_unwrap(state).ok().and_then(|m| m.into_inner().ok()).unwrap_or_default();
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Error::Interrupted);
    }
    if let Some(e) = err {
        return Err(Error::Invalid(e));
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_disjoint_and_complete() {
        let exp = Experiment::parse(
            Path::new("x.yaml"),
            "task: RTE\nrestarts: 7\nsettings:\n  - {label: a}\n  - {label: b}\n  - {label: c}\n",
        )
        .unwrap();
        let all: Vec<String> = exp.runs().into_iter().map(|r| r.run_id).collect();
        for n in [1, 2, 3, 5, 21, 40] {
            let mut seen = vec![];
            for k in 0..n {
                seen.extend(shard_runs(exp.runs(), Some((k, n))).into_iter().map(|r| r.run_id));
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), seen.len(), "N={n}: a run in two shards");
            assert_eq!(seen.len(), all.len(), "N={n}: runs missing");
        }
    }

    #[test]
    fn gpu_budget_and_job_spread() {
        let mut g = GpuBudget { cuda_index: 0, total: 80 << 30, used_by_others: 10 << 30, running: vec![] };
        assert!(g.fits(30 << 30));
        g.running.push(("a".into(), 30 << 30));
        g.running.push(("b".into(), 30 << 30));
        assert!(g.fits(10 << 30), "10 + 60 + 10 = 80 GiB fits exactly");
        assert!(!g.fits((10 << 30) + 1));
        let unknown = GpuBudget { cuda_index: 0, total: 0, used_by_others: 0, running: vec![("a".into(), 1 << 40)] };
        assert!(unknown.fits(1 << 40), "no driver answer: no check");
        assert_eq!((0..5).map(|j| job_device(j, 2)).collect::<Vec<_>>(), [0, 1, 0, 1, 0]);
        assert_eq!(job_device(3, 0), 0);
    }

    #[test]
    fn run_memory_estimate_is_in_the_known_range() {
        // BERT-large, batch 32, seq 128, fp32: weights+grads+Adam+targets ~10.7 GB (335M params
        // x 4 B x 8) plus ~8.9 GiB of activations plus 1 GiB: 19-22 GiB.
        let mut cfg: rust_bert::bert::BertConfig = serde_json::from_str(
            r#"{"hidden_act":"gelu","attention_probs_dropout_prob":0.1,"hidden_dropout_prob":0.1,"hidden_size":1024,"initializer_range":0.02,"intermediate_size":4096,"max_position_embeddings":512,"num_attention_heads":16,"num_hidden_layers":24,"type_vocab_size":2,"vocab_size":30522}"#,
        )
        .unwrap();
        let fp32 = estimate_run_bytes(&cfg, 32, 1, 128, false) as f64 / (1u64 << 30) as f64;
        assert!((19.0..23.0).contains(&fp32), "{fp32} GiB");
        let bf16 = estimate_run_bytes(&cfg, 32, 1, 128, true) as f64 / (1u64 << 30) as f64;
        assert!(bf16 < fp32 - 3.0, "{bf16} vs {fp32}");
        // Micro-batches divide the activations.
        assert!(estimate_run_bytes(&cfg, 32, 4, 128, false) < estimate_run_bytes(&cfg, 32, 1, 128, false));
        cfg.num_hidden_layers = 3;
        cfg.hidden_size = 384;
        cfg.num_attention_heads = 12;
        cfg.intermediate_size = 1536;
        let l3 = estimate_run_bytes(&cfg, 32, 1, 128, false) as f64 / (1u64 << 30) as f64;
        assert!(l3 < 3.0, "L3 fits many times on one GPU: {l3} GiB");
    }

    #[test]
    fn shard_syntax() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("x").unwrap_err().to_string().contains("K/N"));
    }
}
