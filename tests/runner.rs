//! The runner end to end through the `mixout` binary: a real two-setting, two-seed RTE
//! study with the L3 model, killed midway and resumed, checked for determinism, for
//! parallel jobs, for divergence handling and for the errors of broken YAMLs.

mod common;

use assert_cmd::Command;
use mixout_report::{read_results_dir, RunResult, RunStatus};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const STUDY: &str = "tests/fixtures/study_tiny.yaml";

fn mixout() -> Command {
    let mut c = Command::cargo_bin("mixout").unwrap();
    c.env("MIXOUT_SHARED", common::shared()).env("NO_COLOR", "1");
    c
}

/// Result files with the fields that legitimately vary (timings) blanked out.
fn comparable(dir: &Path) -> Vec<RunResult> {
    let mut rs = read_results_dir(dir).unwrap();
    for r in &mut rs {
        r.wall_time_s = 0.0;
        r.steps_per_s = 0.0;
    }
    rs
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    for entry in walk(dir) {
        if entry.extension().is_some_and(|e| e == "json") {
            out.push(entry);
        }
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn study_is_resumable_deterministic_and_parallel_safe() {
    let tmp = tempfile::tempdir().unwrap();
    let killed = tmp.path().join("killed");
    // 1. Start the study and kill it hard once the first run has been written.
    let bin = assert_cmd::cargo::cargo_bin("mixout");
    let mut child = std::process::Command::new(&bin)
        .args(["run", STUDY, "--results"])
        .arg(&killed)
        .arg("--quiet")
        .env("MIXOUT_SHARED", common::shared())
        .spawn()
        .unwrap();
    let study_dir = killed.join("study-tiny");
    let t0 = Instant::now();
    while json_files(&study_dir).is_empty() {
        assert!(t0.elapsed() < Duration::from_secs(300), "no run finished within 5 minutes");
        assert!(child.try_wait().unwrap().is_none(), "the study ended before it could be killed");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let after_kill = json_files(&study_dir);
    assert!(!after_kill.is_empty() && after_kill.len() < 4, "killed midway: {} of 4 runs written", after_kill.len());
    for f in &after_kill {
        RunResult::read(f).expect("every result file left by a killed run is complete");
    }

    // 2. Resume: finished runs are skipped, the rest run, nothing is duplicated.
    let out = mixout().args(["run", STUDY, "--results"]).arg(&killed).output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains(&format!("{} skipped", after_kill.len())), "{log}");
    let resumed = json_files(&study_dir);
    assert_eq!(resumed.len(), 4, "{resumed:?}");
    let rs = comparable(&study_dir);
    let mut ids: Vec<&str> = rs.iter().map(|r| r.run_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["dropout0.1-seed1", "dropout0.1-seed2", "mixout0.9-seed1", "mixout0.9-seed2"]);
    for r in &rs {
        assert_eq!(r.status, RunStatus::Finished);
        assert_eq!(r.epochs.len(), 2);
        assert_eq!(r.steps, 6, "48 examples / 16 per batch × 2 epochs");
        let s = r.score.unwrap();
        assert!((0.0..=100.0).contains(&s));
        assert_eq!(r.failed, s <= r.chance);
        assert!((r.chance - 52.7076).abs() < 1e-3, "RTE dev majority class");
    }
    assert_eq!(rs.iter().find(|r| r.setting == "mixout0.9").unwrap().params.mixout_p, 0.9);
    assert_eq!(rs.iter().find(|r| r.setting == "mixout0.9").unwrap().params.dropout, 0.0);

    // 3. A fresh sequential run gives bit-identical results (timings aside).
    let fresh = tmp.path().join("fresh");
    mixout().args(["run", STUDY, "--quiet", "--results"]).arg(&fresh).assert().success();
    assert_eq!(comparable(&fresh.join("study-tiny")), rs, "same seed, same config, same device: same numbers");

    // 4. Two parallel jobs give the same results as the sequential sweep.
    let par = tmp.path().join("parallel");
    mixout().args(["run", STUDY, "--jobs", "2", "--results"]).arg(&par).assert().success();
    assert_eq!(comparable(&par.join("study-tiny")), rs, "--jobs 2 equals --jobs 1");

    // 5. The report reads the results folder and draws the plots.
    let report = tmp.path().join("report");
    let out = mixout().arg("report").arg(study_dir.as_os_str()).arg("--out").arg(&report).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("mixout0.9"));
    assert!(report.join("stability_RTE.png").is_file() && report.join("summary.csv").is_file());
}

#[test]
fn a_diverged_run_is_recorded_and_the_sweep_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("div.yaml");
    // The first setting diverges through its configuration alone: an Adam ε of 1e-300 is 0
    // in fp32, so a parameter whose gradient is exactly zero (an embedding row no token of
    // the batch uses) gets 0/0 = NaN, and the next batch that uses the row has a NaN loss.
    std::fs::write(
        &yaml,
        std::fs::read_to_string(STUDY)
            .unwrap()
            .replace("name: study-tiny", "name: div")
            .replace("restarts: 2", "restarts: 1")
            .replace("    dropout: 0.1\n", "    dropout: 0.1\n    optimizer: {eps: 1.0e-300}\n"),
    )
    .unwrap();
    let out = mixout().args(["run"]).arg(&yaml).arg("--results").arg(tmp.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rs = read_results_dir(&tmp.path().join("div")).unwrap();
    assert_eq!(rs.len(), 2, "both settings ran");
    assert_eq!(rs[0].status, RunStatus::Diverged, "{}", rs[0].run_id);
    assert_eq!(rs[0].diverged_at_step, Some(1), "step 0 made the unused rows NaN, step 1's loss is NaN");
    assert!(rs[0].failed && rs[0].score.is_none());
    assert_eq!(rs[1].status, RunStatus::Finished, "the sweep went on: {}", rs[1].run_id);
    assert!(rs[1].score.is_some());
}

#[test]
fn broken_yamls_get_errors_naming_file_field_and_expectation() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "typo.yaml",
            "task: RTE\nlearnig_rate: 2.0e-5\n",
            vec!["typo.yaml", "learnig_rate", "line 2", "expected one of"],
        ),
        (
            "p.yaml",
            "task: RTE\nsettings:\n  - label: m\n    mixout: {p: 1.0}\n",
            vec!["p.yaml", "settings[0]", "mixout.p", "[0, 1)"],
        ),
        ("malformed.yaml", "task: RTE\nsettings: [\n", vec!["malformed.yaml", "line"]),
        ("type.yaml", "task: RTE\nepochs: three\n", vec!["type.yaml", "epochs", "invalid type"]),
        ("negp.yaml", "task: RTE\nmixout: {p: -0.1}\n", vec!["negp.yaml", "mixout.p", "p = -0.1 is outside [0, 1)"]),
        ("grid.yaml", "task: RTE\ngrid: {mixout.q: [0.1]}\n", vec!["grid.yaml", "grid: unknown key `mixout.q`"]),
        // The silent no-op new users hit: labelled mixout0.5, mixing nothing.
        (
            "noop.yaml",
            "task: RTE\nmodel: paraphrase-MiniLM-L3-v2\nmixout: {p: 0.5, layers: none, include: [\"nothing.*\"]}\n",
            vec!["noop.yaml", "setting `mixout0.5", "mixout.include pattern `nothing.*` matches no parameter"],
        ),
        (
            "noexclude.yaml",
            "task: RTE\nmodel: paraphrase-MiniLM-L3-v2\nmixout: {p: 0.5, exclude: [\"bert.pooler.dens\"]}\n",
            vec!["mixout.exclude pattern `bert.pooler.dens` matches no parameter"],
        ),
    ];
    for (name, text, needles) in cases {
        let path = tmp.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = mixout().arg("check").arg(&path).output().unwrap();
        assert!(!out.status.success(), "{name} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        for n in needles {
            assert!(err.contains(n), "{name}: `{n}` missing from: {err}");
        }
        assert!(
            !err.contains("p = 1 would") || !name.starts_with("negp"),
            "{name}: a negative p is not about p = 1: {err}"
        );
    }
    // `run` stops on the no-op before any run starts, and writes nothing.
    let res = tmp.path().join("res");
    let out = mixout().arg("run").arg(tmp.path().join("noop.yaml")).arg("--results").arg(&res).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("matches no parameter"));
    assert_eq!(std::fs::read_dir(res.join("noop")).map(|d| d.count()).unwrap_or(0), 0, "nothing was run");
    let out = mixout().args(["check", "no/such/file.yaml"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.yaml"));
}

#[test]
fn check_lists_runs_and_help_lists_subcommands() {
    let out = mixout().args(["check", STUDY]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("4 run(s)") && text.contains("mixout0.9-seed2"), "{text}");
    let help = String::from_utf8_lossy(&mixout().arg("--help").output().unwrap().stdout).to_string();
    for sub in ["run", "check", "inspect", "report", "predict", "bench"] {
        assert!(help.contains(&format!("  {sub} ")), "--help lacks `{sub}`: {help}");
    }
}

#[test]
fn a_custom_task_from_user_columns_runs_end_to_end() {
    // A user's own TSV with its own column names: 40 RTE pairs re-written.
    let tmp = tempfile::tempdir().unwrap();
    let rte = std::fs::read_to_string(common::glue().join("RTE/train.tsv")).unwrap();
    let mut tsv = String::from("gold\thypothesis\tpremise\n");
    for line in rte.lines().skip(1).take(40) {
        let f: Vec<&str> = line.split('\t').collect();
        tsv.push_str(&format!("{}\t{}\t{}\n", if f[3] == "entailment" { "yes" } else { "no" }, f[2], f[1]));
    }
    std::fs::write(tmp.path().join("train.tsv"), &tsv).unwrap();
    std::fs::write(tmp.path().join("dev.tsv"), &tsv).unwrap();
    let yaml = tmp.path().join("custom.yaml");
    std::fs::write(
        &yaml,
        "name: custom\ncustom_task: {name: MyNLI, train: train.tsv, dev: dev.tsv, text_a: premise, text_b: hypothesis, label: gold, labels: [yes, no]}\nmodel: paraphrase-MiniLM-L3-v2\nmax_seq_len: 64\nbatch_size: 20\nepochs: 1\nrestarts: 1\ndevice: cpu\n",
    )
    .unwrap();
    let out = mixout().arg("run").arg(&yaml).arg("--results").arg(tmp.path().join("res")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rs = read_results_dir(&tmp.path().join("res/custom")).unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].task, "MyNLI");
    assert_eq!(rs[0].metric, "accuracy");
    assert_eq!(rs[0].steps, 2);
}

#[test]
fn a_saved_model_predicts_what_the_run_scored() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("save.yaml");
    std::fs::write(
        &yaml,
        "name: save\ntask: RTE\nmodel: paraphrase-MiniLM-L3-v2\ntrain_subset: 32\nmax_seq_len: 64\nbatch_size: 16\nepochs: 1\nrestarts: 1\ndevice: cpu\nsave_model: true\nlr: 1.0e-4\n",
    )
    .unwrap();
    let res = tmp.path().join("res");
    let out = mixout().arg("run").arg(&yaml).arg("--results").arg(&res).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run = &read_results_dir(&res.join("save")).unwrap()[0];
    let model = res.join("save/models").join(&run.run_id);
    for f in ["config.json", "vocab.txt", "model.safetensors"] {
        assert!(model.join(f).is_file(), "{f} missing from the saved model");
    }
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("config.json")).unwrap()).unwrap();
    assert_eq!(cfg["id2label"]["1"], "not_entailment");
    let names: Vec<String> =
        tch::Tensor::read_safetensors(model.join("model.safetensors")).unwrap().into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"bert.encoder.layer.0.attention.self.query.weight".to_string())
            && names.contains(&"classifier.weight".to_string())
    );

    let preds = tmp.path().join("preds.jsonl");
    let out = mixout()
        .args(["predict", "--task", "RTE", "--split", "dev", "--max-seq-len", "64", "--device", "cpu", "--model"])
        .arg(&model)
        .arg("--out")
        .arg(&preds)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&preds).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 277, "one line per RTE dev example");
    let dev = std::fs::read_to_string(common::glue().join("RTE/dev.tsv")).unwrap();
    let gold: Vec<&str> = dev.lines().skip(1).map(|l| l.split('\t').nth(3).unwrap()).collect();
    let correct = lines.iter().zip(&gold).filter(|(p, g)| p["prediction"] == **g).count();
    let acc = 100.0 * correct as f64 / 277.0;
    assert!((acc - run.score.unwrap()).abs() < 1e-9, "predict gives {acc}, the run scored {:?}", run.score);
    assert_eq!(lines[5]["index"], 5);
    assert_eq!(lines[0]["logits"].as_array().unwrap().len(), 2);
}
