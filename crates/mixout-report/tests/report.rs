//! End-to-end tests of `write_report` on result fixtures built in code
//! ([`common`]: synthetic result files in the real format).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{run, Spec, BASELINE, MIXOUT07};
use mixout_report::plot::Kind;
use mixout_report::{write_report, ReportError, RunResult};

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
        Spec { setting: "dropout0.0", index: 2, dropout: 0.0, mixout_p: 0.0, wdecay: 0.0, toward: "zero" },
        Spec { setting: "dropout0.3", index: 3, dropout: 0.3, mixout_p: 0.0, wdecay: 0.0, toward: "zero" },
        Spec { setting: "dropout0.5", index: 4, dropout: 0.5, mixout_p: 0.0, wdecay: 0.0, toward: "zero" },
        Spec { setting: "mixout0.3", index: 5, dropout: 0.0, mixout_p: 0.3, wdecay: 0.0, toward: "zero" },
        Spec { setting: "mixout0.9", index: 6, dropout: 0.0, mixout_p: 0.9, wdecay: 0.0, toward: "zero" },
    ];
    for (k, spec) in sweep.iter().enumerate() {
        for seed in 1..=3u64 {
            runs.push(run("RTE", "accuracy", 52.7, spec, seed, Some(55.0 + k as f64 + seed as f64)));
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
    files.iter().map(|p| p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default()).collect()
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
            "evp_CoLA.png",
            "stability_RTE.png",
            "psweep_RTE.png",
            "curves_RTE.png",
            "evp_RTE.png",
            "index.html"
        ]
    );
    for f in &report.files {
        assert!(f.is_file(), "{} missing", f.display());
    }
    for f in report.files.iter().filter(|f| f.extension().is_some_and(|e| e == "png")) {
        let (w, h) = png_size(f);
        assert_eq!((w, h), report.figures.iter().find(|g| &g.path == f).expect("figure").size);
        assert_eq!(h, mixout_report::plot::HEIGHT, "{}", f.display());
        assert!(w >= mixout_report::plot::MIN_WIDTH, "{}", f.display());
    }
    // Seven RTE settings, no groups: one panel, one row, the minimum size.
    assert_eq!(png_size(&out.path().join("report/stability_RTE.png")), (1280, 720));
    assert_eq!(png_size(&out.path().join("report/psweep_RTE.png")), (1280, 720));
    assert_eq!(png_size(&out.path().join("report/evp_RTE.png")), (1280, 720));

    let csv = std::fs::read_to_string(&report.files[1]).expect("csv");
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 2 + 7, "one row per (task, setting)");
    let row = |task: &str, setting: &str| {
        rows.iter().find(|r| r["task"] == task && r["setting"] == setting).expect("row present").clone()
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
        ("baseline", "baseline"),
        ("baseline_has_runs", "true"),
        ("pairs", ""),
        ("failure_test", ""),
        ("failure_p", ""),
        // Three finished runs: no expected maximum over five.
        ("evp_n5", ""),
        ("precision", "fp32"),
        ("group", ""),
        ("paper_table", "Table 1"),
        ("paper_mean", "56.5"),
        ("paper_max", "73.6"),
    ] {
        assert_eq!(base[k], v, "baseline {k}");
    }
    // Wilson 1/3, z = 1.959964: denom = 1 + z²/3 = 2.280486, centre = (1/3 + z²/6)/denom
    // = 0.426916, half = z·sqrt(2/27 + z²/36)/denom = 0.365424 → [0.061492, 0.792340].
    let ci = |r: &BTreeMap<String, String>, k: &str| -> f64 { r[k].parse().expect("number") };
    assert!((ci(&base, "failure_rate") - 1.0 / 3.0).abs() < 1e-12);
    assert!((ci(&base, "failure_ci_low") - 0.061492).abs() < 1e-6);
    assert!((ci(&base, "failure_ci_high") - 0.792340).abs() < 1e-6);
    let mix = row("RTE", "mixout0.7");
    // 55, 64, 76 and a diverged seed 4 at chance 52.7: mean 247.7/4 = 61.925, deviations
    // −9.225, −6.925, 2.075, 14.075 → ss 335.4675, /3, sqrt; median (55 + 64)/2 = 59.5.
    // The finished only: mean 65.
    assert_eq!(mix["runs"], "4");
    assert_eq!(mix["finished"], "3");
    assert!((ci(&mix, "mean") - 61.925).abs() < 1e-12, "{}", mix["mean"]);
    assert_eq!((mix["median"].as_str(), mix["min"].as_str(), mix["mean_finished"].as_str()), ("59.5", "52.7", "65"));
    let std: f64 = mix["std"].parse().expect("number");
    assert!((std - (335.4675f64 / 3.0).sqrt()).abs() < 1e-9);
    assert_eq!((mix["failed"].as_str(), mix["diverged"].as_str()), ("1", "1"));
    // Paired over seeds 1..3: differences 5, 4, 6 → mean 5, CI inside [4, 6].
    assert_eq!(mix["pairs"], "3");
    assert_eq!(mix["delta_mean"], "5");
    let lo: f64 = mix["delta_ci_low"].parse().expect("number");
    let hi: f64 = mix["delta_ci_high"].parse().expect("number");
    assert!((4.0..=5.0).contains(&lo) && (5.0..=6.0).contains(&hi), "[{lo}, {hi}]");
    // Seed 4 (diverged, a failure) has no pair: the seeds are not the same, so Fisher over all
    // 7 runs, [[1 failed, 3 ok], [1, 2]]: weights C(4,a)·C(3,2−a) = 3, 12, 6 of 21, all ≤ the
    // observed 12, p = 1. (McNemar over seeds 1..3 alone would drop the diverged run.)
    assert_eq!(mix["failure_test"].as_str(), "fisher");
    assert!((ci(&mix, "failure_p") - 1.0).abs() < 1e-12, "{}", mix["failure_p"]);
    assert_eq!((mix["baseline"].as_str(), mix["is_baseline"].as_str()), ("baseline", "false"));
    // Head `none` on the paper's layers at mixout 0.7 is Table 3's first row, the same
    // runs as Table 1's mixout(w_pre, 0.7).
    assert_eq!(mix["paper_setting"], "mixout(w_pre, 0.7), head none");
    assert_eq!(mix["paper_table"], "Tables 1, 3");
    assert_eq!((mix["paper_mean"].as_str(), mix["paper_max"].as_str()), ("61.6", "74"));
    assert_eq!(row("RTE", "dropout0.3")["paper_setting"], "");
    assert_eq!(row("CoLA", "cola-mixout0.7")["paper_mean"], "57.4");
    assert_eq!(row("CoLA", "cola-baseline")["failed"], "1", "MCC 0 is at chance");

    let md = std::fs::read_to_string(&report.files[0]).expect("md");
    assert!(
        md.contains(
            // E[max] with 3 finished runs (50, 60, 70) is shown at n=3: weights 1/27, 7/27,
            // 19/27, so (50 + 420 + 1330)/27 = 66.67. RTE has a diverged run (in mixout0.7):
            // the finished-only mean is a column of every row.
            "| `baseline` | 3 | 60.0 | 60.0 | 10.0 | 60.0 | 50.0 | 70.0 | 66.7 (n=3) | 1/3 = 33% (6–79%) | 0 | \
             baseline | - | 56.5 (73.6) — Table 1: dropout(0.1)+wdecay(0, .01) |"
        ),
        "{md}"
    );
    // One baseline, all fp32, no groups: none of the optional columns.
    assert!(!md.contains("| group |") && !md.contains("| precision |"), "{md}");
    assert!(!md.contains("| diverged | baseline |"), "{md}");
    assert!(md.contains("| `mixout0.7` | 4 | 61.9 | 65.0 | 10.6 | 59.5 | 52.7 | 76.0 |"), "{md}");
    assert!(md.contains("1/4 = 25% (5–70%) | 1 | +5.0 ["), "{md}");
    assert!(md.contains("| 1.000 (Fisher, partly paired: 3 seeds shared) | 61.6 (74.0) — Tables 1, 3:"), "{md}");
    assert!(md.contains("![evp_RTE.png](evp_RTE.png)"));
    assert!(md.contains("Wilson score interval"));
    assert!(md.contains("Dodge et al. 2019"));
    assert!(md.contains("counts in mean, std, median, min, max, E[max] and Δ at the task's **chance score**"));
    assert!(md.contains("sentence-encoder MiniLMs"));
    assert!(md.contains("not comparable"));
    assert!(md.contains("chance score"));
    assert!(md.contains("![psweep_RTE.png](psweep_RTE.png)"));
    assert!(report.table.contains("RTE: dev accuracy, chance 52.7, baseline baseline"), "{}", report.table);
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

/// A run of the grouped study: `spec` with group, baseline and head set.
fn grouped(spec: &Spec, group: &str, baseline: &str, head: &str, seed: u64, score: Option<f64>) -> RunResult {
    let mut r = run("RTE", "accuracy", 52.7, spec, seed, score);
    r.group = Some(group.into());
    r.baseline = Some(baseline.into());
    r.params.head = head.into();
    r
}

/// The markdown table row of a setting (the line holding its quoted label after a group cell).
fn md_row<'a>(md: &'a str, start: &str) -> &'a str {
    md.lines().find(|l| l.starts_with(start)).unwrap_or_else(|| panic!("no row {start} in\n{md}"))
}

/// Four settings in two groups, each group with its own baseline; every Δ and
/// failure test must be against the group's baseline, not the task's first setting.
#[test]
fn per_group_baselines() {
    let results = tempfile::tempdir().expect("tempdir");
    let a_base = Spec { setting: "a-base", index: 0, ..BASELINE };
    let a_mix = Spec { setting: "a-mix", index: 1, ..MIXOUT07 };
    let b_base = Spec { setting: "b-base", index: 2, ..MIXOUT07 };
    let b_mix = Spec { setting: "b-mix", index: 3, ..MIXOUT07 };
    let seeds = 1..=5u64;
    let study: [(&Spec, &str, &str, &str, [f64; 5]); 4] = [
        (&a_base, "A", "a-base", "dropout(0.1)", [50.0, 60.0, 62.0, 64.0, 66.0]),
        (&a_mix, "A", "a-base", "mixout(w0, 0.7)", [58.0, 63.0, 61.0, 70.0, 68.0]),
        (&b_base, "B", "b-base", "none", [40.0, 45.0, 50.0, 52.0, 70.0]),
        (&b_mix, "B", "b-base", "dropout(0.7)", [60.0, 61.0, 62.0, 63.0, 75.0]),
    ];
    for (spec, group, baseline, head, scores) in &study {
        for (seed, score) in seeds.clone().zip(scores) {
            let mut r = grouped(spec, group, baseline, head, seed, Some(*score));
            if spec.setting == "b-mix" {
                r.params.precision = "bf16".into();
            }
            r.write_atomic(results.path()).expect("write");
        }
    }
    let out = tempfile::tempdir().expect("tempdir");
    let report = write_report(results.path(), out.path()).expect("report");
    let evp = out.path().join("evp_RTE.png");
    assert!(report.files.contains(&evp));
    assert_eq!(png_size(&evp), (mixout_report::plot::MIN_WIDTH, mixout_report::plot::HEIGHT));
    assert!(std::fs::metadata(&evp).expect("evp").len() > 10_000, "a drawn plot, not a blank");

    let csv = std::fs::read_to_string(out.path().join("summary.csv")).expect("csv");
    let rows = csv_rows(&csv);
    let row = |setting: &str| rows.iter().find(|r| r["setting"] == setting).expect("row").clone();
    let num = |r: &BTreeMap<String, String>, k: &str| -> f64 {
        r[k].parse().unwrap_or_else(|_| panic!("{k} = {:?} is not a number", r[k]))
    };
    for (setting, group, baseline, is_base) in [
        ("a-base", "A", "a-base", "true"),
        ("a-mix", "A", "a-base", "false"),
        ("b-base", "B", "b-base", "true"),
        ("b-mix", "B", "b-base", "false"),
    ] {
        let r = row(setting);
        assert_eq!(
            (r["group"].as_str(), r["baseline"].as_str(), r["is_baseline"].as_str()),
            (group, baseline, is_base),
            "{setting}"
        );
    }
    // a-mix − a-base per seed: 8, 3, −1, 6, 2 → 18/5 = 3.6 (against b-base it would be 12.6).
    let a = row("a-mix");
    assert_eq!(a["pairs"], "5");
    assert!((num(&a, "delta_mean") - 3.6).abs() < 1e-12, "{}", a["delta_mean"]);
    // b-mix − b-base per seed: 20, 16, 12, 11, 5 → 64/5 = 12.8 (against a-base: 3.8).
    let b = row("b-mix");
    assert!((num(&b, "delta_mean") - 12.8).abs() < 1e-12, "{}", b["delta_mean"]);
    for r in [row("a-base"), row("b-base")] {
        assert_eq!((r["pairs"].as_str(), r["delta_mean"].as_str()), ("", ""));
    }
    // Failures (≤ 52.7): a-base seed 1, a-mix none → McNemar b = 0, c = 1 → p = 1.
    // b-base seeds 1..4, b-mix none → b = 0, c = 4 → p = 2·(1/2)⁴ = 0.125.
    assert_eq!((a["failure_test"].as_str(), num(&a, "failure_p")), ("mcnemar", 1.0));
    assert_eq!(b["failure_test"], "mcnemar");
    assert!((num(&b, "failure_p") - 0.125).abs() < 1e-12);
    assert_eq!(row("b-base")["failed"], "4");
    // Wilson 4/5 mirrors 1/5: [1 − 0.624465, 1 − 0.036224]; 0/5: [0, (z²/5)/(1 + z²/5)]
    // = 0.768292/1.768292 = 0.434482.
    let bb = row("b-base");
    assert!((num(&bb, "failure_ci_low") - 0.375535).abs() < 1e-6);
    assert!((num(&bb, "failure_ci_high") - 0.963776).abs() < 1e-6);
    assert!((num(&b, "failure_ci_high") - 0.434482).abs() < 1e-6);
    // E[max] over 5 restarts, weights (i/5)⁵ − ((i−1)/5)⁵ = (1, 31, 211, 781, 2101)/3125:
    // a-base (50·1 + 60·31 + 62·211 + 64·781 + 66·2101)/3125 = 203642/3125 = 65.16544;
    // b-mix (60·1 + 61·31 + 62·211 + 63·781 + 75·2101)/3125 = 221811/3125 = 70.97952.
    assert!((num(&row("a-base"), "evp_n5") - 65.16544).abs() < 1e-9);
    assert!((num(&b, "evp_n5") - 70.97952).abs() < 1e-9);
    assert_eq!(b["precision"], "bf16");
    // Table 3: the paper's layers at mixout 0.7, no weight decay, and the head.
    assert_eq!((a["paper_table"].as_str(), a["paper_mean"].as_str()), ("Table 3", "66.5"));
    assert_eq!((b["paper_mean"].as_str(), b["paper_max"].as_str()), ("57.2", "70.8"));
    assert_eq!(row("b-base")["paper_table"], "Tables 1, 3");

    let md = std::fs::read_to_string(out.path().join("summary.md")).expect("md");
    assert!(md.contains("## RTE — dev accuracy, chance 52.7, baselines per setting"), "{md}");
    assert!(md.contains(
        "| group | setting | precision | runs | mean | std | median | min | max | E[max] n=5 | \
         failed (95% CI) | diverged | baseline | Δ mean vs baseline [95% CI] |"
    ));
    // b-mix: mean 321/5 = 64.2, ss = 150.8, std = sqrt(37.7) = 6.14, median 62.
    let line = md_row(&md, "| `B` | `b-mix` |");
    assert!(
        line.starts_with(
            "| `B` | `b-mix` | bf16 | 5 | 64.2 | 6.1 | 62.0 | 60.0 | 75.0 | 71.0 | \
             0/5 = 0% (0–43%) | 0 | `b-base` | +12.8 ["
        ),
        "{line}"
    );
    assert!(line.contains("(n=5) | 0.125 (McNemar) | 57.2 (70.8) — Table 3: "), "{line}");
    let line = md_row(&md, "| `A` | `a-mix` |");
    assert!(line.contains("| `a-base` | +3.6 ["), "{line}");
    assert!(line.contains("| 1.000 (McNemar) | 66.5 (75.5) — Table 3:"), "{line}");
    let line = md_row(&md, "| `B` | `b-base` |");
    assert!(line.contains("4/5 = 80% (38–96%) | 0 | itself | baseline | - |"), "{line}");
    assert!(md_row(&md, "| `A` | `a-base` |").contains("| 65.2 | 1/5 = 20% (4–62%) |"));
    assert!(report.table.contains("baselines per setting"), "{}", report.table);
}

/// A named baseline with no runs is reported in its row, and settings that share no
/// seed with their baseline get Fisher's test instead of McNemar's.
#[test]
fn missing_baseline_and_disjoint_seeds() {
    let results = tempfile::tempdir().expect("tempdir");
    let base = Spec { setting: "x-base", index: 0, ..BASELINE };
    let disjoint = Spec { setting: "x-disjoint", index: 1, ..MIXOUT07 };
    let orphan = Spec { setting: "x-orphan", index: 2, ..MIXOUT07 };
    let chance = 81.2;
    let mut runs = Vec::new();
    for (seed, s) in (1..=5).zip([80.0, 85.0, 86.0, 87.0, 88.0]) {
        runs.push(run("MRPC", "f1", chance, &base, seed, Some(s)));
    }
    for (seed, s) in (11..=15).zip([70.0, 75.0, 80.0, 85.0, 86.0]) {
        runs.push(run("MRPC", "f1", chance, &disjoint, seed, Some(s)));
    }
    for (seed, s) in [(1, Some(84.0)), (2, None), (3, Some(83.0))] {
        runs.push(run("MRPC", "f1", chance, &orphan, seed, s));
    }
    for mut r in runs {
        r.baseline = Some(if r.setting == "x-orphan" { "ghost" } else { "x-base" }.into());
        r.write_atomic(results.path()).expect("write");
    }
    let out = tempfile::tempdir().expect("tempdir");
    let report = write_report(results.path(), out.path()).expect("report");
    let csv = std::fs::read_to_string(out.path().join("summary.csv")).expect("csv");
    let rows = csv_rows(&csv);
    let row = |setting: &str| rows.iter().find(|r| r["setting"] == setting).expect("row").clone();

    // No shared seed: Fisher on [[3 failed, 2 ok], [1, 4]]. Margins 5, 5 / 4, 6, C(10, 4) = 210,
    // P(x) ∝ C(5, x)·C(5, 4 − x) = 5, 50, 100, 50, 5; observed x = 3: p = 110/210.
    let d = row("x-disjoint");
    assert_eq!((d["failure_test"].as_str(), d["pairs"].as_str()), ("fisher", ""));
    let p: f64 = d["failure_p"].parse().expect("number");
    assert!((p - 110.0 / 210.0).abs() < 1e-12, "{p}");
    let o = row("x-orphan");
    assert_eq!(
        (o["baseline"].as_str(), o["baseline_has_runs"].as_str(), o["failure_test"].as_str()),
        ("ghost", "false", "")
    );
    // One of three diverged: 1/3 failed; E[max] over the two finished only, so none at n = 5.
    assert_eq!((o["failed"].as_str(), o["finished"].as_str(), o["evp_n5"].as_str()), ("1", "2", ""));

    let md = std::fs::read_to_string(out.path().join("summary.md")).expect("md");
    let line = md_row(&md, "| `x-orphan` |");
    assert!(line.contains("| `ghost` (no runs) | baseline `ghost` has no runs | - |"), "{line}");
    let line = md_row(&md, "| `x-disjoint` |");
    assert!(line.contains("| `x-base` | no shared seeds | 0.524 (Fisher) |"), "{line}");
    assert!(report.table.contains("baseline ghost has no runs"), "{}", report.table);
}

/// The 20-restart demo sweep (`cargo run --example demo_report` keeps one): eleven
/// settings, two p-sweep families, failures that fall with the mixout probability.
#[test]
fn demo_sweep_report() {
    let results = tempfile::tempdir().expect("tempdir");
    common::demo_sweep(results.path());
    let out = tempfile::tempdir().expect("tempdir");
    let report = write_report(results.path(), out.path()).expect("demo report");
    assert_eq!(
        names(&report.files),
        [
            "summary.md",
            "summary.csv",
            "stability_RTE.png",
            "psweep_RTE.png",
            "curves_RTE.png",
            "evp_RTE.png",
            "index.html"
        ]
    );
    let rows = csv_rows(&std::fs::read_to_string(&report.files[1]).expect("csv"));
    assert_eq!(rows.len(), 11, "one row per setting");
    assert!(rows.iter().all(|r| r["runs"] == "20"), "20 restarts each");
    let row = |s: &str| rows.iter().find(|r| r["setting"] == s).expect("row").clone();
    let base = row("dropout0.1+wdecay0.01");
    assert_eq!((base["diverged"].as_str(), base["finished"].as_str()), ("1", "19"));
    assert_eq!(
        (base["is_baseline"].as_str(), row("mixout0.9")["baseline"].as_str()),
        ("true", "dropout0.1+wdecay0.01")
    );
    let failed = |s: &str| -> usize { row(s)["failed"].parse().expect("count") };
    assert!(failed("mixout0.9") < failed("dropout0.0"), "the demo's failures fall with p");
    // 20 finished runs: E[max] at n = 5 exists and lies between the mean and the max.
    let num = |r: &BTreeMap<String, String>, k: &str| -> f64 { r[k].parse().expect("number") };
    let m = row("mixout0.8");
    assert!(num(&m, "mean") < num(&m, "evp_n5") && num(&m, "evp_n5") < num(&m, "max"));
    for f in report.files.iter().filter(|f| f.extension().is_some_and(|e| e == "png")) {
        assert!(std::fs::metadata(f).expect("png").len() > 10_000, "{} is a drawn plot", f.display());
    }
    // Eleven settings, no groups: one panel of eleven columns in one row.
    let stability = report.figures.iter().find(|f| f.kind == Kind::Stability).expect("stability");
    assert_eq!((stability.panels, stability.lines, stability.page), (1, 11, (1, 1)));
    // 11 columns of 112 px plus the margins: 104 + 11·112 + 84.
    assert_eq!(png_size(&stability.path), (1420, mixout_report::plot::HEIGHT));
    let psweep = report.figures.iter().find(|f| f.kind == Kind::Psweep).expect("psweep");
    assert_eq!(psweep.lines, 2, "the dropout and the mixout family");
}

/// Issue 26's hand-made studies through `write_report`. (1) Seeds 1–20 of A all failed,
/// seeds 20–39 of B none, seed 20 shared: McNemar over the one shared seed said p = 1;
/// Fisher on all 40 runs says 2/C(40, 20) ≈ 1.5e-11. (3) After a setting was inserted
/// above `D`, its later runs carry another setting index and another baseline: one row of
/// five runs, with a warning, not two rows.
#[test]
fn issue_26_partly_paired_seeds_and_one_row_per_label() {
    let results = tempfile::tempdir().expect("tempdir");
    let a = Spec { setting: "A", index: 0, ..BASELINE };
    let b = Spec { setting: "B", index: 1, ..MIXOUT07 };
    let mut runs = Vec::new();
    for seed in 1..=20 {
        runs.push(run("RTE", "accuracy", 52.7, &a, seed, Some(50.0)));
    }
    for seed in 20..40 {
        runs.push(run("RTE", "accuracy", 52.7, &b, seed, Some(60.0)));
    }
    for (seed, index, baseline) in [(1, 2, "A"), (2, 2, "A"), (3, 2, "A"), (4, 3, "B"), (5, 3, "B")] {
        let d = Spec { setting: "D", index, ..MIXOUT07 };
        let mut r = run("RTE", "accuracy", 52.7, &d, seed, Some(55.0 + seed as f64));
        r.baseline = Some(baseline.into());
        runs.push(r);
    }
    for mut r in runs {
        if r.setting != "D" {
            r.baseline = Some("A".into());
        }
        r.write_atomic(results.path()).expect("write");
    }
    let out = tempfile::tempdir().expect("tempdir");
    write_report(results.path(), out.path()).expect("report");
    let rows = csv_rows(&std::fs::read_to_string(out.path().join("summary.csv")).expect("csv"));
    let b_row = rows.iter().find(|r| r["setting"] == "B").expect("row B");
    assert_eq!(b_row["failure_test"], "fisher");
    let p: f64 = b_row["failure_p"].parse().expect("number");
    assert!((p / (2.0 / 137_846_528_820.0) - 1.0).abs() < 1e-6, "{p}");
    let d_rows: Vec<_> = rows.iter().filter(|r| r["setting"] == "D").collect();
    assert_eq!(d_rows.len(), 1, "one row per label");
    assert_eq!((d_rows[0]["runs"].as_str(), d_rows[0]["baseline"].as_str()), ("5", "A"));
    let md = std::fs::read_to_string(out.path().join("summary.md")).expect("md");
    assert!(md_row(&md, "| `B` |").contains("(Fisher, partly paired: 1 seed shared)"), "{md}");
    assert!(md.contains("setting `D`: its runs record baseline `A` (3 runs) and `B` (2 runs); using `A`"), "{md}");
    let html = std::fs::read_to_string(out.path().join("index.html")).expect("html");
    assert!(html.contains("<strong>Warning:</strong> setting `D`"), "no warning in index.html");
}

/// Issue 26 (2), survivor bias: 10 runs, 5 diverged and 5 at 70.0, against a baseline at
/// 50.0. Dropping the diverged runs reported mean 70.0 and Δ +20.0; they count at the chance
/// score 52.7: mean (5·52.7 + 5·70)/10 = 61.35, Δ = +11.35 over the 10 paired seeds, and the
/// finished-only mean 70.0 beside it.
#[test]
fn diverged_runs_count_at_chance_in_the_mean_and_the_delta() {
    let results = tempfile::tempdir().expect("tempdir");
    let base = Spec { setting: "base", index: 0, ..BASELINE };
    let shaky = Spec { setting: "shaky", index: 1, ..MIXOUT07 };
    for seed in 1..=10u64 {
        let mut b = run("RTE", "accuracy", 52.7, &base, seed, Some(50.0));
        let mut s = run("RTE", "accuracy", 52.7, &shaky, seed, (seed > 5).then_some(70.0));
        b.baseline = Some("base".into());
        s.baseline = Some("base".into());
        b.write_atomic(results.path()).expect("write");
        s.write_atomic(results.path()).expect("write");
    }
    let out = tempfile::tempdir().expect("tempdir");
    write_report(results.path(), out.path()).expect("report");
    let rows = csv_rows(&std::fs::read_to_string(out.path().join("summary.csv")).expect("csv"));
    let r = rows.iter().find(|r| r["setting"] == "shaky").expect("row");
    let num = |k: &str| -> f64 { r[k].parse().expect("number") };
    assert!((num("mean") - 61.35).abs() < 1e-9, "{}", r["mean"]);
    assert!((num("delta_mean") - 11.35).abs() < 1e-9, "{}", r["delta_mean"]);
    assert_eq!((r["pairs"].as_str(), r["finished"].as_str(), r["diverged"].as_str()), ("10", "5", "5"));
    assert_eq!((r["mean_finished"].as_str(), r["min"].as_str()), ("70", "52.7"));
    let md = std::fs::read_to_string(out.path().join("summary.md")).expect("md");
    assert!(md_row(&md, "| `shaky` |").contains("| 10 | 61.4 | 70.0 |"), "{md}");
}
