//! The seams of a sweep, each through the `mixout` binary on the shipped L3 model and real
//! RTE data (issue 17's bugs; each test fails on the code before the fix): data located by
//! each setting, per-setting devices, damaged and changed result files, one model resolver,
//! run locks and children that die with their sweep.

mod common;

use assert_cmd::Command;
use mixout_report::{read_results_dir, RunResult, RunStatus};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A one-epoch, one-batch study: seconds per run.
fn tiny(name: &str, settings: &str) -> String {
    format!(
        "name: {name}\ntask: RTE\nmodel: paraphrase-MiniLM-L3-v2\ntrain_subset: 16\nbatch_size: 16\nmax_seq_len: 32\n\
         epochs: 1\nrestarts: 1\ndevice: cpu\nthreads: 1\neval: final\n{settings}"
    )
}

fn mixout() -> Command {
    let mut c = Command::cargo_bin("mixout").unwrap();
    c.env("MIXOUT_SHARED", common::shared()).env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `mixout run FILE --results DIR [args]`: (success, stderr).
fn run(yaml: &Path, results: &Path, args: &[&str]) -> (bool, String) {
    let out = mixout().arg("run").arg(yaml).arg("--results").arg(results).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn settings_that_differ_only_in_data_dir_use_their_own_data() {
    // Bug 1: the data cache key left the data location out, so the second setting trained
    // and evaluated on the first one's data.
    let tmp = tempfile::tempdir().unwrap();
    for (dir, dev_rows) in [("full", usize::MAX), ("short", 41)] {
        let rte = tmp.path().join(dir).join("RTE");
        std::fs::create_dir_all(&rte).unwrap();
        std::fs::copy(common::glue().join("RTE/train.tsv"), rte.join("train.tsv")).unwrap();
        let dev = std::fs::read_to_string(common::glue().join("RTE/dev.tsv")).unwrap();
        std::fs::write(rte.join("dev.tsv"), dev.lines().take(dev_rows).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    }
    let yaml = write(
        tmp.path(),
        "data.yaml",
        &tiny("data", "settings:\n  - {label: full, data_dir: full}\n  - {label: short, data_dir: short}\n"),
    );
    let (ok, err) = run(&yaml, &tmp.path().join("r"), &["--quiet"]);
    assert!(ok, "{err}");
    let rs = read_results_dir(&tmp.path().join("r/data")).unwrap();
    let (full, short) = (&rs[0], &rs[1]);
    assert_eq!(full.setting, "full");
    // RTE dev: 131 of 277 entailment → chance 52.7; the first 40 rows have another majority share.
    assert!((full.chance - 100.0 * 146.0 / 277.0).abs() < 1e-9, "{}", full.chance);
    assert_ne!(full.chance, short.chance, "`short` must be scored on its own 40 dev rows");
}

#[test]
fn each_setting_runs_on_its_own_device_and_threads() {
    // Bug 3: device, threads and GPU placement were taken from the first setting, even when
    // `--only` picked another: here the first asks for a GPU this machine lacks.
    let tmp = tempfile::tempdir().unwrap();
    let gpus = tch_free_cuda_count();
    let yaml = write(
        tmp.path(),
        "dev.yaml",
        &tiny(
            "dev",
            &format!("settings:\n  - {{label: gpu, device: 'cuda:{gpus}', threads: 2}}\n  - {{label: cpu, device: cpu, threads: 1}}\n"),
        ),
    );
    let (ok, err) = run(&yaml, &tmp.path().join("r"), &["--only", "cpu-seed1", "--jobs", "2", "--quiet"]);
    assert!(ok, "{err}");
    let r = RunResult::read(&tmp.path().join("r/dev/cpu/cpu-seed1.json")).unwrap();
    assert_eq!((r.device.as_str(), r.threads), ("cpu", 1), "the `cpu` setting's own device and threads");
    let (ok, err) = run(&yaml, &tmp.path().join("r"), &["--only", "gpu-seed1", "--quiet"]);
    assert!(!ok && err.contains(&format!("cuda:{gpus}")), "the `gpu` setting fails on its own device: {err}");
}

/// CUDA devices visible here, without linking libtorch into this check: NVIDIA's device files.
fn tch_free_cuda_count() -> usize {
    (0..64).take_while(|i| Path::new(&format!("/dev/nvidia{i}")).exists()).count()
}

#[test]
fn a_damaged_result_is_set_aside_and_redone() {
    // Bug 10: a truncated result file was trusted ("already finished"), and the report then
    // stopped on it.
    let tmp = tempfile::tempdir().unwrap();
    let yaml = write(tmp.path(), "dmg.yaml", &tiny("dmg", ""));
    let results = tmp.path().join("r");
    assert!(run(&yaml, &results, &["--quiet"]).0);
    let file = results.join("dmg/dropout0.1_wd00.01/dropout0.1_wd00.01-seed1.json");
    let text = std::fs::read(&file).unwrap();
    std::fs::write(&file, &text[..100]).unwrap();
    let (ok, err) = run(&yaml, &results, &[]);
    assert!(ok, "{err}");
    assert!(err.contains("does not parse") && err.contains("redone"), "{err}");
    assert!(RunResult::read(&file).is_ok(), "the run was redone");
    let aside = file.with_file_name("dropout0.1_wd00.01-seed1.json.damaged");
    assert_eq!(std::fs::read(&aside).unwrap(), &text[..100], "the damaged file is kept, not deleted");
    mixout().arg("report").arg(results.join("dmg")).assert().success();
}

#[test]
fn a_changed_setting_stops_before_running_and_redo_changed_redoes_it() {
    // Bug 13: resume matched runs by file name only, so a changed setting silently reused
    // the old results.
    let tmp = tempfile::tempdir().unwrap();
    let results = tmp.path().join("r");
    let yaml = write(tmp.path(), "chg.yaml", &tiny("chg", "settings:\n  - {label: a, lr: 2.0e-5}\n"));
    assert!(run(&yaml, &results, &["--quiet"]).0);
    let file = results.join("chg/a/a-seed1.json");
    let before = std::fs::read(&file).unwrap();
    write(tmp.path(), "chg.yaml", &tiny("chg", "settings:\n  - {label: a, lr: 5.0e-4, epochs: 2}\n"));
    let (ok, err) = run(&yaml, &results, &["--quiet"]);
    assert!(!ok, "a changed setting must not reuse old results");
    for want in ["setting `a`", "epochs: 1 -> 2", "lr: 0.00002 -> 0.0005", "--redo-changed", "nothing was run"] {
        assert!(err.contains(want), "missing `{want}` in: {err}");
    }
    assert_eq!(std::fs::read(&file).unwrap(), before, "nothing was touched");
    let (ok, err) = run(&yaml, &results, &["--quiet", "--redo-changed"]);
    assert!(ok, "{err}");
    assert_eq!(RunResult::read(&file).unwrap().epochs.len(), 2, "redone with the new setting");
    assert_eq!(std::fs::read(file.with_file_name("a-seed1.json.superseded")).unwrap(), before, "old result kept");
    // A relabelled setting or more restarts keep finished runs valid.
    write(
        tmp.path(),
        "chg.yaml",
        &tiny("chg", "restarts: 2\nsettings:\n  - {label: a, lr: 5.0e-4, epochs: 2}\n").replace("restarts: 1\n", ""),
    );
    let (ok, err) = run(&yaml, &results, &["--only", "a-seed1"]);
    assert!(ok && err.contains("1 of 1 runs already finished"), "{err}");
}

#[test]
fn run_and_predict_resolve_a_missing_model_with_one_message() {
    // Bug 12: `predict` said "missing `model.safetensors`" where `run` said "no such folder".
    let tmp = tempfile::tempdir().unwrap();
    let yaml = write(tmp.path(), "m.yaml", &tiny("m", "").replace("paraphrase-MiniLM-L3-v2", "/nonexistent"));
    let (ok, run_err) = run(&yaml, &tmp.path().join("r"), &["--quiet"]);
    let out = mixout()
        .args(["predict", "--model", "/nonexistent", "--task", "RTE", "--out"])
        .arg(tmp.path().join("p.jsonl"))
        .output()
        .unwrap();
    let predict_err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!ok && !out.status.success());
    for err in [&run_err, &predict_err] {
        assert!(err.contains("/nonexistent") && err.contains("no such folder"), "{err}");
    }
}

#[test]
fn a_run_locked_by_another_process_is_left_to_it() {
    // Bug 14 (locks): a resumed sweep could train a run that a surviving process was still
    // training, with two writers of one result file.
    let tmp = tempfile::tempdir().unwrap();
    let yaml = write(tmp.path(), "lk.yaml", &tiny("lk", "settings:\n  - {label: a}\n"));
    let results = tmp.path().join("r");
    let lock_dir = results.join("lk/a");
    std::fs::create_dir_all(&lock_dir).unwrap();
    let lock = std::fs::File::create(lock_dir.join(".a-seed1.lock")).unwrap();
    lock.try_lock().unwrap();
    let (ok, err) = run(&yaml, &results, &[]);
    assert!(ok && err.contains("being trained by another process"), "{err}");
    assert!(!lock_dir.join("a-seed1.json").exists(), "not trained twice");
    drop(lock);
    assert!(run(&yaml, &results, &["--quiet"]).0);
    assert!(lock_dir.join("a-seed1.json").is_file());
}

/// Pids of the processes whose parent is `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let mut out = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(p) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else { continue };
        // Fields after the command name, which is in parentheses and may hold spaces.
        let rest: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
        if rest.get(1).and_then(|s| s.parse::<u32>().ok()) == Some(pid) && rest.first() != Some(&"Z") {
            out.push(p);
        }
    }
    out
}

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.rsplit_once(')').is_some_and(|(_, r)| !r.trim_start().starts_with('Z')))
        .unwrap_or(false)
}

#[test]
fn children_die_with_a_killed_sweep() {
    // Bug 14: a SIGKILLed `--jobs` sweep left its children training.
    let tmp = tempfile::tempdir().unwrap();
    let yaml = write(
        tmp.path(),
        "kill.yaml",
        &tiny("kill", "train_subset: 256\nsettings:\n  - {label: a}\n  - {label: b}\n")
            .replace("train_subset: 16\n", ""),
    );
    let mut parent = std::process::Command::new(assert_cmd::cargo::cargo_bin("mixout"))
        .arg("run")
        .arg(&yaml)
        .arg("--results")
        .arg(tmp.path().join("r"))
        .args(["--jobs", "2", "--quiet"])
        .env("MIXOUT_SHARED", common::shared())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let kids = loop {
        let k = children_of(parent.id());
        if k.len() == 2 {
            break k;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "the sweep did not start 2 children");
        std::thread::sleep(Duration::from_millis(50));
    };
    parent.kill().unwrap();
    parent.wait().unwrap();
    let t0 = Instant::now();
    while kids.iter().any(|&k| alive(k)) {
        assert!(t0.elapsed() < Duration::from_secs(10), "children {kids:?} outlived their killed sweep");
        std::thread::sleep(Duration::from_millis(50));
    }
    let written = read_results_dir(&tmp.path().join("r/kill")).map(|r| r.len()).unwrap_or(0);
    assert_eq!(written, 0, "nothing finished: the children were killed mid-run");
    let _ = RunStatus::Finished;
}
