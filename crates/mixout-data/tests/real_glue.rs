//! The readers and chance scores on the real GLUE files in ../shared.

mod common;

use mixout_data::{Label, Predictions, Split, TaskKind, TaskSpec};

fn class_counts(examples: &[mixout_data::Example], n: usize) -> Vec<usize> {
    let mut counts = vec![0; n];
    for e in examples {
        match e.label {
            Label::Class(c) => counts[c] += 1,
            Label::Score(s) => panic!("classification example with score {s}"),
        }
    }
    counts
}

/// Task name, train rows, dev rows, train class counts, dev class counts.
type Expected = (&'static str, usize, usize, [usize; 2], [usize; 2]);

/// Counted with `wc -l`/`awk` on the files (CoLA dev lacks a final newline, so wc shows 1042).
const EXPECTED: [Expected; 4] = [
    ("RTE", 2490, 277, [1249, 1241], [146, 131]),
    ("MRPC", 3668, 408, [1194, 2474], [129, 279]),
    ("CoLA", 8551, 1043, [2528, 6023], [322, 721]),
    ("SST-2", 67349, 872, [29780, 37569], [428, 444]),
];

#[test]
fn classification_row_counts_and_label_balance() {
    let glue = common::glue_dir();
    for (name, n_train, n_dev, train_counts, dev_counts) in EXPECTED {
        let task = TaskSpec::glue(name, &glue).expect("known task");
        let train = task.load(Split::Train).expect("train reads");
        let dev = task.load(Split::Dev).expect("dev reads");
        assert_eq!((train.len(), dev.len()), (n_train, n_dev), "{name}");
        assert_eq!(class_counts(&train, 2), train_counts, "{name} train");
        assert_eq!(class_counts(&dev, 2), dev_counts, "{name} dev");
        let pairs = train.iter().filter(|e| e.text_b.is_some()).count();
        let expect_pairs = if matches!(name, "RTE" | "MRPC") { n_train } else { 0 };
        assert_eq!(pairs, expect_pairs, "{name} pair count");
    }
}

#[test]
fn stsb_row_counts_and_scores() {
    let glue = common::glue_dir();
    let task = TaskSpec::glue("STS-B", &glue).expect("known task");
    assert_eq!(task.kind, TaskKind::Regression);
    for (split, n, mean) in [(Split::Train, 5749, 2.701), (Split::Dev, 1500, 2.3639)] {
        let ex = task.load(split).expect("reads");
        assert_eq!(ex.len(), n, "{split}");
        let scores: Vec<f64> = ex
            .iter()
            .map(|e| match e.label {
                Label::Score(s) => f64::from(s),
                Label::Class(c) => panic!("regression example with class {c}"),
            })
            .collect();
        let m = scores.iter().sum::<f64>() / n as f64;
        assert!((m - mean).abs() < 1e-3, "{split} mean score {m}");
        assert!(scores.iter().all(|s| (0.0..=5.0).contains(s)));
        assert!(ex.iter().all(|e| e.text_b.is_some()));
    }
}

#[test]
fn quirks_are_handled() {
    let glue = common::glue_dir();
    // MRPC's BOM must not hide the `Quality` column, and bare quotes stay in the text.
    let mrpc = TaskSpec::glue("MRPC", &glue).expect("known").load(Split::Train).expect("reads");
    assert!(mrpc[0].text_a.starts_with("Amrozi accused his brother , whom he called \" the witness \""));
    // The pair the F0restL1n copy lacked is present.
    assert!(mrpc.iter().any(|e| e.text_a.starts_with("Officials at Brandeis said")
        || e.text_b.as_deref().is_some_and(|b| b.starts_with("Officials at Brandeis said"))));
    // CoLA: first line is data, not a header.
    let cola = TaskSpec::glue("CoLA", &glue).expect("known").load(Split::Train).expect("reads");
    assert_eq!(cola[0].text_a, "Our friends won't buy this analysis, let alone the next one we propose.");
    assert_eq!(cola[0].label, Label::Class(1));
}

#[test]
fn chance_scores_match_the_paper() {
    let glue = common::glue_dir();
    let chance = |name: &str| {
        let task = TaskSpec::glue(name, &glue).expect("known");
        let dev = task.load(Split::Dev).expect("reads");
        task.chance_score(&dev)
    };
    let round1 = |x: f64| (x * 10.0).round() / 10.0;
    assert_eq!(round1(chance("RTE")), 52.7);
    assert_eq!(round1(chance("MRPC")), 81.2);
    assert_eq!(chance("CoLA"), 0.0);
    assert_eq!(chance("STS-B"), 0.0);
    assert_eq!(round1(chance("SST-2")), 50.9);
}

#[test]
fn evaluate_on_real_dev_sets() {
    let glue = common::glue_dir();
    // Perfect predictions score 100 on every metric; constant ones score chance.
    for name in ["RTE", "MRPC", "CoLA", "SST-2"] {
        let task = TaskSpec::glue(name, &glue).expect("known");
        let dev = task.load(Split::Dev).expect("reads");
        let gold: Vec<Label> = dev.iter().map(|e| e.label).collect();
        let perfect: Vec<usize> = gold.iter().map(|l| if let Label::Class(c) = l { *c } else { 0 }).collect();
        let scores = task.evaluate(&Predictions::Classes(perfect), &gold).expect("evaluates");
        assert_eq!(scores.len(), task.metrics.len());
        assert!(scores.values().all(|v| (v - 100.0).abs() < 1e-9), "{name}: {scores:?}");
    }
    let task = TaskSpec::glue("STS-B", &glue).expect("known");
    let dev = task.load(Split::Dev).expect("reads");
    let gold: Vec<Label> = dev.iter().map(|e| e.label).collect();
    let constant = Predictions::Scores(vec![2.5; gold.len()]);
    let scores = task.evaluate(&constant, &gold).expect("evaluates");
    assert_eq!(scores.get("spearman"), Some(&0.0));
    assert_eq!(scores.get("pearson"), Some(&0.0));
}
