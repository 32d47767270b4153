//! End-to-end tests of `write_report` on result fixtures built in code.
//!
//! Set `MIXOUT_REPORT_DEMO_OUT=DIR` to also keep a report of a 20-restart demo
//! sweep in DIR, for looking at the plots.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mixout_report::{
    write_report, EpochRecord, ReportError, RunParams, RunResult, RunStatus, Versions,
};

struct Spec {
    setting: &'static str,
    index: usize,
    dropout: f64,
    mixout_p: f64,
    wdecay: f64,
    toward: &'static str,
}

const BASELINE: Spec = Spec {
    setting: "baseline",
    index: 0,
    dropout: 0.1,
    mixout_p: 0.0,
    wdecay: 0.01,
    toward: "zero",
};
const MIXOUT07: Spec = Spec {
    setting: "mixout0.7",
    index: 1,
    dropout: 0.0,
    mixout_p: 0.7,
    wdecay: 0.0,
    toward: "zero",
};

/// One run; `score` None means diverged.
fn run(
    task: &str,
    metric: &str,
    chance: f64,
    spec: &Spec,
    seed: u64,
    score: Option<f64>,
) -> RunResult {
    let status = if score.is_some() { RunStatus::Finished } else { RunStatus::Diverged };
    let n_epochs = if score.is_some() { 3 } else { 1 };
    let epochs = (1..=n_epochs)
        .map(|e| {
            let mut dev = BTreeMap::new();
            let last = score.unwrap_or(chance);
            dev.insert(metric.to_string(), last - 6.0 / e as f64 + (seed % 3) as f64);
            EpochRecord {
                epoch: e,
                step: 78 * e as u64,
                train_loss: 0.7 / e as f64 + 0.01 * seed as f64 - 0.002 * score.unwrap_or(60.0)
                    + 0.1,
                dev,
            }
        })
        .collect();
    let mut final_dev = BTreeMap::new();
    if let Some(s) = score {
        final_dev.insert(metric.to_string(), s);
    }
    RunResult {
        schema_version: mixout_report::results::SCHEMA_VERSION,
        experiment: "fixture".into(),
        setting: spec.setting.into(),
        setting_index: spec.index,
        run_id: format!("{}-seed{seed}", spec.setting),
        seed,
        task: task.into(),
        model: "/shared/models/paraphrase-MiniLM-L3-v2".into(),
        metric: metric.into(),
        chance,
        status,
        score,
        final_dev,
        failed: score.is_none_or(|s| s <= chance),
        diverged_at_step: if score.is_none() { Some(100) } else { None },
        epochs,
        params: RunParams {
            dropout: spec.dropout,
            mixout_p: spec.mixout_p,
            mixout_layers: "paper".into(),
            head: "none".into(),
            wdecay: spec.wdecay,
            wdecay_toward: spec.toward.into(),
            lr: 2e-5,
            epochs: 3,
            bias_correction: false,
            train_subset: None,
        },
        config: serde_json::json!({}),
        device: "cpu".into(),
        threads: 2,
        versions: Versions {
            mixout: "0.1.0".into(),
            tch: "0.17.0".into(),
            libtorch: "2.4.0".into(),
            git: None,
        },
        steps: 234,
        wall_time_s: 1.0,
        steps_per_s: 1.0,
    }
}

/// Small fixture: RTE with hand-checkable numbers, a failed and a diverged run and
/// a p-sweep; CoLA with two settings and no p-sweep.
fn small_fixture(dir: &Path) {
    let mut runs = Vec::new();
    for (seed, s) in [(1, 50.0), (2, 60.0), (3, 70.0)] {
        runs.push(run("RTE", "accuracy", 52.7, &BASELINE, seed, Some(s)));
    }
    for (seed, s) in [(1, Some(55.0)), (2, Some(64.0)), (3, Some(76.0)), (4, None)] {
        runs.push(run("RTE", "accuracy", 52.7, &MIXOUT07, seed, s));
    }
    let sweep = [
        Spec {
            setting: "dropout0.0",
            index: 2,
            dropout: 0.0,
            mixout_p: 0.0,
            wdecay: 0.0,
            toward: "zero",
        },
        Spec {
            setting: "dropout0.3",
            index: 3,
            dropout: 0.3,
            mixout_p: 0.0,
            wdecay: 0.0,
            toward: "zero",
        },
        Spec {
            setting: "dropout0.5",
            index: 4,
            dropout: 0.5,
            mixout_p: 0.0,
            wdecay: 0.0,
            toward: "zero",
        },
        Spec {
            setting: "mixout0.3",
            index: 5,
            dropout: 0.0,
            mixout_p: 0.3,
            wdecay: 0.0,
            toward: "zero",
        },
        Spec {
            setting: "mixout0.9",
            index: 6,
            dropout: 0.0,
            mixout_p: 0.9,
            wdecay: 0.0,
            toward: "zero",
        },
    ];
    for (k, spec) in sweep.iter().enumerate() {
        for seed in 1..=3u64 {
            runs.push(run(
                "RTE",
                "accuracy",
                52.7,
                spec,
                seed,
                Some(55.0 + k as f64 + seed as f64),
            ));
        }
    }
    // Result paths are <setting>/<setting>-seed<seed>.json, so a setting label
    // belongs to one task: CoLA's settings get their own labels.
    let cola_base = Spec { setting: "cola-baseline", ..BASELINE };
    let cola_mix = Spec { setting: "cola-mixout0.7", ..MIXOUT07 };
    for (seed, s) in [(1, 0.0), (2, 20.0)] {
        runs.push(run("CoLA", "mcc", 0.0, &cola_base, seed, Some(s)));
        runs.push(run("CoLA", "mcc", 0.0, &cola_mix, seed, Some(s + 30.0)));
    }
    for r in runs {
        r.write_atomic(dir).expect("write fixture");
    }
}

/// Width and height from a PNG's IHDR chunk, after checking the signature.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).expect("read png");
    assert!(bytes.len() > 24, "{} too short", path.display());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{} is not a PNG", path.display());
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

fn names(files: &[PathBuf]) -> Vec<String> {
    files
        .iter()
        .map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default())
        .collect()
}

fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    lines
        .map(|l| {
            // The fixture's paper labels hold quoted commas; parse minimal CSV.
            let mut fields = Vec::new();
            let (mut cur, mut quoted) = (String::new(), false);
            for c in l.chars() {
                match c {
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            assert_eq!(fields.len(), header.len(), "row {l}");
            header.iter().map(|h| h.to_string()).zip(fields).collect()
        })
        .collect()
}

#[test]
fn report_writes_every_file_with_hand_checked_numbers() {
    let results = tempfile::tempdir().expect("tempdir");
    small_fixture(results.path());
    let out = tempfile::tempdir().expect("tempdir");
    let report = write_report(results.path(), &out.path().join("report")).expect("report");

    assert_eq!(
        names(&report.files),
        [
            "summary.md",
            "summary.csv",
            "stability_CoLA.png",
            "curves_CoLA.png",
            "stability_RTE.png",
            "psweep_RTE.png",
            "curves_RTE.png"
        ]
    );
    for f in &report.files {
        assert!(f.is_file(), "{} missing", f.display());
    }
    for f in report.files.iter().filter(|f| f.extension().is_some_and(|e| e == "png")) {
        let (w, h) = png_size(f);
        assert_eq!(h, mixout_report::plot::HEIGHT, "{}", f.display());
        assert!(w >= mixout_report::plot::MIN_WIDTH, "{}", f.display());
    }
    // Seven RTE settings widen the stability plot beyond the minimum: 200 + 150·7.
    assert_eq!(png_size(&out.path().join("report/stability_RTE.png")), (1280, 720));
    assert_eq!(png_size(&out.path().join("report/psweep_RTE.png")), (1280, 720));

    let csv = std::fs::read_to_string(&report.files[1]).expect("csv");
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 2 + 7, "one row per (task, setting)");
    let row = |task: &str, setting: &str| {
        rows.iter()
            .find(|r| r["task"] == task && r["setting"] == setting)
            .expect("row present")
            .clone()
    };
    let base = row("RTE", "baseline");
    // 50, 60, 70: mean 60, sample std 10, median 60; 50 ≤ 52.7 is a failed run.
    for (k, v) in [
        ("runs", "3"),
        ("finished", "3"),
        ("mean", "60"),
        ("std", "10"),
        ("median", "60"),
        ("min", "50"),
        ("max", "70"),
        ("failed", "1"),
        ("diverged", "0"),
        ("is_baseline", "true"),
        ("pairs", ""),
        ("paper_mean", "56.5"),
        ("paper_max", "73.6"),
    ] {
        assert_eq!(base[k], v, "baseline {k}");
    }
    let mix = row("RTE", "mixout0.7");
    // 55, 64, 76 (+ a diverged seed 4): mean 65, deviations −10, −1, 11 → ss 222, /2, sqrt.
    assert_eq!(mix["runs"], "4");
    assert_eq!(mix["finished"], "3");
    assert_eq!(mix["mean"], "65");
    let std: f64 = mix["std"].parse().expect("number");
    assert!((std - 111f64.sqrt()).abs() < 1e-12);
    assert_eq!((mix["failed"].as_str(), mix["diverged"].as_str()), ("1", "1"));
    // Paired over seeds 1..3: differences 5, 4, 6 → mean 5, CI inside [4, 6].
    assert_eq!(mix["pairs"], "3");
    assert_eq!(mix["delta_mean"], "5");
    let lo: f64 = mix["delta_ci_low"].parse().expect("number");
    let hi: f64 = mix["delta_ci_high"].parse().expect("number");
    assert!((4.0..=5.0).contains(&lo) && (5.0..=6.0).contains(&hi), "[{lo}, {hi}]");
    assert_eq!(mix["paper_setting"], "mixout(w_pre, 0.7)");
    assert_eq!((mix["paper_mean"].as_str(), mix["paper_max"].as_str()), ("61.6", "74"));
    assert_eq!(row("RTE", "dropout0.3")["paper_setting"], "");
    assert_eq!(row("CoLA", "cola-mixout0.7")["paper_mean"], "57.4");
    assert_eq!(row("CoLA", "cola-baseline")["failed"], "1", "MCC 0 is at chance");

    let md = std::fs::read_to_string(&report.files[0]).expect("md");
    assert!(
        md.contains(
            "| `baseline` | 3 | 60.0 | 10.0 | 60.0 | 50.0 | 70.0 | 1 | 0 | baseline | 56.5 (73.6)"
        ),
        "{md}"
    );
    assert!(md.contains("sentence-encoder MiniLMs"));
    assert!(md.contains("not comparable"));
    assert!(md.contains("chance score"));
    assert!(md.contains("![psweep_RTE.png](psweep_RTE.png)"));
    assert!(
        report.table.contains("RTE: dev accuracy, chance 52.7, baseline baseline"),
        "{}",
        report.table
    );
    assert!(report.table.contains("+5.0 ["), "{}", report.table);
    assert!(report.table.contains("61.6 (74.0)"));
}

#[test]
fn rendering_twice_gives_identical_files() {
    let results = tempfile::tempdir().expect("tempdir");
    small_fixture(results.path());
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    let ra = write_report(results.path(), a.path()).expect("report a");
    let rb = write_report(results.path(), b.path()).expect("report b");
    assert_eq!(ra.table, rb.table);
    assert_eq!(names(&ra.files), names(&rb.files));
    for (fa, fb) in ra.files.iter().zip(&rb.files) {
        let (ba, bb) = (std::fs::read(fa).expect("a"), std::fs::read(fb).expect("b"));
        assert!(ba == bb, "{} differs between renderings", fa.display());
    }
}

#[test]
fn empty_and_missing_folders_are_errors() {
    let results = tempfile::tempdir().expect("tempdir");
    let out = tempfile::tempdir().expect("tempdir");
    assert!(matches!(write_report(results.path(), out.path()), Err(ReportError::Empty(_))));
    let missing = results.path().join("nope");
    assert!(matches!(write_report(&missing, out.path()), Err(ReportError::NotADir(_))));
}

#[test]
fn broken_result_file_names_the_file() {
    let results = tempfile::tempdir().expect("tempdir");
    small_fixture(results.path());
    let bad = results.path().join("baseline").join("broken.json");
    std::fs::write(&bad, "{ not json").expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    match write_report(results.path(), out.path()) {
        Err(ReportError::Json { path, .. }) => assert_eq!(path, bad),
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

/// A 20-restart sweep resembling the paper's, for looking at the plots.
#[test]
fn demo_report() {
    let Some(keep) = std::env::var_os("MIXOUT_REPORT_DEMO_OUT") else { return };
    let results = tempfile::tempdir().expect("tempdir");
    let mut state: u64 = 42;
    let mut uniform = move || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let specs = [
        ("dropout0.1+wdecay0.01", 0.1, 0.0, 0.01, "zero", 0.45, 58.0),
        ("wdecay_pre0.01", 0.1, 0.0, 0.01, "pretrained", 0.4, 59.0),
        ("dropout0.0", 0.0, 0.0, 0.0, "zero", 0.5, 57.0),
        ("dropout0.3", 0.3, 0.0, 0.0, "zero", 0.45, 58.0),
        ("dropout0.5", 0.5, 0.0, 0.0, "zero", 0.4, 58.0),
        ("mixout0.3", 0.0, 0.3, 0.0, "zero", 0.3, 60.0),
        ("mixout0.5", 0.0, 0.5, 0.0, "zero", 0.2, 61.0),
        ("mixout0.7", 0.0, 0.7, 0.0, "zero", 0.1, 62.0),
        ("mixout0.8", 0.0, 0.8, 0.0, "zero", 0.05, 63.0),
        ("mixout0.9", 0.0, 0.9, 0.0, "zero", 0.05, 63.0),
        ("mixout0.7+wdecay_pre0.01", 0.0, 0.7, 0.01, "pretrained", 0.05, 63.5),
    ];
    for (i, (name, dropout, mixout_p, wdecay, toward, fail_rate, centre)) in
        specs.into_iter().enumerate()
    {
        let spec = Spec { setting: name, index: i, dropout, mixout_p, wdecay, toward };
        for seed in 0..20u64 {
            let u = uniform();
            let score = if seed == 7 && i == 0 {
                None
            } else if u < fail_rate {
                Some(47.3 + 5.4 * uniform())
            } else {
                Some(centre + 8.0 * (uniform() - 0.5) + 4.0 * (uniform() - 0.5))
            };
            run("RTE", "accuracy", 52.7, &spec, seed, score)
                .write_atomic(results.path())
                .expect("write");
        }
    }
    let report = write_report(results.path(), Path::new(&keep)).expect("demo report");
    println!("{}", report.table);
    let small = tempfile::tempdir().expect("tempdir");
    small_fixture(small.path());
    let report = write_report(small.path(), &Path::new(&keep).join("small")).expect("small report");
    println!("{}", report.table);
}
