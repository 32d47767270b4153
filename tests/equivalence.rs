//! The restructuring of issue 17 changed no behaviour: the equivalence study
//! (tests/fixtures/equivalence/study.yaml: 2 settings × 2 seeds on L3 and a 64-example RTE
//! subset, with dropout, LLRD, mixout, re-initialisation and wdecay(w_pre)) gives the result
//! files recorded before it (`expected/`, written by main at 687a579 on the 2-core dev
//! machine) bit for bit: scores, dev metrics and per-epoch losses. Versions, timings and
//! fields added since (the configuration fingerprint) are not compared. Same seed, same
//! config, same device → the same numbers; on a machine with another CPU kernel path the
//! last bits of the floats may differ, and this test says so by failing.

mod common;

use assert_cmd::Command;
use mixout_report::{read_results_dir, RunResult};
use std::path::Path;

const STUDY: &str = "tests/fixtures/equivalence/study.yaml";
const EXPECTED: &str = "tests/fixtures/equivalence/expected";

/// What must not change, as exact JSON text of the floats (so `-0.0` vs `0.0` or one ulp shows).
fn numbers(r: &RunResult) -> serde_json::Value {
    serde_json::json!({
        "run_id": r.run_id, "seed": r.seed, "status": r.status, "score": r.score, "final_dev": r.final_dev,
        "failed": r.failed, "chance": r.chance, "steps": r.steps, "diverged_at_step": r.diverged_at_step,
        "epochs": r.epochs.iter().map(|e| serde_json::json!({"epoch": e.epoch, "step": e.step,
            "train_loss": e.train_loss, "dev": e.dev})).collect::<Vec<_>>(),
        "params": r.params, "metric": r.metric, "setting": r.setting, "group": r.group, "baseline": r.baseline,
    })
}

#[test]
fn the_equivalence_study_gives_the_recorded_numbers_bit_for_bit() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("mixout")
        .unwrap()
        .env("MIXOUT_SHARED", common::shared())
        .args(["run", STUDY, "--quiet", "--results"])
        .arg(tmp.path())
        .assert()
        .success();
    let got = read_results_dir(&tmp.path().join("equivalence")).unwrap();
    let mut expected: Vec<RunResult> =
        std::fs::read_dir(EXPECTED).unwrap().map(|e| RunResult::read(&e.unwrap().path()).unwrap()).collect();
    expected.sort_by_key(|r| (r.setting_index, r.seed));
    assert_eq!(got.len(), 4, "2 settings x 2 seeds");
    assert_eq!(expected.len(), 4, "{EXPECTED} holds the 4 recorded runs");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(numbers(g).to_string(), numbers(e).to_string(), "run {} differs from {}", g.run_id, EXPECTED);
        assert!(Path::new(EXPECTED).join(format!("{}.json", g.run_id)).is_file());
    }
}
