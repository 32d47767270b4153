//! Several results folders in one report: runs of equal ids stay apart, baselines resolve
//! within each folder, and a source column appears when the folders differ.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use mixout_report::{write_report_multi, RunResult};

/// Two settings × 3 seeds, same labels and run ids in every folder; `shift` moves the
/// mixout scores, so each folder's Δ against its own baseline is `shift`.
fn study(dir: &Path, experiment: &str, device: &str, shift: f64) {
    for (seed, base) in [(1, 60.0), (2, 62.0), (3, 64.0)] {
        for (spec, score) in [(&common::BASELINE, base), (&common::MIXOUT07, base + shift)] {
            let mut r: RunResult = common::run("RTE", "accuracy", 52.7, spec, seed, Some(score));
            r.experiment = experiment.into();
            r.device = device.into();
            r.write_atomic(dir).expect("write");
        }
    }
}

fn rows(csv: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_string).collect();
    // The fixture's fields hold no quoted commas but the paper label; keep the fields we read before it.
    lines.map(|l| header.iter().cloned().zip(l.split(',').map(str::to_string)).collect()).collect()
}

#[test]
fn folders_that_differ_get_a_source_and_keep_their_own_baselines() {
    let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    study(a.path(), "rte-cpu", "cpu", 2.0);
    study(b.path(), "rte-gpu", "cuda:0", 5.0);
    let out = tempfile::tempdir().expect("tempdir");
    let report = write_report_multi(&[a.path().to_path_buf(), b.path().to_path_buf()], out.path()).expect("report");
    let csv = std::fs::read_to_string(out.path().join("summary.csv")).expect("csv");
    let csv_rows = rows(&csv);
    assert_eq!(csv_rows.len(), 4, "equal labels and run ids of two folders are kept apart");
    let runs: usize = csv_rows.iter().map(|r| r["runs"].parse::<usize>().expect("count")).sum();
    assert_eq!(runs, 12, "no run merged or dropped");
    let mix: Vec<&BTreeMap<String, String>> = csv_rows.iter().filter(|r| r["setting"] == "mixout0.7").collect();
    let deltas: Vec<&str> = mix.iter().map(|r| r["delta_mean"].as_str()).collect();
    assert_eq!(deltas, ["2", "5"], "each folder compared with its own baseline");
    assert!(csv.lines().nth(1).expect("row").contains(",rte-cpu · cpu,"), "{csv}");
    assert!(csv.lines().nth(3).expect("row").contains(",rte-gpu · cuda,"), "{csv}");
    let md = std::fs::read_to_string(out.path().join("summary.md")).expect("md");
    assert!(md.contains("| source | setting |"), "{md}");
    assert!(report.table.contains("rte-gpu · cuda"), "{}", report.table);
    let html = std::fs::read_to_string(report.index().expect("index")).expect("html");
    assert!(html.contains("<th>source</th>") && html.contains("rte-cpu, rte-gpu"), "{html}");
    // One stability panel per source.
    let stability = report.figures.iter().find(|f| f.kind == mixout_report::plot::Kind::Stability).expect("fig");
    assert_eq!(stability.panels, 2);
}

#[test]
fn alike_folders_need_no_source_unless_labels_meet() {
    let (a, b) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
    study(a.path(), "rte", "cpu", 2.0);
    study(b.path(), "rte", "cpu", 3.0);
    let out = tempfile::tempdir().expect("tempdir");
    write_report_multi(&[a.path().to_path_buf(), b.path().to_path_buf()], out.path()).expect("report");
    let csv = std::fs::read_to_string(out.path().join("summary.csv")).expect("csv");
    // Same experiment, device, precision and harness, but the same labels: folder names tell them apart.
    let name = |d: &Path| d.file_name().expect("name").to_string_lossy().to_string();
    assert!(csv.lines().nth(1).expect("row").contains(&format!(",{},", name(a.path()))), "{csv}");
    // A single folder never has one.
    let single = tempfile::tempdir().expect("tempdir");
    mixout_report::write_report(a.path(), single.path()).expect("report");
    let csv = std::fs::read_to_string(single.path().join("summary.csv")).expect("csv");
    assert!(csv.lines().nth(1).expect("row").contains(",73.6,,"), "empty source: {csv}");
}
