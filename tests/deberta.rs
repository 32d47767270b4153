//! DeBERTa-v3 (`model_type: deberta-v2`) on small random-weight checkpoints this test writes
//! itself, configured as microsoft/deberta-v3-* are (relative attention with log buckets,
//! `share_att_key`, `norm_rel_ebd: layer_norm`, `pos_att_type: [p2c, c2p]`, no absolute
//! positions, no segment embedding), tokenised by the SentencePiece model
//! `tests/fixtures/deberta/spm.model` (made by scripts/make_spm_fixture.py from RTE's train
//! text). With `MIXOUT_ARCH_PARITY_DIR` set, the parity test keeps its exported folders, our
//! logits (`ours.json`) and our ids for all 277 RTE dev pairs (`ids.json`) there for
//! `scripts/check_arch_parity.py`, which compares them with transformers.

mod common;

use mixout::export::{save_model, write_safetensors_pt};
use mixout::model::{load_pretrained, read_config, BatchTensors, DropoutSpec, ModelFiles, SequenceClassifier};
use mixout::plan::plan;
use mixout::train::assemble::{named_shapes, reinit_top_layers};
use mixout_data::Tokenizer;
use mixout_spec::{HeadConfig, LayerPreset, Setting};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind, Tensor};

fn spm_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deberta/spm.model")
}

/// microsoft/deberta-v3-base's config.json at 2 layers, hidden 32, 4 heads.
fn config(vocab: usize, overrides: &serde_json::Value) -> serde_json::Value {
    let mut c = json!({"model_type": "deberta-v2", "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1,
        "hidden_dropout_prob": 0.1, "hidden_size": 32, "initializer_range": 0.02, "intermediate_size": 64,
        "layer_norm_eps": 1e-7, "max_position_embeddings": 512, "max_relative_positions": -1, "norm_rel_ebd": "layer_norm",
        "num_attention_heads": 4, "num_hidden_layers": 2, "pad_token_id": 0, "pooler_dropout": 0, "pooler_hidden_act": "gelu",
        "pooler_hidden_size": 32, "pos_att_type": ["p2c", "c2p"], "position_biased_input": false, "position_buckets": 256,
        "relative_attention": true, "share_att_key": true, "type_vocab_size": 0, "vocab_size": vocab});
    for (k, v) in overrides.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// A DeBERTa-v3 folder (config.json, spm.model, model.safetensors without the head) with
/// seeded random weights: linear weights N(0, 0.05²), embeddings N(0, emb²), LayerNorm
/// weights near 1, so activations stay O(1) through the layers.
fn write_checkpoint(dir: &Path, overrides: &serde_json::Value) -> ModelFiles {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(spm_fixture(), dir.join("spm.model")).unwrap();
    let vocab = Tokenizer::from_model_dir(dir).unwrap().vocab_size();
    std::fs::write(dir.join("config.json"), config(vocab, overrides).to_string()).unwrap();
    std::fs::write(dir.join("model.safetensors"), b"").unwrap();
    let files = ModelFiles::from_dir(dir).unwrap();
    let (vs, _m) = build(&files, 0.0);
    tch::manual_seed(1);
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let mut encoder: HashMap<String, Tensor> = HashMap::new();
    tch::no_grad(|| {
        for (name, mut v) in vars {
            if mixout::plan::is_head(&name) {
                continue;
            }
            let _ = if name.contains("LayerNorm") {
                if name.ends_with(".bias") {
                    v.normal_(0.0, 0.1)
                } else {
                    v.normal_(1.0, 0.1)
                }
            } else if name.contains("embeddings") {
                v.normal_(0.0, 0.5)
            } else if name.ends_with(".bias") {
                v.normal_(0.0, 0.05)
            } else {
                v.normal_(0.0, 0.1)
            };
            encoder.insert(name, v.detach().copy());
        }
    });
    write_safetensors_pt(&encoder, &dir.join("model.safetensors")).unwrap();
    files
}

fn build(files: &ModelFiles, dropout: f64) -> (nn::VarStore, SequenceClassifier) {
    let cfg = read_config(files, &["a".into(), "b".into()]).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let d = DropoutSpec { hidden: dropout, attention: dropout, head: dropout };
    let m = SequenceClassifier::build(&vs.root(), files, &cfg, d, Default::default()).unwrap();
    (vs, m)
}

fn load(files: &ModelFiles, dropout: f64) -> (nn::VarStore, SequenceClassifier, mixout::model::LoadReport) {
    let (vs, m) = build(files, dropout);
    tch::manual_seed(2);
    let report = load_pretrained(&vs, files, 0.02).unwrap();
    (vs, m, report)
}

/// RTE dev pairs tokenised by the folder's tokenizer: the first `n` padded into a batch, and
/// the ids of all of them at `max_len`.
fn rte(dir: &Path, n: usize, max_len: usize) -> (BatchTensors, Vec<Vec<i64>>) {
    let tok = Tokenizer::from_model_dir(dir).unwrap();
    let task = mixout_data::TaskSpec::glue("RTE", &common::glue()).unwrap();
    let dev = task.load(mixout_data::Split::Dev).unwrap();
    let enc: Vec<mixout_data::Encoded> =
        dev.iter().map(|e| tok.encode(&e.text_a, e.text_b.as_deref(), max_len)).collect();
    let items: Vec<&mixout_data::Encoded> = enc.iter().take(n).collect();
    let p = mixout_data::batch::pad(&items, tok.pad_id());
    let shape = [p.rows as i64, p.cols as i64];
    let t = |v: &[i64]| Tensor::from_slice(v).view(shape);
    let all = enc.iter().map(|e| e.input_ids.clone()).collect();
    let batch = BatchTensors {
        input_ids: t(&p.input_ids),
        token_type_ids: t(&p.token_type_ids),
        attention_mask: t(&p.attention_mask),
        lengths: None,
    };
    (batch, all)
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

#[test]
fn the_spm_tokenizer_builds_deberta_pairs() {
    let tok = Tokenizer::from_spm(&spm_fixture(), false).unwrap();
    let (cls, sep, pad) = (tok.cls_id(), tok.sep_id(), tok.pad_id());
    assert_eq!((pad, cls, sep), (0, 1, 2), "the fixture's layout is deberta-v3's");
    let e = tok.encode("The cat sat.", Some("A cat"), 64);
    assert_eq!(e.input_ids[0], cls);
    assert_eq!(e.input_ids.iter().filter(|&&t| t == sep).count(), 2);
    assert_eq!(*e.input_ids.last().unwrap(), sep);
    let first = e.input_ids.iter().position(|&t| t == sep).unwrap();
    assert!(
        e.token_type_ids[..=first].iter().all(|&t| t == 0) && e.token_type_ids[first + 1..].iter().all(|&t| t == 1)
    );
    // Cased: upper and lower case give other pieces.
    assert_ne!(tok.word_piece_ids("The"), tok.word_piece_ids("the"));
    assert!(tok.encode(&"word ".repeat(100), Some(&"other ".repeat(100)), 32).input_ids.len() == 32);
}

#[test]
fn deberta_loads_with_only_the_head_missing_classifies_trains_and_saves() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deberta");
    let files = write_checkpoint(&dir, &json!({}));
    assert_eq!(files.arch, mixout::arch::Arch::DebertaV2);
    let (vs, model, report) = load(&files, 0.0);
    assert_eq!(report.missing, ["classifier.bias", "classifier.weight", "pooler.dense.bias", "pooler.dense.weight"]);
    assert!(report.unused.is_empty(), "{:?}", report.unused);
    let names: Vec<String> = vs.variables().into_keys().collect();
    for expected in [
        "deberta.encoder.layer.0.attention.self.query_proj.weight",
        "deberta.encoder.layer.1.attention.output.LayerNorm.weight",
        "deberta.encoder.rel_embeddings.weight",
        "deberta.encoder.LayerNorm.weight",
        "deberta.embeddings.word_embeddings.weight",
    ] {
        assert!(names.iter().any(|n| n == expected), "no `{expected}` in {names:?}");
    }
    // v3 has neither absolute positions nor segments.
    assert!(!names.iter().any(|n| n.contains("position_embeddings") || n.contains("token_type")), "{names:?}");

    let (batch, _) = rte(&dir, 8, 128);
    let logits = model.forward_t(&batch, false).unwrap();
    assert_eq!(logits.size(), [8, 2]);
    assert_eq!(logits.isfinite().all().int64_value(&[]), 1);
    assert!(logits.equal(&model.forward_t(&batch, false).unwrap()));

    let (vs_d, model_d, _) = load(&files, 0.3);
    let loss = model_d
        .forward_t(&batch, true)
        .unwrap()
        .cross_entropy_for_logits(&Tensor::from_slice(&[0i64, 1, 0, 1, 0, 1, 0, 1]));
    loss.backward();
    let no_grad: Vec<String> = vs_d
        .variables()
        .into_iter()
        .filter(|(n, v)| !n.contains("word_embeddings") && v.grad().abs().sum(Kind::Float).double_value(&[]) == 0.0)
        .map(|(n, _)| n)
        .collect();
    assert!(no_grad.is_empty(), "parameters without a gradient: {no_grad:?}");

    let out = tmp.path().join("saved");
    save_model(&vs, &files, &["a".into(), "b".into()], &out).unwrap();
    for f in ["config.json", "spm.model", "tokenizer_config.json", "model.safetensors"] {
        assert!(out.join(f).is_file(), "no {f}");
    }
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(
        (cfg["architectures"][0].as_str(), cfg["dtype"].as_str()),
        (Some("DebertaV2ForSequenceClassification"), Some("float32"))
    );
    let tc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("tokenizer_config.json")).unwrap()).unwrap();
    assert_eq!(
        (tc["tokenizer_class"].as_str(), tc["do_lower_case"].as_bool()),
        (Some("DebertaV2Tokenizer"), Some(false))
    );
    let (_vs2, again, rep) = load(&ModelFiles::from_dir(&out).unwrap(), 0.0);
    assert!(rep.missing.is_empty(), "{:?}", rep.missing);
    assert!(again.forward_t(&batch, false).unwrap().allclose(&logits, 1e-6, 1e-6, false));
}

#[test]
fn presets_reinit_and_llrd_follow_deberta_names() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let files = write_checkpoint(&tmp.path().join("d"), &json!({}));
    let (vs, _m, _) = load(&files, 0.0);
    let params = named_shapes(&vs);
    let mut s = Setting { task: Some("RTE".into()), ..Default::default() };
    s.mixout.p = 0.9;
    s.head = HeadConfig::Mixout(0.7);
    let mixed = |s: &Setting| common::mixed_names(&params, s);
    let paper = mixed(&s);
    s.mixout.layers = LayerPreset::AllLinear;
    let all = mixed(&s);
    // 2 layers × 6 linears, `paper` without intermediate.dense; the head's pooler.dense and classifier.
    assert_eq!(all.len(), 12 + 2, "{all:?}");
    assert_eq!(paper.len(), 10 + 2, "{paper:?}");
    for linear in
        ["self.query_proj", "self.key_proj", "self.value_proj", "attention.output.dense", "intermediate.dense"]
    {
        assert_eq!(all.iter().filter(|n| n.contains(linear)).count(), 2, "{linear}: {all:?}");
    }
    assert_eq!(
        all.iter().filter(|n| n.ends_with("0.output.dense.weight") || n.ends_with("1.output.dense.weight")).count(),
        2
    );
    assert!(paper.iter().all(|n| !n.contains("intermediate.dense")));
    assert!(all.contains(&"pooler.dense.weight".to_string()) && all.contains(&"classifier.weight".to_string()));
    assert!(!all.iter().any(|n| n.contains("embeddings") || n.contains("LayerNorm") || n.ends_with(".bias")));

    // LLRD: the shared relative-position table and its norm sit with the embeddings.
    s.llrd = Some(0.5);
    let p = plan(&params, &s).unwrap();
    let scale = |n: &str| p.iter().find(|p| p.name == n).unwrap_or_else(|| panic!("{n}")).lr_scale;
    assert_eq!(mixout::plan::encoder_layers(&params), 2);
    assert_eq!(scale("deberta.embeddings.word_embeddings.weight"), 0.25);
    assert_eq!(scale("deberta.encoder.rel_embeddings.weight"), 0.25);
    assert_eq!(scale("deberta.encoder.LayerNorm.weight"), 0.25);
    assert_eq!(scale("deberta.encoder.layer.0.attention.self.query_proj.weight"), 0.5);
    assert_eq!(scale("deberta.encoder.layer.1.output.dense.weight"), 1.0);
    assert_eq!(scale("pooler.dense.weight"), 1.0);

    // Re-init of the top layer: layer 1 only, never the head (it is new anyway).
    let before = vs.variables()["deberta.encoder.layer.0.output.dense.weight"].copy();
    let names = reinit_top_layers(&vs, 1, 0.02).unwrap();
    assert!(!names.is_empty() && names.iter().all(|n| n.starts_with("deberta.encoder.layer.1.")), "{names:?}");
    assert!(vs.variables()["deberta.encoder.layer.0.output.dense.weight"].equal(&before));
    let ln = &vs.variables()["deberta.encoder.layer.1.output.LayerNorm.weight"];
    assert_eq!(ln.min().double_value(&[]), 1.0);
}

/// Our logits on a v3-configured checkpoint (and on one with 64 buckets, where relative
/// distances over 32 fall into log buckets) at max_len 128, with the head scaled to logits of
/// O(1); kept with our ids of all RTE dev pairs when `MIXOUT_ARCH_PARITY_DIR` is set.
#[test]
fn parity_checkpoints_deberta_v3() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let keep = std::env::var_os("MIXOUT_ARCH_PARITY_DIR").map(PathBuf::from);
    for (name, overrides) in
        [("deberta-v3", json!({})), ("deberta-v3-buckets64", json!({"position_buckets": 64, "hidden_act": "gelu_new"}))]
    {
        let dir = tmp.path().join(name);
        let files = write_checkpoint(&dir, &overrides);
        let (vs, model, _) = load(&files, 0.0);
        let (batch, ids) = rte(&dir, 8, 128);
        tch::manual_seed(3);
        tch::no_grad(|| {
            let vars = vs.variables();
            let mut v = vars["pooler.dense.weight"].shallow_clone();
            let _ = v.normal_(0.0, 0.3);
            let factor = 3.0 / max_abs(&model.forward_t(&batch, false).unwrap());
            for n in ["classifier.weight", "classifier.bias"] {
                let _ = vars[n].shallow_clone().g_mul_scalar_(factor);
            }
        });
        let logits = model.forward_t(&batch, false).unwrap();
        assert!(max_abs(&logits) >= 1.0);
        let out = tmp.path().join(format!("{name}-saved"));
        save_model(&vs, &files, &["a".into(), "b".into()], &out).unwrap();
        let (_v, again, _) = load(&ModelFiles::from_dir(&out).unwrap(), 0.0);
        assert!(max_abs(&(again.forward_t(&batch, false).unwrap() - &logits)) < 1e-5);
        if let Some(k) = &keep {
            let dst = k.join(name);
            let _ = std::fs::remove_dir_all(&dst);
            copy_dir(&out, &dst);
            write_ours(&dst, &batch, &logits, &ids);
        }
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for f in std::fs::read_dir(src).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dst.join(f.file_name().unwrap())).unwrap();
    }
}

/// `ours.json` (the batch and our logits) and `ids.json` (our ids of every RTE dev pair at
/// max_len 128) for scripts/check_arch_parity.py.
fn write_ours(dst: &Path, batch: &BatchTensors, logits: &Tensor, all_ids: &[Vec<i64>]) {
    let cols = batch.input_ids.size()[1] as usize;
    let rows = |t: &Tensor| -> Vec<Vec<i64>> {
        Vec::<i64>::try_from(&t.flatten(0, -1)).unwrap().chunks(cols).map(|r| r.to_vec()).collect()
    };
    let ours: Vec<f32> = Vec::try_from(&logits.flatten(0, -1)).unwrap();
    std::fs::write(
        dst.join("ours.json"),
        json!({"input_ids": rows(&batch.input_ids), "attention_mask": rows(&batch.attention_mask),
               "token_type_ids": rows(&batch.token_type_ids), "logits": ours})
        .to_string(),
    )
    .unwrap();
    std::fs::write(dst.join("ids.json"), json!({"max_len": 128, "input_ids": all_ids}).to_string()).unwrap();
}

#[test]
fn a_study_runs_with_mixout_reinit_and_llrd_on_a_deberta_folder() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("deb");
    write_checkpoint(&dir, &json!({}));
    let yaml = tmp.path().join("d.yaml");
    std::fs::write(
        &yaml,
        format!("name: d\ntask: RTE\nmodel: {}\nrestarts: 1\nepochs: 1\ntrain_subset: 64\nmax_seq_len: 64\ndevice: cpu\nsave_model: true\nsettings:\n  - {{label: mix, mixout: {{p: 0.9}}, reinit_layers: 1, llrd: 0.9}}\n", dir.display()),
    )
    .unwrap();
    let cmd = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("mixout")
            .unwrap()
            .env("MIXOUT_SHARED", common::shared())
            .args(args)
            .output()
            .unwrap()
    };
    let inspect = cmd(&["inspect", yaml.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(inspect.status.success(), "{}", String::from_utf8_lossy(&inspect.stderr));
    assert!(text.contains("architecture deberta-v2"), "{text}");
    for piece in
        ["query_proj", "key_proj", "value_proj", "attention.output.dense", "intermediate.dense", "output.dense"]
    {
        assert!(text.contains(piece), "`{piece}` not in {text}");
    }
    let line = text.lines().find(|l| l.starts_with("pooler.dense.weight")).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains(" new "), "{line}");
    let results = tmp.path().join("r");
    let out = cmd(&["run", "--quiet", yaml.to_str().unwrap(), "--results", results.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = mixout_report::RunResult::read(&results.join("d/mix/mix-seed1.json")).unwrap();
    assert_eq!(r.status, mixout_report::RunStatus::Finished);
    assert!(r.score.is_some_and(|s| (0.0..=100.0).contains(&s)));
    assert_eq!((r.params.reinit_layers, r.params.llrd), (1, Some(0.9)));
}
