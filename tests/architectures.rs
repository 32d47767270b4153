//! RoBERTa, DistilBERT and ELECTRA encoders on small random-weight checkpoints that this test
//! writes itself (no checkpoint of these architectures ships with the project): they load
//! with only the new head missing, classify real RTE pairs, train, get architecture-aware
//! mixout presets, and a study runs end to end on them. With `MIXOUT_ARCH_PARITY_DIR` set,
//! `parity_checkpoints_with_non_default_eps_and_activation` keeps its folders (BERT too,
//! each with a LayerNorm epsilon and an activation other than BERT's) and our logits there
//! for `scripts/check_arch_parity.py`, which compares them with transformers.

mod common;

use mixout::export::{save_model, write_safetensors_pt};
use mixout::model::{
    load_pretrained, read_config, BatchTensors, DropoutSpec, EncoderImpl, ModelFiles, SequenceClassifier,
};
use mixout::train::assemble::named_shapes;
use mixout_data::Tokenizer;
use mixout_spec::{HeadConfig, LayerPreset, Setting};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind, Tensor};

/// GPT-2's byte-to-character map, the alphabet of a byte-level BPE vocabulary.
fn bytes_to_unicode() -> Vec<char> {
    let mut bs: Vec<u32> = (b'!' as u32..=b'~' as u32).chain(0xA1..=0xAC).chain(0xAE..=0xFF).collect();
    let mut cs = bs.clone();
    let mut n = 0;
    for b in 0..256u32 {
        if !bs.contains(&b) {
            bs.push(b);
            cs.push(256 + n);
            n += 1;
        }
    }
    let mut pairs: Vec<(u32, u32)> = bs.into_iter().zip(cs).collect();
    pairs.sort();
    pairs.into_iter().map(|(_, c)| char::from_u32(c).unwrap()).collect()
}

/// Writes a byte-level BPE vocabulary (every byte, a few merges) for the RoBERTa checkpoint.
fn write_bpe_vocab(dir: &Path) -> usize {
    let mut vocab: Vec<String> = ["<s>", "<pad>", "</s>", "<unk>"].iter().map(|s| s.to_string()).collect();
    vocab.extend(bytes_to_unicode().into_iter().map(|c| c.to_string()));
    let merges = [("Ġ", "t"), ("t", "h"), ("Ġt", "h"), ("e", "r"), ("i", "n")];
    for (a, b) in merges {
        vocab.push(format!("{a}{b}"));
    }
    vocab.push("<mask>".into());
    let map: serde_json::Map<String, serde_json::Value> =
        vocab.iter().enumerate().map(|(i, t)| (t.clone(), json!(i))).collect();
    std::fs::write(dir.join("vocab.json"), serde_json::to_string(&map).unwrap()).unwrap();
    let mut m = String::from("#version: 0.2\n");
    for (a, b) in merges {
        m.push_str(&format!("{a} {b}\n"));
    }
    std::fs::write(dir.join("merges.txt"), m).unwrap();
    vocab.len()
}

/// A tiny config.json of each architecture (2 layers, hidden 32, 4 heads).
fn config(arch: &str, vocab: usize) -> serde_json::Value {
    match arch {
        "bert" => {
            json!({"model_type": "bert", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
            "num_attention_heads": 4, "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": vocab, "pad_token_id": 0})
        }
        "distilbert" => {
            json!({"model_type": "distilbert", "activation": "gelu", "attention_dropout": 0.1, "dim": 32, "dropout": 0.1,
            "hidden_dim": 64, "initializer_range": 0.02, "max_position_embeddings": 512, "n_heads": 4, "n_layers": 2, "qa_dropout": 0.1,
            "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": false, "tie_weights_": true, "vocab_size": vocab, "pad_token_id": 0})
        }
        "electra" => {
            json!({"model_type": "electra", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "embedding_size": 16,
            "hidden_dropout_prob": 0.1, "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64, "layer_norm_eps": 1e-12,
            "max_position_embeddings": 512, "num_attention_heads": 4, "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": vocab, "pad_token_id": 0})
        }
        _ => {
            json!({"model_type": "roberta", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64, "layer_norm_eps": 1e-5, "max_position_embeddings": 130,
            "num_attention_heads": 4, "num_hidden_layers": 2, "type_vocab_size": 1, "vocab_size": vocab, "pad_token_id": 1,
            "bos_token_id": 0, "eos_token_id": 2})
        }
    }
}

/// Writes a random-weight *encoder* checkpoint (no head) of an architecture into `dir`.
fn write_checkpoint(arch: &str, dir: &Path) -> ModelFiles {
    write_checkpoint_with(arch, dir, &json!({}), 0.05, 1.0)
}

/// [`write_checkpoint`] with config.json fields replaced by `overrides`, embeddings drawn
/// with standard deviation `embedding_std` (the other linear weights 0.05, their biases
/// 0.05·ln_scale), and LayerNorm weights N(ln_scale, (0.1·ln_scale)²), biases
/// N(0, (0.1·ln_scale)²). A LayerNorm's epsilon only shows when its input variance is small,
/// and each LayerNorm normalises away what the previous epsilon did: small embeddings and a
/// small `ln_scale` keep every LayerNorm's input variance near 1e-4, so a wrong epsilon
/// moves the logits by percents.
fn write_checkpoint_with(
    arch: &str,
    dir: &Path,
    overrides: &serde_json::Value,
    embedding_std: f64,
    ln_scale: f64,
) -> ModelFiles {
    std::fs::create_dir_all(dir).unwrap();
    let vocab = if arch == "roberta" {
        write_bpe_vocab(dir)
    } else {
        std::fs::copy(common::l3().join("vocab.txt"), dir.join("vocab.txt")).unwrap();
        std::fs::read_to_string(dir.join("vocab.txt")).unwrap().lines().count()
    };
    let mut cfg_json = config(arch, vocab);
    for (k, v) in overrides.as_object().unwrap() {
        cfg_json[k] = v.clone();
    }
    std::fs::write(dir.join("config.json"), serde_json::to_string_pretty(&cfg_json).unwrap()).unwrap();
    // A placeholder so the folder resolves; the real weights are written below.
    std::fs::write(dir.join("model.safetensors"), b"").unwrap();
    let files = ModelFiles::from_dir(dir).unwrap();
    let cfg = read_config(&files, &["a".into(), "b".into()]).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _m = SequenceClassifier::build(
        &vs.root(),
        &files,
        &cfg,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        Default::default(),
    )
    .unwrap();
    tch::manual_seed(1);
    let mut encoder: HashMap<String, Tensor> = HashMap::new();
    // In name order: the draws (and the checkpoint) are then the same in every process.
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    tch::no_grad(|| {
        for (name, mut v) in vars {
            if name.starts_with("classifier.") || name.starts_with("pre_classifier.") {
                continue;
            }
            if name.contains("LayerNorm") || name.contains("layer_norm") {
                let _ = if name.ends_with(".bias") {
                    v.normal_(0.0, 0.1 * ln_scale)
                } else {
                    v.normal_(ln_scale, 0.1 * ln_scale)
                };
            } else if name.contains("embeddings.") && !name.contains("embeddings_project") {
                let _ = v.normal_(0.0, embedding_std);
            } else if name.ends_with(".bias") {
                let _ = v.normal_(0.0, 0.05 * ln_scale);
            } else {
                let _ = v.normal_(0.0, 0.05);
            }
            encoder.insert(name, v.detach().copy());
        }
    });
    write_safetensors_pt(&encoder, &dir.join("model.safetensors")).unwrap();
    files
}

/// Our classifier on a checkpoint folder, loaded, with a seeded head.
fn load(files: &ModelFiles, dropout: f64) -> (nn::VarStore, SequenceClassifier, mixout::model::LoadReport) {
    load_with(files, dropout, Default::default())
}

/// [`load`] with a chosen BERT encoder implementation.
fn load_with(
    files: &ModelFiles,
    dropout: f64,
    encoder: EncoderImpl,
) -> (nn::VarStore, SequenceClassifier, mixout::model::LoadReport) {
    let cfg = read_config(files, &["a".into(), "b".into()]).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let m = SequenceClassifier::build(
        &vs.root(),
        files,
        &cfg,
        DropoutSpec { hidden: dropout, attention: dropout, head: dropout },
        encoder,
    )
    .unwrap();
    tch::manual_seed(2);
    let report = load_pretrained(&vs, files, 0.02).unwrap();
    (vs, m, report)
}

/// The first `n` RTE dev pairs, tokenised by the folder's tokenizer and padded.
fn rte_batch(dir: &Path, n: usize) -> (BatchTensors, Vec<Vec<i64>>) {
    let tok = Tokenizer::from_model_dir(dir).unwrap();
    let task = mixout_data::TaskSpec::glue("RTE", &common::glue()).unwrap();
    let dev = task.load(mixout_data::Split::Dev).unwrap();
    let enc: Vec<mixout_data::Encoded> =
        dev.iter().take(n).map(|e| tok.encode(&e.text_a, e.text_b.as_deref(), 64)).collect();
    let items: Vec<&mixout_data::Encoded> = enc.iter().collect();
    let p = mixout_data::batch::pad(&items, tok.pad_id());
    let shape = [p.rows as i64, p.cols as i64];
    let t = |v: &[i64]| Tensor::from_slice(v).view(shape);
    let ids: Vec<Vec<i64>> = p.input_ids.chunks(p.cols).map(|r| r.to_vec()).collect();
    (
        BatchTensors {
            input_ids: t(&p.input_ids),
            token_type_ids: t(&p.token_type_ids),
            attention_mask: t(&p.attention_mask),
            lengths: None,
        },
        ids,
    )
}

fn parity_dir() -> Option<PathBuf> {
    std::env::var_os("MIXOUT_ARCH_PARITY_DIR").map(PathBuf::from)
}

#[test]
fn each_architecture_loads_classifies_trains_and_saves() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    for arch in ["roberta", "distilbert", "electra"] {
        let dir = tmp.path().join(arch);
        let files = write_checkpoint(arch, &dir);
        let (vs, model, report) = load(&files, 0.0);
        let head: Vec<&str> = report.missing.iter().map(String::as_str).collect();
        let expect_head: Vec<&str> = match arch {
            "distilbert" => {
                vec!["classifier.bias", "classifier.weight", "pre_classifier.bias", "pre_classifier.weight"]
            }
            _ => vec![
                "classifier.dense.bias",
                "classifier.dense.weight",
                "classifier.out_proj.bias",
                "classifier.out_proj.weight",
            ],
        };
        assert_eq!(head, expect_head, "{arch}: only the new head is missing");
        assert!(report.loaded > 20, "{arch}: loaded {}", report.loaded);
        assert!(vs.variables().keys().any(|k| k.starts_with(&format!("{arch}."))), "{arch}: variables under `{arch}.`");

        let (batch, _ids) = rte_batch(&dir, 8);
        let logits = model.forward_t(&batch, false).unwrap();
        assert_eq!(logits.size(), [8, 2], "{arch}");
        assert_eq!(logits.isfinite().all().int64_value(&[]), 1);
        // Eval is deterministic; train mode with dropout differs and back-propagates.
        assert!(logits.equal(&model.forward_t(&batch, false).unwrap()));
        let (_vs2, model_d, _) = load(&files, 0.3);
        let loss = model_d
            .forward_t(&batch, true)
            .unwrap()
            .cross_entropy_for_logits(&Tensor::from_slice(&[0i64, 1, 0, 1, 0, 1, 0, 1]));
        loss.backward();
        let grads = _vs2
            .variables()
            .values()
            .filter(|v| v.grad().defined() && v.grad().abs().sum(Kind::Float).double_value(&[]) > 0.0)
            .count();
        assert!(grads > 10, "{arch}: {grads} parameters got a gradient");

        // A saved classifier reloads with nothing missing and the same logits.
        let out = tmp.path().join(format!("{arch}-saved"));
        save_model(&vs, &files, &["a".into(), "b".into()], &out).unwrap();
        let saved = ModelFiles::from_dir(&out).unwrap();
        let (_vs3, again, rep3) = load(&saved, 0.0);
        assert!(rep3.missing.is_empty(), "{arch}: {:?}", rep3.missing);
        assert!(
            again.forward_t(&batch, false).unwrap().allclose(&logits, 1e-6, 1e-6, false),
            "{arch}: reload changes logits"
        );
        let cfg: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
        assert_eq!(cfg["model_type"], arch);
        assert!(cfg["architectures"][0].as_str().unwrap().ends_with("ForSequenceClassification"));
    }
}

/// Redraws the new head, then scales its output layer so that max |logit| is 3 on `batch`
/// (BERT's N(0, 0.02²) head gives logits of about 1e-2, on which a LayerNorm-epsilon
/// mismatch is invisible at 1e-4).
fn enlarge_head(vs: &nn::VarStore, model: &SequenceClassifier, batch: &BatchTensors) {
    tch::manual_seed(3);
    let vars = vs.variables();
    let mut names: Vec<&String> = vars.keys().filter(|n| mixout::plan::is_head(n)).collect();
    names.sort();
    tch::no_grad(|| {
        for name in names {
            let mut v = vars[name].shallow_clone();
            let std = if name.ends_with(".bias") {
                0.1
            } else if name.starts_with("classifier.dense") || name.starts_with("pre_classifier") {
                0.2
            } else {
                1.0
            };
            let _ = v.normal_(0.0, std);
        }
        let factor = 3.0 / max_abs(&model.forward_t(batch, false).unwrap());
        for name in ["classifier.weight", "classifier.bias", "classifier.out_proj.weight", "classifier.out_proj.bias"] {
            if let Some(v) = vars.get(name) {
                let mut v = v.shallow_clone();
                let _ = v.g_mul_scalar_(factor);
            }
        }
    });
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

/// Copies a saved folder and replaces config.json fields by `changes`.
fn variant_of(saved: &Path, dst: &Path, changes: &serde_json::Value) -> ModelFiles {
    std::fs::create_dir_all(dst).unwrap();
    for f in std::fs::read_dir(saved).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dst.join(f.file_name().unwrap())).unwrap();
    }
    let mut cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dst.join("config.json")).unwrap()).unwrap();
    for (k, v) in changes.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    std::fs::write(dst.join("config.json"), cfg.to_string()).unwrap();
    ModelFiles::from_dir(dst).unwrap()
}

/// Each family with a LayerNorm epsilon and an activation other than BERT's (DistilBERT's
/// epsilon is 1e-12 in Hugging Face's code whatever config.json says, so only its activation
/// varies), LayerNorm inputs of small variance and logits of O(1): the tolerance,
/// 1e-4 × max(1, max |logit|), is then far below what a wrong epsilon or activation moves. The test shows that margin itself: the
/// same weights under the default epsilon (activation) move the logits by over 20 tolerances.
/// With `MIXOUT_ARCH_PARITY_DIR` set, the saved classifiers and our logits are kept there.
#[test]
fn parity_checkpoints_with_non_default_eps_and_activation() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let keep = parity_dir();
    let labels: Vec<String> = vec!["a".into(), "b".into()];
    // (family, config.json, the change that must show, LayerNorm scale): DistilBERT's FFN
    // needs full-size activations for relu and gelu to differ.
    let cases = [
        ("bert", json!({"layer_norm_eps": 1e-5, "hidden_act": "gelu_new"}), json!({"layer_norm_eps": 1e-12}), 0.01),
        ("roberta", json!({"layer_norm_eps": 1e-5, "hidden_act": "relu"}), json!({"layer_norm_eps": 1e-12}), 0.01),
        (
            "electra",
            json!({"layer_norm_eps": 1e-5, "hidden_act": "gelu_pytorch_tanh"}),
            json!({"layer_norm_eps": 1e-12}),
            0.01,
        ),
        ("distilbert", json!({"activation": "relu"}), json!({"activation": "gelu"}), 1.0),
    ];
    for (arch, overrides, changed, ln_scale) in cases {
        let dir = tmp.path().join(arch);
        let files = write_checkpoint_with(arch, &dir, &overrides, 0.005, ln_scale);
        let (vs, model, _) = load(&files, 0.0);
        let (batch, ids) = rte_batch(&dir, 8);
        enlarge_head(&vs, &model, &batch);
        let logits = model.forward_t(&batch, false).unwrap();
        let scale = max_abs(&logits);
        assert!(scale >= 1.0, "{arch}: logits of O(1) or larger, got max |logit| {scale}");
        let tol = 1e-4 * scale.max(1.0);

        let out = tmp.path().join(format!("{arch}-saved"));
        save_model(&vs, &files, &labels, &out).unwrap();
        let (_vs2, again, rep) = load(&ModelFiles::from_dir(&out).unwrap(), 0.0);
        assert!(rep.missing.is_empty(), "{arch}: {:?}", rep.missing);
        let reload = max_abs(&(again.forward_t(&batch, false).unwrap() - &logits));
        assert!(reload <= tol, "{arch}: the saved classifier gives other logits ({reload})");

        let other = variant_of(&out, &tmp.path().join(format!("{arch}-default")), &changed);
        let (_vs3, default, _) = load(&other, 0.0);
        let moved = max_abs(&(default.forward_t(&batch, false).unwrap() - &logits));
        assert!(
            moved > 20.0 * tol,
            "{arch}: config {changed} moves the logits by only {moved:.2e} (tolerance {tol:.2e})"
        );
        eprintln!("{arch} {overrides}: max |logit| {scale:.3}, tolerance {tol:.2e}; under {changed} the logits move by {moved:.2e}");

        if arch == "bert" {
            // rust-bert's BertModel (patched to read layer_norm_eps) computes the same function.
            let (_vs4, rb, _) = load_with(&ModelFiles::from_dir(&out).unwrap(), 0.0, EncoderImpl::RustBert);
            let d = max_abs(&(rb.forward_t(&batch, false).unwrap() - &logits));
            assert!(d <= tol, "bert: fused and rust-bert encoders differ by {d:.2e} (tolerance {tol:.2e})");
        }

        if let Some(k) = &keep {
            let dst = k.join(arch);
            common::keep_folder(&out, &dst);
            let rows = |t: &Tensor| -> Vec<Vec<i64>> {
                Vec::<i64>::try_from(&t.flatten(0, -1)).unwrap().chunks(ids[0].len()).map(|r| r.to_vec()).collect()
            };
            let ours: Vec<f32> = Vec::try_from(&logits.flatten(0, -1)).unwrap();
            std::fs::write(
                dst.join("ours.json"),
                json!({"input_ids": ids, "attention_mask": rows(&batch.attention_mask),
                       "token_type_ids": rows(&batch.token_type_ids), "logits": ours})
                .to_string(),
            )
            .unwrap();
            write_dev_ids(&out, &dst.join("ids.json"));
        }
    }
}

/// Our ids of every RTE dev pair at max_len 128, by the tokenizer of `dir`, as `ids.json`
/// for scripts/check_arch_parity.py (AutoTokenizer on the exported folder must give them).
fn write_dev_ids(dir: &Path, dst: &Path) -> Vec<Vec<i64>> {
    let ids = dev_ids(dir);
    std::fs::write(dst, json!({"max_len": 128, "input_ids": ids}).to_string()).unwrap();
    ids
}

fn dev_ids(dir: &Path) -> Vec<Vec<i64>> {
    let tok = Tokenizer::from_model_dir(dir).unwrap();
    let task = mixout_data::TaskSpec::glue("RTE", &common::glue()).unwrap();
    let dev = task.load(mixout_data::Split::Dev).unwrap();
    dev.iter().map(|e| tok.encode(&e.text_a, e.text_b.as_deref(), 128).input_ids).collect()
}

/// Exports carry the tokenizer files transformers needs whatever the source had: a cased
/// BERT vocabulary (`do_lower_case: false`) stays cased after export and reload, and a source
/// with only vocab.txt gets a tokenizer_config.json and tokenizer.json that tokenise as we
/// do. With `MIXOUT_ARCH_PARITY_DIR` set, both folders (and our ids) are kept for
/// scripts/check_arch_parity.py, which checks the same with transformers' AutoTokenizer.
#[test]
fn exports_tokenize_like_us() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let keep = parity_dir();
    let uncased = dev_ids(&common::l3());
    for (name, tokenizer_config) in [("bert-cased", Some(r#"{"do_lower_case": false}"#)), ("bert-vocab-only", None)] {
        let dir = tmp.path().join(name);
        let files = write_checkpoint("bert", &dir);
        if let Some(text) = tokenizer_config {
            std::fs::write(dir.join("tokenizer_config.json"), text).unwrap();
        }
        let source_ids = dev_ids(&dir);
        assert_eq!(source_ids != uncased, tokenizer_config.is_some(), "{name}: casing shows in the ids");
        let (vs, _m, _) = load(&files, 0.0);
        let out = tmp.path().join(format!("{name}-saved"));
        save_model(&vs, &files, &["a".into(), "b".into()], &out).unwrap();
        for f in ["tokenizer_config.json", "tokenizer.json", "vocab.txt", "config.json", "model.safetensors"] {
            assert!(out.join(f).is_file(), "{name}: no {f}");
        }
        let tc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("tokenizer_config.json")).unwrap()).unwrap();
        assert_eq!(tc["tokenizer_class"], "BertTokenizer");
        assert_eq!(tc["do_lower_case"], tokenizer_config.is_none(), "{name}");
        assert_eq!(tc["model_max_length"], 512);
        let cfg: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
        assert_eq!(cfg["dtype"], "float32");
        // Reloaded by us: the same ids as the source folder gave.
        assert_eq!(dev_ids(&out), source_ids, "{name}: the exported folder tokenises otherwise");
        if let Some(k) = &keep {
            let dst = k.join(name);
            common::keep_folder(&out, &dst);
            write_dev_ids(&out, &dst.join("ids.json"));
        }
    }
}

#[test]
fn presets_follow_each_architectures_linear_layers() {
    // Writing a checkpoint seeds libtorch's global RNG.
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    for arch in ["roberta", "distilbert", "electra"] {
        let files = write_checkpoint(arch, &tmp.path().join(arch));
        let cfg = read_config(&files, &["a".into(), "b".into()]).unwrap();
        let vs = nn::VarStore::new(Device::Cpu);
        let _m = SequenceClassifier::build(
            &vs.root(),
            &files,
            &cfg,
            DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
            Default::default(),
        )
        .unwrap();
        let params = named_shapes(&vs);
        let mut s = Setting { task: Some("RTE".into()), ..Default::default() };
        s.mixout.p = 0.9;
        s.head = HeadConfig::Mixout(0.7);
        let mixed = |s: &Setting| common::mixed_names(&params, s);
        let paper = mixed(&s);
        s.mixout.layers = LayerPreset::AllLinear;
        let all = mixed(&s);
        let ffn_in = if arch == "distilbert" { "ffn.lin1" } else { "intermediate.dense" };
        let head_n = 2; // every head weight matrix: dense/pre_classifier and out_proj/classifier
                        // 2 layers × 6 linears; `paper` leaves out the FFN's first layer.
        assert_eq!(all.len(), 12 + head_n, "{arch}: {all:?}");
        assert_eq!(paper.len(), 10 + head_n, "{arch}: {paper:?}");
        assert!(all.iter().any(|n| n.contains(ffn_in)) && !paper.iter().any(|n| n.contains(ffn_in)), "{arch}");
        assert!(
            all.iter().all(|n| n.starts_with(&format!("{arch}."))
                || n.starts_with("classifier.")
                || n.starts_with("pre_classifier.")),
            "{arch}: {all:?}"
        );
        assert!(
            !all.iter().any(|n| n.contains("embeddings") || n.ends_with(".bias") || n.contains("LayerNorm")),
            "{arch}: {all:?}"
        );
        // Re-init and LLRD find the layers by the same names.
        assert_eq!(mixout::plan::encoder_layers(&params), 2, "{arch}");
    }
}

#[test]
fn a_study_runs_end_to_end_on_a_distilbert_folder() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("distil");
    write_checkpoint("distilbert", &dir);
    let yaml = tmp.path().join("d.yaml");
    std::fs::write(
        &yaml,
        format!("name: d\ntask: RTE\nmodel: {}\nrestarts: 1\nepochs: 1\ntrain_subset: 64\nmax_seq_len: 64\ndevice: cpu\nsettings:\n  - {{label: mix, mixout: {{p: 0.5}}, reinit_layers: 1, llrd: 0.9}}\n", dir.display()),
    )
    .unwrap();
    let inspect = assert_cmd::Command::cargo_bin("mixout")
        .unwrap()
        .env("MIXOUT_SHARED", common::shared())
        .arg("inspect")
        .arg(&yaml)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(inspect.status.success(), "{}", String::from_utf8_lossy(&inspect.stderr));
    assert!(text.contains("architecture distilbert") && text.contains("ffn.lin1"), "{text}");
    assert!(text.contains("re-init") && text.contains("0.9000"), "{text}");
    // DistilBERT's pre_classifier is created fresh, like classifier.
    for head in ["pre_classifier.weight", "pre_classifier.bias", "classifier.weight"] {
        let line = text.lines().find(|l| l.starts_with(head)).unwrap_or_else(|| panic!("no `{head}` line: {text}"));
        assert!(line.contains(" new "), "{line}");
    }
    let out = assert_cmd::Command::cargo_bin("mixout")
        .unwrap()
        .env("MIXOUT_SHARED", common::shared())
        .args(["run", "--quiet"])
        .arg(&yaml)
        .arg("--results")
        .arg(tmp.path().join("r"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = mixout_report::RunResult::read(&tmp.path().join("r/d/mix/mix-seed1.json")).unwrap();
    assert_eq!(r.status, mixout_report::RunStatus::Finished);
    assert!(r.score.is_some_and(|s| (0.0..=100.0).contains(&s)));
    assert_eq!((r.params.reinit_layers, r.params.llrd), (1, Some(0.9)));
}

#[test]
fn roberta_pairs_use_its_special_token_layout() {
    let tmp = tempfile::tempdir().unwrap();
    write_bpe_vocab(tmp.path());
    let tok = Tokenizer::from_model_dir(tmp.path()).unwrap();
    let e = tok.encode("the cat", Some("is in"), 64);
    // <s> a </s></s> b </s>, one segment.
    assert_eq!(e.input_ids[0], 0);
    let seps: Vec<usize> = e.input_ids.iter().enumerate().filter(|(_, &t)| t == 2).map(|(i, _)| i).collect();
    assert_eq!(seps.len(), 3);
    assert_eq!(seps[0] + 1, seps[1]);
    assert_eq!(*seps.last().unwrap(), e.input_ids.len() - 1);
    assert!(e.token_type_ids.iter().all(|&t| t == 0));
    assert_eq!(tok.pad_id(), 1);
    // The merges apply: " th" is one token after the first word.
    let merged = tok.word_piece_ids("the then");
    assert!(merged.len() < "the then".len(), "{merged:?}");
    let short = tok.encode(&"word ".repeat(50), Some(&"other ".repeat(50)), 16);
    assert_eq!(short.input_ids.len(), 16);
}
