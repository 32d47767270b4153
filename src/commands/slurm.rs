//! Scale-out on Slurm: a job array whose task K runs shard K/N of a study into a shared
//! results folder, plus a dependent job that writes the report.

use anyhow::{bail, Context, Result};
use mixout::study::{Overrides, Study};
use mixout_spec::sanitize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Arguments of `mixout slurm`.
#[derive(Debug, clap::Args)]
pub struct SlurmArgs {
    /// Experiment YAML.
    pub file: PathBuf,
    /// Number of array tasks (shards); default: one per run.
    #[arg(long)]
    pub array: Option<usize>,
    /// GPUs per array task (0 = CPU).
    #[arg(long, default_value_t = 0)]
    pub gpus_per_task: usize,
    /// CPUs per array task.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// Time limit per array task (Slurm syntax, e.g. 04:00:00).
    #[arg(long, default_value = "04:00:00")]
    pub time: String,
    /// Partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Parent results folder (must be on a file system every node sees).
    #[arg(long, default_value = "results")]
    pub results: PathBuf,
    /// Where to write the scripts and the per-task logs.
    #[arg(long, default_value = "slurm")]
    pub out: PathBuf,
    /// Submit with sbatch after writing.
    #[arg(long)]
    pub submit: bool,
}

fn abs(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The job-array script and the report script, as text.
pub fn scripts(exp: &Study, a: &SlurmArgs, exe: &Path) -> (String, String, usize) {
    let runs = exp.runs.len();
    let n = a.array.unwrap_or(runs).clamp(1, runs.max(1));
    let file = abs(&exp.path);
    let results = abs(&a.results);
    let logs = abs(&a.out).join("logs");
    let name = sanitize(&exp.name);
    let mut array = String::new();
    let _ = writeln!(array, "#!/bin/bash");
    let _ = writeln!(array, "#SBATCH --job-name=mixout-{name}");
    let _ = writeln!(array, "#SBATCH --array=0-{}", n - 1);
    let _ = writeln!(array, "#SBATCH --output={}/%x-%A_%a.log", logs.display());
    let _ = writeln!(array, "#SBATCH --time={}", a.time);
    let _ = writeln!(array, "#SBATCH --cpus-per-task={}", a.cpus_per_task);
    let _ = writeln!(array, "#SBATCH --requeue");
    // A requeued task appends to its log instead of truncating the killed attempt's lines.
    let _ = writeln!(array, "#SBATCH --open-mode=append");
    if a.gpus_per_task > 0 {
        let _ = writeln!(array, "#SBATCH --gpus-per-task={}", a.gpus_per_task);
    }
    if let Some(p) = &a.partition {
        let _ = writeln!(array, "#SBATCH --partition={p}");
    }
    let device = if a.gpus_per_task > 0 { "cuda" } else { "cpu" };
    let _ = writeln!(array, "# Shard K of {n}: finished runs are skipped, so a requeued task resumes.");
    // No --quiet: it lowers the log level to warn, and the task log should say which runs
    // started, finished and were skipped. Progress bars stay off (stderr is not a terminal).
    let _ = writeln!(
        array,
        "exec {} run {} --results {} --shard \"$SLURM_ARRAY_TASK_ID/{n}\" --device {device} --threads {}",
        exe.display(),
        file.display(),
        results.display(),
        a.cpus_per_task
    );
    let mut report = String::new();
    let _ = writeln!(report, "#!/bin/bash");
    let _ = writeln!(report, "#SBATCH --job-name=mixout-{name}-report");
    let _ = writeln!(report, "#SBATCH --output={}/%x-%j.log", logs.display());
    let _ = writeln!(report, "#SBATCH --time=00:30:00");
    if let Some(p) = &a.partition {
        let _ = writeln!(report, "#SBATCH --partition={p}");
    }
    let _ = writeln!(report, "{} status {} --results {}", exe.display(), file.display(), results.display());
    let _ = writeln!(report, "exec {} report {}", exe.display(), results.join(&name).display());
    (array, report, n)
}

/// Runs `mixout slurm`.
pub fn run(a: SlurmArgs) -> Result<()> {
    let exp = Study::load(&a.file, &Overrides { jobs: 1, ..Default::default() })?;
    if a.array == Some(0) {
        bail!("--array must be at least 1");
    }
    let exe = std::env::current_exe().context("finding the mixout executable")?;
    let (array, report, n) = scripts(&exp, &a, &exe);
    std::fs::create_dir_all(a.out.join("logs")).with_context(|| format!("creating {}", a.out.display()))?;
    let name = sanitize(&exp.name);
    let array_path = a.out.join(format!("{name}-array.sbatch"));
    let report_path = a.out.join(format!("{name}-report.sbatch"));
    std::fs::write(&array_path, array).with_context(|| format!("writing {}", array_path.display()))?;
    std::fs::write(&report_path, report).with_context(|| format!("writing {}", report_path.display()))?;
    println!("wrote {} ({n} array tasks) and {}", array_path.display(), report_path.display());
    if !a.submit {
        println!(
            "submit with: jobid=$(sbatch --parsable {}) && sbatch --dependency=afterany:$jobid {}",
            array_path.display(),
            report_path.display()
        );
        return Ok(());
    }
    let out = std::process::Command::new("sbatch")
        .arg("--parsable")
        .arg(&array_path)
        .output()
        .context("running sbatch (is Slurm installed?)")?;
    if !out.status.success() {
        bail!("sbatch {} failed: {}", array_path.display(), String::from_utf8_lossy(&out.stderr).trim());
    }
    let jobid = String::from_utf8_lossy(&out.stdout).trim().split(';').next().unwrap_or_default().to_string();
    let out2 = std::process::Command::new("sbatch")
        .arg("--parsable")
        .arg(format!("--dependency=afterany:{jobid}"))
        .arg(&report_path)
        .output()
        .context("running sbatch for the report job")?;
    if !out2.status.success() {
        bail!("sbatch {} failed: {}", report_path.display(), String::from_utf8_lossy(&out2.stderr).trim());
    }
    let report_id = String::from_utf8_lossy(&out2.stdout).trim().to_string();
    println!("submitted array job {jobid} and report job {report_id}");
    Ok(())
}
