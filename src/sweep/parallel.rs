//! Parallel sweeps: each run is a child `mixout run --only RUN_ID`, so it has its own
//! libtorch RNG and threads and its results equal a sequential sweep's. On the CPU each
//! child takes its setting's share of the cores; CUDA runs go round-robin over the GPUs
//! their setting allows (`cuda:N` pins, `auto`/`cuda` spread), each started only when its
//! memory fits. Children die with the sweep (parent-death signal).

use super::gpu::{allowed_gpus, estimate_run_bytes, gib, job_device, GpuBudget, GpuPool, Reservation};
use super::{resume::result_path, RunOptions, SweepSummary};
use crate::error::{Error, Result};
use crate::study::Study;
use crate::train::trainer::INTERRUPTED;
use mixout_report::{RunResult, RunStatus};
use mixout_spec::{DeviceSpec, Precision, RunSpec};
use std::collections::VecDeque;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::Ordering;
use std::sync::Mutex;

/// Shared state of the job threads.
struct Jobs<'a> {
    study: &'a Study,
    opts: &'a RunOptions,
    dir: &'a Path,
    queue: Mutex<VecDeque<RunSpec>>,
    summary: Mutex<&'a mut SweepSummary>,
    error: Mutex<Option<Error>>,
    pool: Option<GpuPool>,
    total: usize,
    /// The resolved study, as JSON for the children.
    wire: String,
}

/// Runs `todo` on `opts.jobs` parallel child processes.
pub(super) fn run_parallel(
    study: &Study,
    opts: &RunOptions,
    todo: Vec<RunSpec>,
    summary: &mut SweepSummary,
) -> Result<()> {
    let dir = study.results_dir(&opts.results);
    let total = summary.skipped + todo.len();
    let cuda = todo.iter().any(|r| crate::device::resolve(study.setting_of(r).device).is_ok_and(|d| d.is_cuda()));
    let pool = cuda.then(gpu_pool);
    match &pool {
        Some(p) => tracing::info!(
            "{} runs on {} parallel jobs over {}",
            todo.len(),
            opts.jobs,
            p.snapshot()
                .iter()
                .map(|b| format!(
                    "cuda:{} ({:.1} of {:.1} GiB free)",
                    b.cuda_index,
                    gib(b.free_at_start()),
                    gib(b.total)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => tracing::info!("{} runs on {} parallel jobs", todo.len(), opts.jobs),
    }
    let jobs = Jobs {
        study,
        opts,
        dir: &dir,
        queue: Mutex::new(todo.into()),
        summary: Mutex::new(summary),
        error: Mutex::new(None),
        pool,
        total,
        wire: study.to_json()?,
    };
    std::thread::scope(|scope| {
        for job in 0..opts.jobs {
            let jobs = &jobs;
            scope.spawn(move || jobs.work(job));
        }
    });
    if INTERRUPTED.load(Ordering::SeqCst) {
        return Err(Error::Interrupted);
    }
    jobs.error.into_inner().unwrap_or_else(|e| e.into_inner()).map_or(Ok(()), Err)
}

/// Every visible GPU with what the driver says of its memory.
fn gpu_pool() -> GpuPool {
    let n = tch::Cuda::device_count().max(1) as usize;
    let driver = crate::device::nvidia_driver().ok();
    GpuPool::new(
        (0..n)
            .map(|i| {
                let g = driver.as_ref().and_then(|d| d.gpus.get(crate::device::nvml_index(i)));
                GpuBudget {
                    cuda_index: i,
                    total: g.map(|g| g.total_bytes).unwrap_or(0),
                    used_by_others: g.map(|g| g.total_bytes.saturating_sub(g.free_bytes)).unwrap_or(0),
                    running: vec![],
                }
            })
            .collect(),
    )
}

impl Jobs<'_> {
    fn stopped(&self) -> bool {
        INTERRUPTED.load(Ordering::SeqCst) || self.error.lock().map(|e| e.is_some()).unwrap_or(true)
    }

    fn fail(&self, e: Error) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
    }

    /// One job: take runs from the queue until it is empty or the sweep stops.
    fn work(&self, job: usize) {
        while !self.stopped() {
            let Some(run) = self.queue.lock().ok().and_then(|mut q| q.pop_front()) else { return };
            if let Err(e) = self.one(job, &run) {
                self.fail(e);
            }
        }
    }

    /// Places, starts and waits for one child; records what it wrote.
    fn one(&self, job: usize, run: &RunSpec) -> Result<()> {
        let ss = self.study.setting_of(run);
        let device = crate::device::resolve(ss.device)?;
        let mut cmd = self.child_command(run, ss.threads);
        let _reservation: Option<Reservation> = match (&self.pool, device.is_cuda()) {
            (Some(pool), true) => {
                let Some(r) = self.reserve(pool, job, run, ss.device)? else { return Ok(()) };
                tracing::info!("run {} on cuda:{}", run.run_id, r.cuda_index);
                cmd.arg("--device").arg(format!("cuda:{}", r.cuda_index));
                Some(r)
            }
            _ => {
                cmd.arg("--device").arg("cpu");
                None
            }
        };
        let status =
            self.start(cmd)?.wait().map_err(|e| Error::Invalid(format!("waiting for run {}: {e}", run.run_id)))?;
        if !status.success() {
            if INTERRUPTED.load(Ordering::SeqCst) {
                return Ok(());
            }
            return Err(Error::Invalid(format!("run {} failed ({status}); its log is above", run.run_id)));
        }
        let path = result_path(self.dir, run);
        let mut summary = self.summary.lock().unwrap_or_else(|e| e.into_inner());
        if !path.is_file() {
            // The child found the run locked by another process and left it alone.
            summary.busy += 1;
            return Ok(());
        }
        let r = RunResult::read(&path)?;
        summary.ran += 1;
        summary.diverged += usize::from(r.status == RunStatus::Diverged);
        tracing::info!("[{}/{}] done {} on {}", summary.ran + summary.skipped, self.total, run.run_id, r.device);
        Ok(())
    }

    /// Reserves the run's memory on the GPU this job uses among those its setting allows.
    fn reserve<'p>(
        &self,
        pool: &'p GpuPool,
        job: usize,
        run: &RunSpec,
        spec: DeviceSpec,
    ) -> Result<Option<Reservation<'p>>> {
        let allowed = allowed_gpus(spec, pool.snapshot().len());
        let cuda_index = allowed[job_device(job, allowed.len())];
        let slot =
            pool.slot_of(cuda_index).ok_or_else(|| Error::Invalid(format!("no CUDA device cuda:{cuda_index}")))?;
        let need = self.run_need(run)?;
        pool.reserve(slot, &run.run_id, need, &|| self.stopped())
    }

    /// The memory a run needs on its device, from its model's config.
    fn run_need(&self, run: &RunSpec) -> Result<u64> {
        let s = &run.setting;
        let files = self.study.setting_of(run).model()?;
        let cfg = crate::model::read_config(files, &[])?;
        let k = s.micro_batches.resolve(true, s.encoder != mixout_spec::EncoderImpl::Unpadded);
        Ok(estimate_run_bytes(&cfg, s.batch_size, k, s.max_seq_len, s.precision == Precision::Bf16))
    }

    /// Starts a child and hands it the resolved study on its standard input.
    fn start(&self, mut cmd: Command) -> Result<std::process::Child> {
        use std::io::Write;
        let mut child = cmd
            .stdin(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| Error::Invalid(format!("could not start a child `mixout run`: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A child that died at once closes the pipe: its exit status says why.
            let _ = stdin.write_all(self.wire.as_bytes());
        }
        Ok(child)
    }

    /// `mixout run FILE --only RUN_ID --resolved-stdin` for one run, as a child that dies
    /// with this process and takes the resolved study from its standard input.
    fn child_command(&self, run: &RunSpec, threads: usize) -> Command {
        let exe = std::env::current_exe().unwrap_or_else(|_| "mixout".into());
        let mut cmd = Command::new(exe);
        cmd.arg("run").arg(&self.study.path).arg("--results").arg(&self.opts.results);
        cmd.args([
            "--only",
            &run.run_id,
            "--threads",
            &threads.to_string(),
            "--jobs",
            "1",
            "--quiet",
            "--resolved-stdin",
        ]);
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: only async-signal-safe calls between fork and exec: prctl, getppid, _exit.
        unsafe {
            cmd.pre_exec(move || {
                // A SIGKILLed sweep must not leave children training (and writing results).
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                if libc::getppid() != parent {
                    libc::_exit(1);
                }
                Ok(())
            });
        }
        cmd
    }
}
