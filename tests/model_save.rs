//! `save_model` fails, naming the path, whenever a file of the saved folder cannot be
//! written or a tokenizer file of the source cannot be read: a folder saved without its
//! tokenizer_config.json would silently lower-case a cased model when loaded again.

mod common;

use mixout::export::save_model;
use mixout::model::ModelFiles;
use std::path::Path;
use tch::{nn, Device, Kind};

/// A VarStore with one small variable: the errors under test come before the weights.
fn store() -> nn::VarStore {
    let vs = nn::VarStore::new(Device::Cpu);
    let _ = (vs.root() / "classifier").zeros("weight", &[2, 4]);
    vs
}

/// A model "folder" in `dir` whose config and vocabulary are the shipped L3's (read in
/// place) and whose tokenizer files are whatever the test puts in `dir`.
fn files_in(dir: &Path) -> ModelFiles {
    let l3 = ModelFiles::from_dir(&common::l3()).unwrap();
    ModelFiles { dir: dir.to_path_buf(), ..l3 }
}

fn labels() -> Vec<String> {
    vec!["entailment".into(), "not_entailment".into()]
}

#[test]
fn save_model_copies_the_tokenizer_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    save_model(&store(), &ModelFiles::from_dir(&common::l3()).unwrap(), &labels(), &out).unwrap();
    for f in ["config.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"] {
        assert!(out.join(f).is_file(), "{f} saved");
    }
    // The source's tokenizer_config.json, with the keys that decide tokenisation made explicit.
    let read = |p: &Path| -> serde_json::Value { serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap() };
    let (saved, source) = (read(&out.join("tokenizer_config.json")), read(&common::l3().join("tokenizer_config.json")));
    for (k, v) in source.as_object().unwrap() {
        if !["name_or_path", "strip_accents"].contains(&k.as_str()) {
            assert_eq!(&saved[k], v, "{k}");
        }
    }
    assert_eq!(
        (&saved["tokenizer_class"], &saved["do_lower_case"], &saved["strip_accents"]),
        (&"BertTokenizer".into(), &true.into(), &true.into())
    );
    // Saving again over a folder whose copies are read-only (as the shared files are) works.
    save_model(&store(), &ModelFiles::from_dir(&common::l3()).unwrap(), &labels(), &out).unwrap();
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(cfg["id2label"]["1"], "not_entailment");
    let w = tch::Tensor::read_safetensors(out.join("model.safetensors")).unwrap();
    assert_eq!(w[0].1.kind(), Kind::Float);
}

#[test]
fn an_unreadable_source_tokenizer_file_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    // A hub-cache snapshot whose blob is gone: the link is there, its target is not.
    std::os::unix::fs::symlink(src.join("../blobs/gone"), src.join("tokenizer_config.json")).unwrap();
    let out = tmp.path().join("out");
    let err = save_model(&store(), &files_in(&src), &labels(), &out).unwrap_err().to_string();
    assert!(err.contains("tokenizer_config.json"), "{err}");
    assert!(err.contains(&src.display().to_string()), "the source is named: {err}");
}

#[test]
fn an_unwritable_destination_file_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Something that is not a file sits where tokenizer_config.json must go.
    std::fs::create_dir_all(out.join("tokenizer_config.json/x")).unwrap();
    let err =
        save_model(&store(), &ModelFiles::from_dir(&common::l3()).unwrap(), &labels(), &out).unwrap_err().to_string();
    assert!(err.contains(&out.join("tokenizer_config.json").display().to_string()), "{err}");
    // An output "folder" that is a file.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let err = save_model(&store(), &ModelFiles::from_dir(&common::l3()).unwrap(), &labels(), &file.join("sub"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("a-file"), "{err}");
}

#[test]
fn a_bpe_vocabulary_without_its_merges_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("vocab.json"), r#"{"<s>": 0, "<pad>": 1, "</s>": 2}"#).unwrap();
    let files = ModelFiles { vocab: src.join("vocab.json"), ..files_in(&src) };
    let err = save_model(&store(), &files, &labels(), &tmp.path().join("out")).unwrap_err().to_string();
    assert!(err.contains("merges.txt"), "{err}");
}
