//! Resolving Hugging Face hub ids, offline: a cache folder laid out as the hub client lays
//! it out (`models--<org>--<name>/refs/main` → revision, `snapshots/<rev>/<file>` links into
//! `blobs/`), and a closure standing in for the network. A cased BERT keeps its casing
//! (tokenizer_config.json is fetched), and a RoBERTa repository (vocab.json + merges.txt,
//! no vocab.txt) resolves.

mod common;

use mixout::hub::{resolve_hub_with, HubCache};
use mixout_data::Tokenizer;
use serde_json::json;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

const REV: &str = "0123456789abcdef0123456789abcdef01234567";

/// Puts `files` (name, content) into `cache` for `repo` as huggingface_hub does: content in
/// `blobs/<hash>`, relative links in `snapshots/<rev>/`, the revision in `refs/main`.
fn put_repo(cache: &Path, repo: &str, files: &[(&str, String)]) -> PathBuf {
    let root = cache.join(format!("models--{}", repo.replace('/', "--")));
    let snapshot = root.join("snapshots").join(REV);
    std::fs::create_dir_all(&snapshot).unwrap();
    std::fs::create_dir_all(root.join("blobs")).unwrap();
    std::fs::create_dir_all(root.join("refs")).unwrap();
    std::fs::write(root.join("refs/main"), REV).unwrap();
    for (i, (name, content)) in files.iter().enumerate() {
        let blob = format!("blob{i:04}");
        std::fs::write(root.join("blobs").join(&blob), content).unwrap();
        std::os::unix::fs::symlink(format!("../../blobs/{blob}"), snapshot.join(name)).unwrap();
    }
    snapshot
}

fn bert_config() -> String {
    json!({"model_type": "bert", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
        "hidden_size": 8, "initializer_range": 0.02, "intermediate_size": 16, "max_position_embeddings": 16,
        "num_attention_heads": 2, "num_hidden_layers": 1, "type_vocab_size": 2, "vocab_size": 9})
    .to_string()
}

/// A WordPiece vocabulary with both casings of one word.
fn wordpiece() -> String {
    ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Hello", "hello", "world", "!"].join("\n") + "\n"
}

/// A cased BERT repository (`bert-base-cased` style: do_lower_case false).
fn cased_bert() -> Vec<(&'static str, String)> {
    vec![
        ("config.json", bert_config()),
        ("tokenizer_config.json", json!({"do_lower_case": false}).to_string()),
        ("vocab.txt", wordpiece()),
        ("model.safetensors", "weights".into()),
    ]
}

/// A RoBERTa repository: byte-level BPE files and rust-bert's weights, no vocab.txt.
fn roberta() -> Vec<(&'static str, String)> {
    let mut vocab: Vec<String> = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"].iter().map(|s| s.to_string()).collect();
    vocab.extend(('a'..='z').map(String::from));
    vocab.push("Ġ".into());
    let map: serde_json::Map<String, serde_json::Value> =
        vocab.iter().enumerate().map(|(i, t)| (t.clone(), json!(i))).collect();
    let config = json!({"model_type": "roberta", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1, "hidden_size": 8, "initializer_range": 0.02, "intermediate_size": 16,
        "layer_norm_eps": 1e-5, "max_position_embeddings": 20, "num_attention_heads": 2, "num_hidden_layers": 1,
        "type_vocab_size": 1, "vocab_size": vocab.len(), "pad_token_id": 1});
    vec![
        ("config.json", config.to_string()),
        ("vocab.json", serde_json::Value::Object(map).to_string()),
        ("merges.txt", "#version: 0.2\nh e\n".into()),
        ("rust_model.ot", "weights".into()),
    ]
}

#[test]
fn a_cased_bert_resolves_from_the_hub_cache_and_keeps_its_casing() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = put_repo(tmp.path(), "org/cased-bert", &cased_bert());
    let cache = HubCache { root: tmp.path().to_path_buf() };
    let files = resolve_hub_with("org/cased-bert", &cache).unwrap();
    assert_eq!(files.dir, snapshot);
    assert_eq!(files.config, snapshot.join("config.json"));
    assert_eq!(files.vocab, snapshot.join("vocab.txt"));
    assert_eq!(files.weights, snapshot.join("model.safetensors"));
    let tok = Tokenizer::from_model_dir(&files.dir).unwrap();
    let ids = tok.word_piece_ids("Hello world");
    assert_eq!(ids, vec![5, 7], "`Hello` keeps its capital: {ids:?}");

    // The same repository without tokenizer_config.json would be lower-cased: the file matters.
    let files_uncased: Vec<(&str, String)> =
        cased_bert().into_iter().filter(|(n, _)| *n != "tokenizer_config.json").collect();
    put_repo(tmp.path(), "org/no-tokenizer-config", &files_uncased);
    let plain = resolve_hub_with("org/no-tokenizer-config", &cache).unwrap();
    assert_eq!(Tokenizer::from_model_dir(&plain.dir).unwrap().word_piece_ids("Hello world"), vec![6, 7]);
}

#[test]
fn a_roberta_repository_resolves_to_its_bpe_files() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = put_repo(tmp.path(), "org/tiny-roberta", &roberta());
    let files = resolve_hub_with("org/tiny-roberta", &HubCache { root: tmp.path().to_path_buf() }).unwrap();
    assert_eq!(files.vocab, snapshot.join("vocab.json"));
    assert_eq!(files.weights, snapshot.join("rust_model.ot"), "rust-bert's weights when there is no safetensors");
    let tok = Tokenizer::from_model_dir(&files.dir).unwrap();
    assert_eq!(tok.pad_id(), 1);
    assert_eq!(tok.encode("he", None, 8).input_ids[0], 0, "<s> first");
}

#[test]
fn the_source_is_asked_for_the_files_of_the_architecture() {
    let tmp = tempfile::tempdir().unwrap();
    for (repo, files) in [("org/bert", cased_bert()), ("org/roberta", roberta())] {
        let snapshot = put_repo(tmp.path(), repo, &files);
        let asked = RefCell::new(Vec::<String>::new());
        let network = |r: &str, file: &str| -> mixout::Result<Option<PathBuf>> {
            assert_eq!(r, repo);
            asked.borrow_mut().push(file.to_string());
            let p = snapshot.join(file);
            Ok(p.is_file().then_some(p))
        };
        let resolved = resolve_hub_with(repo, &network).unwrap();
        assert_eq!(resolved.dir, snapshot);
        let asked = asked.into_inner();
        let has = |f: &str| asked.iter().any(|a| a == f);
        assert!(has("config.json") && has("tokenizer_config.json") && has("tokenizer.json"), "{repo}: {asked:?}");
        assert!(has("model.safetensors"), "{repo}: {asked:?}");
        if repo == "org/roberta" {
            assert!(has("vocab.json") && has("merges.txt") && !has("vocab.txt"), "{asked:?}");
            assert!(has("rust_model.ot"), "{asked:?}");
        } else {
            assert!(has("vocab.txt") && !has("vocab.json") && !has("rust_model.ot"), "{asked:?}");
        }
    }
}

#[test]
fn missing_repositories_and_files_are_errors_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = HubCache { root: tmp.path().to_path_buf() };
    let err = resolve_hub_with("org/absent", &cache).unwrap_err().to_string();
    assert!(err.contains("org/absent") && err.contains("config.json"), "{err}");
    let no_merges: Vec<(&str, String)> = roberta().into_iter().filter(|(n, _)| *n != "merges.txt").collect();
    put_repo(tmp.path(), "org/broken-roberta", &no_merges);
    let err = resolve_hub_with("org/broken-roberta", &cache).unwrap_err().to_string();
    assert!(err.contains("merges.txt"), "{err}");
    let no_weights: Vec<(&str, String)> = cased_bert().into_iter().filter(|(n, _)| *n != "model.safetensors").collect();
    put_repo(tmp.path(), "org/no-weights", &no_weights);
    let err = resolve_hub_with("org/no-weights", &cache).unwrap_err().to_string();
    assert!(err.contains("model.safetensors") && err.contains("rust_model.ot"), "{err}");
}

#[test]
fn model_names_resolve_from_the_hugging_face_cache() {
    // Through the binary, with the cache named in the child's environment: tests run on
    // parallel threads, where setting this process's environment would race.
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = put_repo(tmp.path(), "org/cased-bert", &cased_bert());
    let inspect = |model: &str| {
        let yaml = tmp.path().join(format!("{}.yaml", model.replace('/', "_")));
        let glue = common::glue().display().to_string().replace('\'', "''");
        std::fs::write(&yaml, format!("task: RTE\nmodel: {model}\ndata_dir: '{glue}'\n")).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_mixout"))
            .arg("inspect")
            .arg(&yaml)
            .env("HF_HUB_CACHE", tmp.path())
            .env("HF_HUB_OFFLINE", "1")
            .output()
            .unwrap()
    };
    let out = inspect("org/cased-bert");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("architecture bert"), "{stdout}");
    assert!(snapshot.join("config.json").is_file());
    // Offline and not cached: the error names the repository, the file and the cache.
    let out = inspect("org/not-there");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    for want in ["org/not-there", "config.json", &tmp.path().display().to_string(), "HF_HUB_OFFLINE"] {
        assert!(err.contains(want), "missing `{want}`: {err}");
    }
}
