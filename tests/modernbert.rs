//! ModernBERT on small random-weight checkpoints this test writes itself (hidden 64, 4
//! layers alternating global and sliding-window attention with a window of ±8, shorter than
//! most RTE pairs), with the byte-level BPE `tokenizer.json` of tests/fixtures/modernbert
//! (trained on RTE train by scripts/make_modernbert_tokenizer.py): it loads with only the head
//! missing, classifies and trains on real RTE pairs, gets the mixout presets, re-init and
//! LLRD by its own names, saves and reloads to identical logits, runs a study, and computes
//! in bf16. With `MIXOUT_MODERNBERT_PARITY_DIR` set, `saved_classifiers_reload_and_feed_the_parity_check`
//! keeps its folders and our ids and logits on all 277 RTE dev pairs there for
//! scripts/check_modernbert_parity.py, which compares them with transformers 5.24.

mod common;

use mixout::export::{save_model, write_safetensors_pt};
use mixout::model::{load_pretrained, read_config, BatchTensors, DropoutSpec, ModelFiles, SequenceClassifier};
use mixout::plan::plan;
use mixout::train::assemble::named_shapes;
use mixout_data::Tokenizer;
use mixout_spec::{HeadConfig, LayerPreset, Precision, Setting};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tch::{nn, Device, Kind, Tensor};

const LABELS: [&str; 2] = ["entailment", "not_entailment"];

fn labels() -> Vec<String> {
    LABELS.iter().map(|s| s.to_string()).collect()
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/modernbert")
}

/// A tiny ModernBERT config.json in transformers' legacy form (`global_attn_every_n_layers`,
/// `*_rope_theta`), with `overrides` replacing fields. Thetas other than the defaults show
/// that they are read.
fn config(overrides: &serde_json::Value) -> serde_json::Value {
    let mut c = json!({"model_type": "modernbert", "architectures": ["ModernBertForMaskedLM"], "vocab_size": 1000,
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 4, "num_attention_heads": 4,
        "hidden_activation": "gelu", "max_position_embeddings": 512, "initializer_range": 0.02, "norm_eps": 1e-5,
        "norm_bias": false, "global_attn_every_n_layers": 2, "local_attention": 16, "global_rope_theta": 20000.0,
        "local_rope_theta": 500.0, "attention_bias": false, "mlp_bias": false, "classifier_pooling": "cls",
        "classifier_activation": "gelu", "classifier_bias": false, "pad_token_id": 3, "bos_token_id": 1,
        "cls_token_id": 1, "eos_token_id": 2, "sep_token_id": 2});
    for (k, v) in overrides.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

/// Writes a random-weight checkpoint into `dir`: as transformers saves `ModernBertForMaskedLM`
/// (`model.*`, the pretrained `head.*`, `decoder.bias`) when `mlm`, else as a bare
/// `ModernBertModel` (no prefix, no head).
fn write_checkpoint(dir: &Path, overrides: &serde_json::Value, mlm: bool) -> ModelFiles {
    std::fs::create_dir_all(dir).unwrap();
    for f in ["tokenizer.json", "tokenizer_config.json"] {
        std::fs::copy(fixture().join(f), dir.join(f)).unwrap();
    }
    std::fs::write(dir.join("config.json"), serde_json::to_string_pretty(&config(overrides)).unwrap()).unwrap();
    std::fs::write(dir.join("model.safetensors"), b"").unwrap();
    let files = ModelFiles::from_dir(dir).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let cfg = read_config(&files, &labels()).unwrap();
    let _m = SequenceClassifier::build(
        &vs.root(),
        &files,
        &cfg,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        Default::default(),
    )
    .unwrap();
    tch::manual_seed(1);
    let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: HashMap<String, Tensor> = HashMap::new();
    tch::no_grad(|| {
        for (name, mut v) in vars {
            if name.starts_with("classifier.") || (!mlm && name.starts_with("head.")) {
                continue;
            }
            let _ = if name.ends_with("norm.weight") {
                v.normal_(1.0, 0.1)
            } else if name.contains("tok_embeddings") {
                v.normal_(0.0, 0.5)
            } else {
                v.normal_(0.0, 0.08)
            };
            let key = if mlm { name.clone() } else { name.trim_start_matches("model.").to_string() };
            out.insert(key, v.detach().copy());
        }
    });
    if mlm {
        out.insert("decoder.bias".into(), Tensor::zeros([1000], (Kind::Float, Device::Cpu)));
    }
    write_safetensors_pt(&out, &dir.join("model.safetensors")).unwrap();
    files
}

/// Our classifier on a folder, loaded, with a seeded head.
fn load(files: &ModelFiles, dropout: f64) -> (nn::VarStore, SequenceClassifier, mixout::model::LoadReport) {
    let cfg = read_config(files, &labels()).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let d = DropoutSpec { hidden: dropout, attention: dropout, head: dropout };
    let m = SequenceClassifier::build(&vs.root(), files, &cfg, d, Default::default()).unwrap();
    tch::manual_seed(2);
    let report = load_pretrained(&vs, files, 0.02).unwrap();
    (vs, m, report)
}

/// RTE dev pairs `range`, tokenised by the folder's tokenizer (max 128 tokens) and padded.
fn rte_batch(dir: &Path, range: std::ops::Range<usize>) -> (BatchTensors, Vec<Vec<i64>>) {
    let tok = Tokenizer::from_model_dir(dir).unwrap();
    let task = mixout_data::TaskSpec::glue("RTE", &common::glue()).unwrap();
    let dev = task.load(mixout_data::Split::Dev).unwrap();
    let enc: Vec<mixout_data::Encoded> =
        dev[range].iter().map(|e| tok.encode(&e.text_a, e.text_b.as_deref(), 128)).collect();
    let items: Vec<&mixout_data::Encoded> = enc.iter().collect();
    let p = mixout_data::batch::pad(&items, tok.pad_id());
    let shape = [p.rows as i64, p.cols as i64];
    let t = |v: &[i64]| Tensor::from_slice(v).view(shape);
    let batch = BatchTensors {
        input_ids: t(&p.input_ids),
        token_type_ids: t(&p.token_type_ids),
        attention_mask: t(&p.attention_mask),
        lengths: None,
    };
    (batch, enc.into_iter().map(|e| e.input_ids).collect())
}

fn max_abs(t: &Tensor) -> f64 {
    t.abs().max().double_value(&[])
}

/// Redraws the new head and scales it so that max |logit| is 3 on `batch` (an N(0, 0.02²)
/// head gives logits near 1e-2, on which a 1e-4 tolerance would say little).
fn enlarge_head(vs: &nn::VarStore, model: &SequenceClassifier, batch: &BatchTensors) {
    tch::manual_seed(3);
    let vars = vs.variables();
    tch::no_grad(|| {
        let _ = vars["classifier.weight"].shallow_clone().normal_(0.0, 1.0);
        let _ = vars["classifier.bias"].shallow_clone().normal_(0.0, 0.1);
        let factor = 3.0 / max_abs(&model.forward_t(batch, false).unwrap());
        for name in ["classifier.weight", "classifier.bias"] {
            let _ = vars[name].shallow_clone().g_mul_scalar_(factor);
        }
    });
}

#[test]
fn tokenizer_json_folders_encode_pairs_with_the_template() {
    let tok = Tokenizer::from_model_dir(&fixture()).unwrap();
    assert_eq!((tok.cls_id(), tok.sep_id(), tok.pad_id(), tok.vocab_size()), (1, 2, 3, 1000));
    assert!(tok.vocab_path().ends_with("tokenizer.json"));
    let (a, b) = ("The cat sat.", "A cat is sitting.");
    let e = tok.encode(a, Some(b), 128);
    let (ia, ib) = (tok.word_piece_ids(a), tok.word_piece_ids(b));
    let expect: Vec<i64> = [vec![1], ia.clone(), vec![2], ib.clone(), vec![2]].concat();
    assert_eq!(e.input_ids, expect, "[CLS] a [SEP] b [SEP]");
    assert_eq!(e.token_type_ids, [vec![0; ia.len() + 2], vec![1; ib.len() + 1]].concat());
    // Longest-first: the short text survives whole when it fits in half the budget...
    let long = tok.word_piece_ids(&"word ".repeat(60));
    let e = tok.encode(&"word ".repeat(60), Some(a), 16);
    assert_eq!(e.input_ids.len(), 16);
    assert_eq!(&e.input_ids[16 - ia.len() - 1..15], &ia[..], "{:?}", e.input_ids);
    // ...otherwise both are cut to half the budget, the odd token to the longer text.
    assert_eq!(ib.len(), 8, "{ib:?}");
    let e = tok.encode(&"word ".repeat(60), Some(b), 16);
    assert_eq!(e.input_ids, [vec![1], long[..7].to_vec(), vec![2], ib[..6].to_vec(), vec![2]].concat());
    assert_eq!(tok.encode(a, Some(b), 2).input_ids, [1, 2, 2], "only the special tokens fit");
    // A folder without any tokenizer names the three options.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("config.json"), config(&json!({})).to_string()).unwrap();
    std::fs::write(tmp.path().join("model.safetensors"), b"").unwrap();
    let err = ModelFiles::from_dir(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("tokenizer.json") && err.contains("vocab.txt"), "{err}");
}

#[test]
fn loads_with_only_the_head_missing_classifies_and_trains() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let files = write_checkpoint(&tmp.path().join("mlm"), &json!({}), true);
    assert_eq!(files.arch, mixout::arch::Arch::ModernBert);
    assert!(files.vocab.ends_with("tokenizer.json"));
    let (vs, model, report) = load(&files, 0.0);
    assert_eq!(report.missing, ["classifier.bias", "classifier.weight"]);
    assert_eq!(report.unused, ["decoder.bias"]);
    assert!(vs.variables().contains_key("model.layers.3.attn.Wqkv.weight"));
    assert!(!vs.variables().contains_key("model.layers.0.attn_norm.weight"), "layer 0's attn_norm is the identity");
    assert!(vs.variables().contains_key("model.layers.1.attn_norm.weight"));

    // A bare encoder (ModernBertModel): `head.*` is new too, its norm weight 1.
    let bare = write_checkpoint(&tmp.path().join("bare"), &json!({}), false);
    let (vs_b, _, rep_b) = load(&bare, 0.0);
    assert_eq!(rep_b.missing, ["classifier.bias", "classifier.weight", "head.dense.weight", "head.norm.weight"]);
    assert!(vs_b.variables()["head.norm.weight"].equal(&Tensor::ones([64], (Kind::Float, Device::Cpu))));

    let (batch, ids) = rte_batch(&files.dir, 0..8);
    let longest = ids.iter().map(Vec::len).max().unwrap();
    assert!(longest > 40, "pairs reach beyond the ±8 window: {longest} tokens");
    let logits = model.forward_t(&batch, false).unwrap();
    assert_eq!(logits.size(), [8, 2]);
    assert_eq!(logits.isfinite().all().int64_value(&[]), 1);
    assert!(logits.equal(&model.forward_t(&batch, false).unwrap()), "eval is deterministic");
    // Padding changes nothing: the shortest pair alone gives its batch logits.
    let short = ids.iter().enumerate().min_by_key(|(_, v)| v.len()).unwrap().0;
    let (alone, _) = rte_batch(&files.dir, short..short + 1);
    let d = max_abs(&(model.forward_t(&alone, false).unwrap() - logits.get(short as i64)));
    assert!(d < 1e-5, "padding moves the logits by {d}");
    // The window matters: the same weights with global attention everywhere differ.
    let global = write_checkpoint(&tmp.path().join("global"), &json!({"global_attn_every_n_layers": 1}), true);
    let (_vs_g, model_g, _) = load(&global, 0.0);
    let moved = max_abs(&(model_g.forward_t(&batch, false).unwrap() - &logits));
    assert!(moved > 1e-3, "sliding windows change nothing ({moved})");

    let (vs_d, model_d, _) = load(&files, 0.1);
    let targets = Tensor::from_slice(&[0i64, 1, 0, 1, 0, 1, 0, 1]);
    model_d.forward_t(&batch, true).unwrap().cross_entropy_for_logits(&targets).backward();
    let vars = vs_d.variables();
    let missing_grad: Vec<&String> =
        vars.iter().filter(|(_, v)| !v.grad().defined() || max_abs(&v.grad()) == 0.0).map(|(n, _)| n).collect();
    assert!(missing_grad.is_empty(), "parameters without a gradient: {missing_grad:?}");
}

#[test]
fn presets_reinit_and_llrd_follow_modernbert_names() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let files = write_checkpoint(&tmp.path().join("m"), &json!({}), true);
    let (vs, _, _) = load(&files, 0.0);
    let params = named_shapes(&vs);
    let mut s = Setting { task: Some("RTE".into()), head: HeadConfig::Mixout(0.7), ..Default::default() };
    s.mixout.p = 0.9;
    let mixed = |s: &Setting| common::mixed_names(&params, s);
    let paper = mixed(&s);
    s.mixout.layers = LayerPreset::AllLinear;
    let all = mixed(&s);
    // 4 layers × (Wqkv, attn.Wo, mlp.Wi, mlp.Wo), head.dense, and the new classifier.
    assert_eq!(all.len(), 4 * 4 + 2, "{all:?}");
    assert_eq!(paper.len(), 4 * 3 + 2, "{paper:?}");
    assert!(all.iter().any(|n| n.contains("mlp.Wi.")) && !paper.iter().any(|n| n.contains("mlp.Wi.")));
    assert!(paper.contains(&"head.dense.weight".to_string()) && paper.contains(&"classifier.weight".to_string()));
    assert!(!all.iter().any(|n| n.contains("norm") || n.contains("embeddings") || n.ends_with(".bias")), "{all:?}");

    let mut s = Setting { task: Some("RTE".into()), llrd: Some(0.5), reinit_layers: 1, ..Default::default() };
    s.mixout.p = 0.5;
    let p = plan(&params, &s).unwrap();
    let get = |n: &str| p.iter().find(|p| p.name == n).unwrap_or_else(|| panic!("no {n}")).clone();
    assert_eq!(mixout::plan::encoder_layers(&params), 4);
    assert_eq!(get("model.embeddings.tok_embeddings.weight").lr_scale, 0.0625);
    assert_eq!(get("model.embeddings.norm.weight").lr_scale, 0.0625);
    assert_eq!(get("model.layers.0.attn.Wqkv.weight").lr_scale, 0.125);
    assert_eq!(get("model.layers.3.mlp.Wo.weight").lr_scale, 1.0);
    assert_eq!(get("model.final_norm.weight").lr_scale, 1.0);
    for top in ["model.layers.3.attn.Wqkv.weight", "model.layers.3.mlp_norm.weight", "model.final_norm.weight"] {
        assert!(get(top).reinit, "{top}");
    }
    assert!(get("head.dense.weight").reinit && get("head.norm.weight").reinit, "the pooler's place");
    assert!(!get("model.layers.2.attn.Wqkv.weight").reinit && !get("classifier.weight").reinit);
    assert!(get("model.layers.3.attn_norm.weight").decay.is_none(), "norms are never decayed");
    // Re-initialised norms return to 1, weights are redrawn.
    let names = mixout::train::assemble::reinit_top_layers(&vs, 1, 0.02).unwrap();
    assert!(names.contains(&"model.final_norm.weight".to_string()));
    let v = vs.variables();
    assert!(v["model.layers.3.mlp_norm.weight"].equal(&Tensor::ones([64], (Kind::Float, Device::Cpu))));
    assert!(max_abs(&v["model.layers.3.mlp.Wi.weight"]) < 0.2, "drawn from N(0, 0.02²)");
}

fn parity_dir() -> Option<PathBuf> {
    std::env::var_os("MIXOUT_MODERNBERT_PARITY_DIR").map(PathBuf::from)
}

/// For CLS pooling on the legacy config keys and mean pooling on transformers 5.24's own
/// (`layer_types`, `rope_parameters`): the saved classifier reloads with nothing missing and
/// the same logits on all 277 RTE dev pairs, its files are Hugging Face's, and bf16 stays
/// near fp32. With `MIXOUT_MODERNBERT_PARITY_DIR` the folders, our ids and logits are kept.
#[test]
fn saved_classifiers_reload_and_feed_the_parity_check() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let v5 = json!({"classifier_pooling": "mean", "global_attn_every_n_layers": null, "global_rope_theta": null,
        "local_rope_theta": null, "layer_types": ["sliding_attention", "full_attention", "sliding_attention", "sliding_attention"],
        "rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 80000.0},
                            "sliding_attention": {"rope_type": "default", "rope_theta": 1000.0}}});
    for (name, overrides) in [("cls", json!({})), ("mean", v5)] {
        let files = write_checkpoint(&tmp.path().join(name), &overrides, true);
        let (vs, model, _) = load(&files, 0.0);
        let batches: Vec<(BatchTensors, Vec<Vec<i64>>)> =
            (0..277).step_by(32).map(|s| rte_batch(&files.dir, s..(s + 32).min(277))).collect();
        enlarge_head(&vs, &model, &batches[0].0);
        let logits: Vec<Tensor> = batches.iter().map(|(b, _)| model.forward_t(b, false).unwrap()).collect();
        let scale = logits.iter().map(max_abs).fold(0.0, f64::max);
        assert!(scale >= 1.0, "{name}: logits of O(1), got {scale}");

        let out = tmp.path().join(format!("{name}-saved"));
        save_model(&vs, &files, &labels(), &out).unwrap();
        let saved = ModelFiles::from_dir(&out).unwrap();
        let cfg: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
        assert_eq!(cfg["architectures"][0], "ModernBertForSequenceClassification");
        assert!(out.join("tokenizer.json").is_file() && out.join("tokenizer_config.json").is_file());
        let names: Vec<String> =
            Tensor::read_safetensors(out.join("model.safetensors")).unwrap().into_iter().map(|(n, _)| n).collect();
        for n in [
            "model.layers.1.attn.Wqkv.weight",
            "model.embeddings.tok_embeddings.weight",
            "head.dense.weight",
            "classifier.bias",
        ] {
            assert!(names.contains(&n.to_string()), "{name}: {n} not saved");
        }
        let (_vs2, again, rep) = load(&saved, 0.0);
        assert!(rep.missing.is_empty() && rep.unused.is_empty(), "{name}: {rep:?}");
        for ((b, _), l) in batches.iter().zip(&logits) {
            assert!(again.forward_t(b, false).unwrap().equal(l), "{name}: reload changes logits");
        }

        // bf16 matmuls and attention: near fp32, and fp32 gradients for the fp32 weights.
        let (vs3, mut bf, _) = load(&saved, 0.0);
        bf.set_precision(Precision::Bf16).unwrap();
        let low = bf.forward_t(&batches[0].0, false).unwrap();
        assert_eq!(low.kind(), Kind::Float);
        let d = max_abs(&(&low - &logits[0]));
        assert!(d < 0.1 * scale, "{name}: bf16 differs from fp32 by {d} (scale {scale})");
        low.sum(Kind::Float).backward();
        let g = vs3.variables()["model.layers.1.attn.Wqkv.weight"].grad();
        assert!(g.kind() == Kind::Float && max_abs(&g) > 0.0, "{name}: bf16 gradient");

        if let Some(k) = parity_dir() {
            let dst = k.join(name);
            common::keep_folder(&out, &dst);
            let rows = |t: &Tensor| -> Vec<Vec<i64>> {
                let w = t.size()[1] as usize;
                Vec::<i64>::try_from(&t.flatten(0, -1)).unwrap().chunks(w).map(|r| r.to_vec()).collect()
            };
            let batches_json: Vec<serde_json::Value> = batches
                .iter()
                .zip(&logits)
                .map(|((b, ids), l)| {
                    json!({"ids": ids, "input_ids": rows(&b.input_ids), "attention_mask": rows(&b.attention_mask),
                           "logits": Vec::<f32>::try_from(&l.flatten(0, -1)).unwrap()})
                })
                .collect();
            std::fs::write(dst.join("ours.json"), json!({"max_len": 128, "batches": batches_json}).to_string())
                .unwrap();
        }
    }
}

#[test]
fn a_study_runs_end_to_end_on_a_modernbert_folder() {
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("mb");
    write_checkpoint(&dir, &json!({"classifier_pooling": "mean"}), true);
    let yaml = tmp.path().join("m.yaml");
    std::fs::write(
        &yaml,
        format!("name: m\ntask: RTE\nmodel: {}\nrestarts: 1\nepochs: 1\ntrain_subset: 64\nmax_seq_len: 64\ndevice: cpu\nsettings:\n  - {{label: mix, mixout: {{p: 0.5}}, reinit_layers: 1, llrd: 0.9}}\n", dir.display()),
    )
    .unwrap();
    let mixout = |args: &[&str], results: bool| {
        let mut c = assert_cmd::Command::cargo_bin("mixout").unwrap();
        c.env("MIXOUT_SHARED", common::shared()).args(args).arg(&yaml);
        if results {
            c.arg("--results").arg(tmp.path().join("r"));
        }
        c.output().unwrap()
    };
    let inspect = mixout(&["inspect"], false);
    let text = String::from_utf8_lossy(&inspect.stdout);
    assert!(inspect.status.success(), "{}", String::from_utf8_lossy(&inspect.stderr));
    assert!(text.contains("architecture modernbert") && text.contains("mlp.Wi"), "{text}");
    assert!(text.contains("re-init") && text.contains("0.9000"), "{text}");
    let line = |p: &str| text.lines().find(|l| l.starts_with(p)).unwrap_or_else(|| panic!("no `{p}` line: {text}"));
    assert!(line("classifier.weight").contains(" new "));
    assert!(line("head.dense.weight").contains("re-init") && line("head.dense.weight").contains("yes"));
    assert!(line("model.layers.0.mlp.Wi.weight").contains("pretrained"));
    let out = mixout(&["run", "--quiet"], true);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let r = mixout_report::RunResult::read(&tmp.path().join("r/m/mix/mix-seed1.json")).unwrap();
    assert_eq!(r.status, mixout_report::RunStatus::Finished);
    assert!(r.score.is_some_and(|s| (0.0..=100.0).contains(&s)));
    assert_eq!((r.params.reinit_layers, r.params.llrd), (1, Some(0.9)));
}
