//! The schema end to end: defaults, overrides, grid, baselines and the messages of bad files.

use mixout_spec::*;
use std::path::Path;

fn parse(text: &str) -> Result<Experiment> {
    Experiment::parse(Path::new("exp.yaml"), text)
}

#[test]
fn defaults_follow_the_paper() {
    let e = parse("task: RTE\n").unwrap();
    let s = &e.settings[0];
    assert_eq!((s.lr, s.batch_size, s.epochs, s.max_seq_len), (2e-5, 32, 3, 128));
    assert!(!s.optimizer.bias_correction);
    assert_eq!(s.seed_list().len(), 20);
    assert_eq!(s.encoder_dropout(), 0.1);
    assert_eq!(e.name, "exp");
}

#[test]
fn settings_override_the_base_deeply() {
    let e = parse(
        "name: t\ntask: RTE\nrestarts: 2\nmixout: {granularity: element}\nsettings:\n  - {label: base}\n  - {label: mix, mixout: {p: 0.9}}\n",
    )
    .unwrap();
    assert_eq!(e.settings.len(), 2);
    assert_eq!(e.settings[1].mixout.p, 0.9);
    assert_eq!(e.settings[1].mixout.granularity, Granularity::Element);
    assert_eq!(e.settings[1].encoder_dropout(), 0.0, "mixout switches dropout off");
    let runs = e.runs();
    assert_eq!(runs.len(), 4);
    assert_eq!(runs[3].run_id, "mix-seed2");
    assert_eq!(runs[0].seed, runs[2].seed, "settings share seeds");
}

#[test]
fn unknown_key_names_line_and_field() {
    let err = parse("task: RTE\nlearning_rate: 0.1\n").unwrap_err().to_string();
    assert!(err.contains("exp.yaml") && err.contains("learning_rate") && err.contains("line 2"), "{err}");
}

#[test]
fn p_out_of_range_names_setting_and_field() {
    let err = parse("task: RTE\nsettings:\n  - {label: bad, mixout: {p: 1.0}}\n").unwrap_err().to_string();
    assert!(err.contains("settings[0]") && err.contains("mixout.p") && err.contains("[0, 1)"), "{err}");
}

#[test]
fn head_forms_parse() {
    let e = parse("task: RTE\nsettings:\n  - {label: a, head: none}\n  - {label: b, head: {mixout: 0.7}}\n  - {label: c, head: {dropout: 0.2}}\n").unwrap();
    assert_eq!(e.settings[0].head, HeadConfig::None);
    assert_eq!(e.settings[1].head, HeadConfig::Mixout(0.7));
    assert_eq!(e.settings[2].head_dropout(), 0.2);
}

#[test]
fn duplicate_labels_and_missing_task_are_rejected() {
    assert!(parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: a}\n")
        .unwrap_err()
        .to_string()
        .contains("share the label"));
    assert!(parse("lr: 1.0e-5\n").unwrap_err().to_string().contains("task"));
}

#[test]
fn micro_batches_auto_resolves_by_device_and_encoder_and_numbers_win() {
    let e = parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: b, micro_batches: 2}\n  - {label: c, micro_batches: auto, precision: bf16}\n").unwrap();
    assert_eq!(e.settings[0].micro_batches, MicroBatches::Auto);
    // (CPU padded, CPU unpadded, CUDA padded, CUDA unpadded)
    let on_each = |m: MicroBatches| {
        (m.resolve(false, true), m.resolve(false, false), m.resolve(true, true), m.resolve(true, false))
    };
    assert_eq!(on_each(e.settings[0].micro_batches), (4, 1, 1, 1));
    assert_eq!(on_each(e.settings[1].micro_batches), (2, 2, 2, 2));
    assert_eq!(e.settings[0].precision, Precision::Fp32);
    assert_eq!(e.settings[2].precision, Precision::Bf16);
    let err = parse("task: RTE\nmicro_batches: many\n").unwrap_err().to_string();
    assert!(err.contains("micro_batches") && err.contains("auto"), "{err}");
    let err = parse("task: RTE\nmicro_batches: 0\n").unwrap_err().to_string();
    assert!(err.contains("micro_batches: must be at least 1"), "{err}");
    let err = parse("task: RTE\nprecision: fp16\n").unwrap_err().to_string();
    assert!(err.contains("precision") || err.contains("fp16"), "{err}");
    let err = parse("task: RTE\nprecision: bf16\nencoder: rust-bert\n").unwrap_err().to_string();
    assert!(err.contains("precision: bf16 needs `encoder: unpadded` or `padded`"), "{err}");
}

#[test]
fn grid_expands_with_readable_labels_groups_and_baselines() {
    let e = parse(
        "task: RTE\nrestarts: 2\ngrid: {lr: [2.0e-5, 1.0e-4]}\nsettings:\n  - {label: dropout}\n  - {label: mixout, mixout: {p: 0.9}}\n",
    )
    .unwrap();
    let labels: Vec<&str> = e.settings.iter().map(|s| s.label.as_deref().unwrap()).collect();
    assert_eq!(labels, ["dropout lr=2e-5", "mixout lr=2e-5", "dropout lr=1e-4", "mixout lr=1e-4"]);
    assert_eq!(e.settings[3].lr, 1e-4);
    assert_eq!(e.settings[3].mixout.p, 0.9);
    // Each grid point is a group whose first setting is the baseline.
    assert_eq!(e.settings[3].group.as_deref(), Some("lr=1e-4"));
    assert_eq!(e.settings[3].baseline.as_deref(), Some("dropout lr=1e-4"));
    assert_eq!(e.settings[1].baseline.as_deref(), Some("dropout lr=2e-5"));
    assert_eq!(e.runs().len(), 8);

    // A grid over the base alone: two axes, first slowest; the values are the labels.
    let e = parse("task: RTE\ngrid: {mixout.p: [0.7, 0.8, 0.9], lr: [2.0e-5, 1.0e-4]}\n").unwrap();
    assert_eq!(e.settings.len(), 6);
    assert_eq!(e.settings[0].label.as_deref(), Some("mixout.p=0.7 lr=2e-5"));
    assert_eq!(e.settings[5].label.as_deref(), Some("mixout.p=0.9 lr=1e-4"));
    assert_eq!((e.settings[5].mixout.p, e.settings[5].lr), (0.9, 1e-4));
}

#[test]
fn grid_errors_name_the_key() {
    let err = parse("task: RTE\ngrid: {mixout.q: [0.1]}\n").unwrap_err().to_string();
    assert!(err.contains("grid: unknown key `mixout.q`"), "{err}");
    let err = parse("task: RTE\ngrid: {learning_rate: [0.1]}\n").unwrap_err().to_string();
    assert!(err.contains("`learning_rate`"), "{err}");
    let err = parse("task: RTE\ngrid: {lr: 0.1}\n").unwrap_err().to_string();
    assert!(err.contains("grid: `lr`: expected a non-empty list"), "{err}");
    let err = parse("task: RTE\ngrid: {mixout.p: [0.5, 1.5]}\n").unwrap_err().to_string();
    assert!(err.contains("grid point mixout.p=1.5") && err.contains("mixout.p"), "{err}");
    let err = parse("task: RTE\ngrid: {label: [a, b]}\n").unwrap_err().to_string();
    assert!(err.contains("`label` cannot vary"), "{err}");
}

#[test]
fn baselines_by_group_by_name_and_default() {
    let e = parse(
        "task: RTE\nsettings:\n  - {label: d2, group: lr2}\n  - {label: m2, group: lr2, mixout: {p: 0.9}}\n  - {label: d4, group: lr4, lr: 1.0e-4}\n  - {label: m4, group: lr4, lr: 1.0e-4, mixout: {p: 0.9}}\n  - {label: x, baseline: m2}\n  - {label: y}\n",
    )
    .unwrap();
    let b: Vec<&str> = e.settings.iter().map(|s| s.baseline.as_deref().unwrap()).collect();
    assert_eq!(b, ["d2", "d2", "d4", "d4", "m2", "d2"]);
    let err = parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: b, baseline: nope}\n").unwrap_err().to_string();
    assert!(err.contains("baseline: no setting is labelled `nope`"), "{err}");
}

#[test]
fn labels_that_name_the_same_file_are_rejected_naming_both() {
    // Issue 17, bug 4: `a b` and `a_b` both become `a_b-seed1.json`; before, the second run
    // overwrote the first's result.
    let err = parse("task: RTE\nsettings:\n  - {label: a b}\n  - {label: a_b}\n").unwrap_err().to_string();
    assert!(err.contains("`a b`") && err.contains("`a_b`") && err.contains("same result files"), "{err}");
    assert!(parse("task: RTE\nsettings:\n  - {label: a b}\n  - {label: a-b}\n").is_ok());
}

#[test]
fn seeds_and_restarts_together_are_an_error_saying_which_to_keep() {
    // Issue 17, bug 11: before, `seeds` silently won.
    let err = parse("task: RTE\nrestarts: 3\nseeds: [7, 8]\n").unwrap_err().to_string();
    assert!(err.contains("`seeds` and `restarts` are both given") && err.contains("keep"), "{err}");
    let err = parse("task: RTE\nrestarts: 3\nsettings:\n  - {label: a, seeds: [1]}\n").unwrap_err().to_string();
    assert!(err.contains("settings[0]") && err.contains("`seeds` and `restarts`"), "{err}");
    let e = parse("task: RTE\nseeds: [7, 8]\n").unwrap();
    assert_eq!(e.runs().iter().map(|r| r.seed).collect::<Vec<_>>(), [7, 8]);
}

#[test]
fn fingerprint_follows_the_knobs_that_change_a_run() {
    let e = parse("task: RTE\nsettings:\n  - {label: a}\n  - {label: b, lr: 1.0e-4}\n  - {label: c, restarts: 3}\n")
        .unwrap();
    let (a, b, c) = (&e.settings[0], &e.settings[1], &e.settings[2]);
    assert_ne!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint(), c.fingerprint(), "labels and restarts do not change a run");
    assert_eq!(changed_fields(&a.recorded(), &b.recorded()), ["lr: 0.00002 -> 0.0001"]);
}
