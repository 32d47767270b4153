//! Scale-out on Slurm, as text: a job array whose task K runs shard K/N of a study into a
//! shared results folder, and a dependent job that writes the report. No I/O here; the
//! `slurm` command writes and submits what this returns.

use crate::sanitize;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// What the scripts need to know of a study.
#[derive(Debug, Clone, Copy)]
pub struct StudyRef<'a> {
    /// The experiment file.
    pub file: &'a Path,
    /// The experiment's name.
    pub name: &'a str,
    /// How many runs it has.
    pub runs: usize,
}

/// The job's options (`mixout slurm` flags).
#[derive(Debug, Clone)]
pub struct SlurmJob {
    /// Array tasks (shards); `None`: one per run.
    pub array: Option<usize>,
    /// GPUs per array task (0 = CPU).
    pub gpus_per_task: usize,
    /// CPUs per array task.
    pub cpus_per_task: usize,
    /// Time limit per array task (Slurm syntax).
    pub time: String,
    /// Partition.
    pub partition: Option<String>,
    /// Parent results folder.
    pub results: PathBuf,
    /// Where the scripts and logs go.
    pub out: PathBuf,
}

/// `p` as one shell word: single-quoted, each `'` written `'\''`. A study at
/// `/x/rte paper.yaml` must reach `mixout` as one argument.
pub fn sh_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn abs(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The job-array script, the report script and the number of array tasks.
pub fn scripts(study: &StudyRef, a: &SlurmJob, exe: &Path) -> (String, String, usize) {
    let runs = study.runs;
    let n = a.array.unwrap_or(runs).clamp(1, runs.max(1));
    let file = abs(study.file);
    let results = abs(&a.results);
    let logs = abs(&a.out).join("logs");
    let name = sanitize(study.name);
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
        sh_quote(exe),
        sh_quote(&file),
        sh_quote(&results),
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
    let _ = writeln!(report, "{} status {} --results {}", sh_quote(exe), sh_quote(&file), sh_quote(&results));
    let _ = writeln!(report, "exec {} report {}", sh_quote(exe), sh_quote(&results.join(&name)));
    (array, report, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(array: Option<usize>, gpus: usize) -> SlurmJob {
        SlurmJob {
            array,
            gpus_per_task: gpus,
            cpus_per_task: 4,
            time: "01:00:00".into(),
            partition: Some("gpu".into()),
            results: "/shared/results".into(),
            out: "/shared/slurm".into(),
        }
    }

    #[test]
    fn paths_with_spaces_and_quotes_reach_mixout_as_one_argument_each() {
        // Issue 26 (9): `/x/rte paper.yaml` gave a broken exec line. Run the lines through
        // bash with `exec` replaced by printing each argument on its own line.
        let study = StudyRef { file: Path::new("/x/rte paper's.yaml"), name: "rte", runs: 4 };
        let a = SlurmJob { results: PathBuf::from("/r s/results"), ..job(None, 0) };
        let (array, report, _) = scripts(&study, &a, Path::new("/opt/my bin/mixout"));
        let exec = |script: &str| -> Vec<String> {
            let line = script.lines().rev().find(|l| l.starts_with("exec ")).unwrap();
            let cmd = format!("SLURM_ARRAY_TASK_ID=2; printf '%s\\n' {}", &line["exec ".len()..]);
            let out = std::process::Command::new("bash").args(["-c", &cmd]).output().unwrap();
            assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect()
        };
        let args = exec(&array);
        assert_eq!(&args[..5], ["/opt/my bin/mixout", "run", "/x/rte paper's.yaml", "--results", "/r s/results"]);
        assert_eq!(&args[5..7], ["--shard", "2/4"]);
        assert_eq!(exec(&report), ["/opt/my bin/mixout", "report", "/r s/results/rte"]);
    }

    #[test]
    fn one_task_per_shard_clamped_to_the_runs_with_the_device_of_the_job() {
        let study = StudyRef { file: Path::new("/x/rte paper.yaml"), name: "rte paper", runs: 10 };
        let (array, report, n) = scripts(&study, &job(None, 1), Path::new("/bin/mixout"));
        assert_eq!(n, 10);
        assert!(
            array.contains("#SBATCH --array=0-9") && array.contains("#SBATCH --job-name=mixout-rte_paper"),
            "{array}"
        );
        assert!(array.contains("--shard \"$SLURM_ARRAY_TASK_ID/10\" --device cuda --threads 4"), "{array}");
        assert!(array.contains("#SBATCH --gpus-per-task=1") && array.contains("#SBATCH --partition=gpu"));
        assert!(report.contains("'/bin/mixout' report '/shared/results/rte_paper'"), "{report}");
        let (array, _, n) = scripts(&study, &job(Some(64), 0), Path::new("/bin/mixout"));
        assert_eq!(n, 10, "never more tasks than runs");
        assert!(array.contains("--device cpu") && !array.contains("gpus-per-task"), "{array}");
        assert_eq!(scripts(&study, &job(Some(3), 0), Path::new("m")).2, 3);
    }
}
