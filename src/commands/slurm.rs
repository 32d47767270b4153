//! Scale-out on Slurm: a job array whose task K runs shard K/N of a study into a shared
//! results folder, plus a dependent job that writes the report.

use anyhow::{bail, Context, Result};
use mixout::study::{Overrides, Study};
use mixout_spec::sanitize;
use mixout_spec::slurm::{scripts, SlurmJob, StudyRef};
use std::path::PathBuf;

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

/// Runs `mixout slurm`.
pub fn run(a: SlurmArgs) -> Result<()> {
    let exp = Study::load(&a.file, &Overrides { jobs: 1, ..Default::default() })?;
    if a.array == Some(0) {
        bail!("--array must be at least 1");
    }
    let exe = std::env::current_exe().context("finding the mixout executable")?;
    let job = SlurmJob {
        array: a.array,
        gpus_per_task: a.gpus_per_task,
        cpus_per_task: a.cpus_per_task,
        time: a.time.clone(),
        partition: a.partition.clone(),
        results: a.results.clone(),
        out: a.out.clone(),
    };
    let study = StudyRef { file: &exp.path, name: &exp.name, runs: exp.runs.len() };
    let (array, report, n) = scripts(&study, &job, &exe);
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
