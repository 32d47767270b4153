//! `experiments/encoders/rte-paper.yaml` passes `mixout check` offline on hub ids resolved
//! from a Hugging Face cache folder (`models--ORG--NAME/refs/main` + `snapshots/REV/`) that this
//! test lays out with small random-weight folders of each family this branch has (BERT,
//! RoBERTa, DeBERTa-v3), so the presets are checked on each family's real parameter names.
//! ModernBERT is left out of the cache: `check` then lists only its settings as not available.

mod common;

use mixout::export::write_safetensors_pt;
use mixout::model::{read_config, DropoutSpec, ModelFiles, SequenceClassifier};
use serde_json::json;
use std::path::Path;
use tch::{nn, Device};

/// A snapshot folder of `repo` in the hub cache at `root` holding `files` and random weights.
fn hub_folder(root: &Path, repo: &str, config: serde_json::Value, files: &[(&str, &Path)]) {
    let repo_dir = root.join(format!("models--{}", repo.replace('/', "--")));
    let snap = repo_dir.join("snapshots/0123abc");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(repo_dir.join("refs")).unwrap();
    std::fs::write(repo_dir.join("refs/main"), "0123abc").unwrap();
    std::fs::write(snap.join("config.json"), config.to_string()).unwrap();
    for (name, src) in files {
        std::fs::copy(src, snap.join(name)).unwrap();
    }
    std::fs::write(snap.join("model.safetensors"), b"").unwrap();
    let f = ModelFiles::from_dir(&snap).unwrap();
    let cfg = read_config(&f, &["a".into(), "b".into()]).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _m = SequenceClassifier::build(
        &vs.root(),
        &f,
        &cfg,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        Default::default(),
    )
    .unwrap();
    let encoder = vs.variables().into_iter().filter(|(n, _)| !mixout::plan::is_head(n)).collect();
    write_safetensors_pt(&encoder, &snap.join("model.safetensors")).unwrap();
}

#[test]
fn the_encoder_study_checks_on_a_hub_cache_of_random_weight_folders() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("hub");
    let l3_vocab = common::l3().join("vocab.txt");
    let vocab = std::fs::read_to_string(&l3_vocab).unwrap().lines().count();
    let small = json!({"hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
        "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64, "max_position_embeddings": 512,
        "num_attention_heads": 4, "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": vocab, "pad_token_id": 0});
    let with = |extra: serde_json::Value| {
        let mut c = small.clone();
        for (k, v) in extra.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    hub_folder(&root, "bert-large-uncased", with(json!({"model_type": "bert"})), &[("vocab.txt", &l3_vocab)]);
    // RoBERTa's BPE files: the test only needs them to exist with the right names.
    let bpe = tmp.path().join("bpe");
    std::fs::create_dir_all(&bpe).unwrap();
    std::fs::write(bpe.join("vocab.json"), r#"{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "a": 4}"#).unwrap();
    std::fs::write(bpe.join("merges.txt"), "#version: 0.2\n").unwrap();
    hub_folder(
        &root,
        "roberta-large",
        with(json!({"model_type": "roberta", "vocab_size": 5, "type_vocab_size": 1, "pad_token_id": 1,
                    "max_position_embeddings": 514, "layer_norm_eps": 1e-5})),
        &[("vocab.json", &bpe.join("vocab.json")), ("merges.txt", &bpe.join("merges.txt"))],
    );
    let spm = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deberta/spm.model");
    hub_folder(
        &root,
        "microsoft/deberta-v3-large",
        with(json!({"model_type": "deberta-v2", "vocab_size": 2001, "type_vocab_size": 0, "layer_norm_eps": 1e-7,
                    "relative_attention": true, "position_buckets": 256, "norm_rel_ebd": "layer_norm",
                    "share_att_key": true, "pos_att_type": ["p2c", "c2p"], "position_biased_input": false,
                    "max_relative_positions": -1, "pooler_hidden_size": 32, "pooler_hidden_act": "gelu"})),
        &[("spm.model", &spm)],
    );
    let yaml = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/encoders/rte-paper.yaml");
    let out = assert_cmd::Command::cargo_bin("mixout")
        .unwrap()
        .env("MIXOUT_SHARED", common::shared())
        .env("HF_HUB_CACHE", &root)
        .env("HF_HUB_OFFLINE", "1")
        .arg("check")
        .arg(&yaml)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("8 setting(s), 160 run(s)"), "{text}");
    // The settings whose model is not cached, each with the reason.
    let labels: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("model not available here"))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(|l| l.trim().split(": ").next().unwrap())
        .collect();
    assert_eq!(labels, ["modernbert-large dropout0.1", "modernbert-large mixout0.9"], "{text}");
    assert!(text.contains("answerdotai/ModernBERT-large`, file `config.json`: not in the hub cache"), "{text}");
}
