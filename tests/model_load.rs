//! Loading the shipped L3 MiniLM into our BertForSequenceClassification-named model.

mod common;

use mixout::model::{load_pretrained, read_config, BatchTensors, DropoutSpec, ModelFiles, SequenceClassifier};
use mixout_data::{Split, TaskSpec, Tokenizer};
use tch::{nn, Device, Kind, Tensor};

fn labels() -> Vec<String> {
    vec!["entailment".into(), "not_entailment".into()]
}

#[test]
fn l3_loads_with_only_head_and_pooler_missing_and_trains_one_pair() {
    let _rng = common::rng_lock();
    let files = ModelFiles::from_dir(&common::l3()).unwrap();
    let config = read_config(&files, &labels()).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let model = SequenceClassifier::new(
        &vs.root(),
        &config,
        DropoutSpec { hidden: 0.1, attention: 0.1, head: 0.1 },
        Default::default(),
    )
    .unwrap();
    tch::manual_seed(0);
    let report = load_pretrained(&vs, &files, 0.02).unwrap();
    assert_eq!(
        report.missing,
        ["bert.pooler.dense.bias", "bert.pooler.dense.weight", "classifier.bias", "classifier.weight"]
    );
    assert_eq!(report.loaded, 53, "every tensor of the checkpoint is used");
    assert!(report.unused.is_empty(), "{:?}", report.unused);
    // The head starts as BERT's: N(0, 0.02²) weight, zero bias.
    let vars = vs.variables();
    let w = &vars["classifier.weight"];
    let std = w.std(true).double_value(&[]);
    assert!((0.012..0.028).contains(&std), "head init std {std}");
    assert_eq!(vars["classifier.bias"].abs().sum(Kind::Float).double_value(&[]), 0.0);
    // A pretrained value arrived where the name says.
    let ckpt = Tensor::read_safetensors(&files.weights).unwrap();
    let q = &ckpt.iter().find(|(n, _)| n == "encoder.layer.0.attention.self.query.weight").unwrap().1;
    assert!(vars["bert.encoder.layer.0.attention.self.query.weight"].equal(q));

    // Forward + backward on the first real RTE dev pair.
    let task = TaskSpec::glue("RTE", &common::glue()).unwrap();
    let ex = &task.load(Split::Dev).unwrap()[0];
    let tok = Tokenizer::from_model_dir(&files.dir).unwrap();
    let enc = tok.encode(&ex.text_a, ex.text_b.as_deref(), 128);
    let n = enc.input_ids.len() as i64;
    let batch = BatchTensors {
        input_ids: Tensor::from_slice(&enc.input_ids).view([1, n]),
        token_type_ids: Tensor::from_slice(&enc.token_type_ids).view([1, n]),
        attention_mask: Tensor::ones([1, n], (Kind::Int64, Device::Cpu)),
        lengths: None,
    };
    let logits = model.forward_t(&batch, true).unwrap();
    assert_eq!(logits.size(), [1, 2]);
    let loss = logits.cross_entropy_for_logits(&Tensor::from_slice(&[0i64]));
    assert!(loss.double_value(&[]).is_finite());
    loss.backward();
    let g = vars["bert.encoder.layer.0.attention.self.query.weight"].grad();
    assert!(g.defined() && g.abs().sum(Kind::Float).double_value(&[]) > 0.0, "gradient reaches the first layer");
}

#[test]
fn a_checkpoint_missing_an_encoder_tensor_is_an_error_naming_it() {
    let _rng = common::rng_lock();
    let files = ModelFiles::from_dir(&common::l3()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ckpt: Vec<(String, Tensor)> = Tensor::read_safetensors(&files.weights)
        .unwrap()
        .into_iter()
        .filter(|(n, _)| n != "encoder.layer.1.output.dense.weight")
        .collect();
    Tensor::write_safetensors(&ckpt, dir.path().join("model.safetensors")).unwrap();
    for f in ["config.json", "vocab.txt"] {
        std::fs::copy(files.dir.join(f), dir.path().join(f)).unwrap();
    }
    let broken = ModelFiles::from_dir(dir.path()).unwrap();
    let config = read_config(&broken, &labels()).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _m = SequenceClassifier::new(
        &vs.root(),
        &config,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        Default::default(),
    )
    .unwrap();
    let err = load_pretrained(&vs, &broken, 0.02).unwrap_err().to_string();
    assert!(err.contains("bert.encoder.layer.1.output.dense.weight"), "{err}");
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn a_folder_without_weights_says_what_is_missing() {
    let _rng = common::rng_lock();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), "{}").unwrap();
    let err = ModelFiles::from_dir(dir.path()).unwrap_err().to_string();
    assert!(err.contains("model.safetensors"), "{err}");
}

#[test]
fn fused_encoder_computes_what_rust_bert_computes() {
    let _rng = common::rng_lock();
    use mixout::model::EncoderImpl;
    let files = ModelFiles::from_dir(&common::l3()).unwrap();
    let config = read_config(&files, &labels()).unwrap();
    let no_dropout = DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 };
    let build = |imp: EncoderImpl| {
        let vs = nn::VarStore::new(Device::Cpu);
        let m = SequenceClassifier::new(&vs.root(), &config, no_dropout, imp).unwrap();
        tch::manual_seed(0);
        load_pretrained(&vs, &files, 0.02).unwrap();
        (vs, m)
    };
    let (vs_a, rb) = build(EncoderImpl::RustBert);
    let (vs_b, fused) = build(EncoderImpl::Padded);
    let names_a: std::collections::BTreeSet<String> = vs_a.variables().into_keys().collect();
    let names_b: std::collections::BTreeSet<String> = vs_b.variables().into_keys().collect();
    assert_eq!(names_a, names_b, "both encoders use the same variable names");
    let (va, vb) = (vs_a.variables(), vs_b.variables());
    for (n, t) in &va {
        assert!(t.equal(&vb[n]), "`{n}` differs after loading");
    }
    // A real padded batch of RTE dev pairs of different lengths.
    let batch = rte_dev_batch(&files);
    let la = rb.forward_t(&batch, true).unwrap();
    let lb = fused.forward_t(&batch, true).unwrap();
    let diff = (&la - &lb).abs().max().double_value(&[]);
    assert!(diff < 1e-4, "logits differ by {diff}");
    let y = Tensor::from_slice(&[0i64, 1, 0, 1, 1, 0]);
    la.cross_entropy_for_logits(&y).backward();
    lb.cross_entropy_for_logits(&y).backward();
    for name in [
        "bert.encoder.layer.0.attention.self.query.weight",
        "bert.embeddings.word_embeddings.weight",
        "bert.encoder.layer.2.intermediate.dense.weight",
    ] {
        let (ga, gb) = (va[name].grad(), vb[name].grad());
        let rel = ((&ga - &gb).norm().double_value(&[])) / ga.norm().double_value(&[]).max(1e-12);
        assert!(rel < 1e-3, "{name}: relative gradient difference {rel}");
    }
}

/// The L3 model's files with config.json replaced by a copy whose fields `changes` overrides
/// (the shared weights and vocabulary are read in place).
fn l3_with(changes: serde_json::Value, tmp: &std::path::Path) -> ModelFiles {
    let l3 = ModelFiles::from_dir(&common::l3()).unwrap();
    let mut cfg: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&l3.config).unwrap()).unwrap();
    for (k, v) in changes.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    let name = format!("config-{}.json", changes.to_string().replace(|c: char| !c.is_ascii_alphanumeric(), "_"));
    let config = tmp.join(name);
    std::fs::write(&config, cfg.to_string()).unwrap();
    ModelFiles::new(l3.dir, config, l3.vocab, l3.weights).unwrap()
}

/// Logits of the L3 classifier (head seeded, then scaled so logits are O(1)) on 6 RTE pairs.
fn l3_logits(files: &ModelFiles, encoder: mixout::model::EncoderImpl) -> Tensor {
    let config = read_config(files, &labels()).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let model =
        SequenceClassifier::new(&vs.root(), &config, DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 }, encoder)
            .unwrap();
    tch::manual_seed(0);
    load_pretrained(&vs, files, 0.02).unwrap();
    tch::no_grad(|| {
        let mut w = vs.variables()["classifier.weight"].shallow_clone();
        let _ = w.g_mul_scalar_(50.0);
    });
    let batch = rte_dev_batch(files);
    model.forward_t(&batch, false).unwrap()
}

#[test]
fn fused_encoder_honours_layer_norm_eps_and_hidden_act_as_rust_bert_does() {
    use mixout::model::EncoderImpl;
    let _rng = common::rng_lock();
    let tmp = tempfile::tempdir().unwrap();
    let max_abs = |t: &Tensor| t.abs().max().double_value(&[]);
    let base = l3_logits(&l3_with(serde_json::json!({}), tmp.path()), EncoderImpl::Padded);
    let scale = max_abs(&base);
    assert!(scale > 1.0, "logits of O(1) or larger: {scale}");
    let tol = 1e-4 * scale;
    for changes in [
        serde_json::json!({"layer_norm_eps": 1e-1}),
        serde_json::json!({"hidden_act": "relu"}),
        serde_json::json!({"hidden_act": "gelu_new"}),
        serde_json::json!({"hidden_act": "gelu_pytorch_tanh", "layer_norm_eps": 1e-5}),
    ] {
        let files = l3_with(changes.clone(), tmp.path());
        let fused = l3_logits(&files, EncoderImpl::Padded);
        let moved = max_abs(&(&fused - &base));
        assert!(moved > 10.0 * tol, "{changes}: the fused logits move by only {moved:.2e} (tolerance {tol:.2e})");
        let rb = l3_logits(&files, EncoderImpl::RustBert);
        let d = max_abs(&(&fused - &rb));
        assert!(d <= tol, "{changes}: fused and rust-bert differ by {d:.2e} (tolerance {tol:.2e})");
    }
}

#[test]
fn an_unsupported_hidden_act_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let files = l3_with(serde_json::json!({"hidden_act": "quick_gelu"}), tmp.path());
    let err = read_config(&files, &labels()).unwrap_err().to_string();
    assert!(err.contains("hidden_act") && err.contains("quick_gelu"), "{err}");
    assert!(err.contains("gelu_new") && err.contains("relu"), "the message lists what works: {err}");
    assert!(err.contains(&files.config.display().to_string()), "{err}");
}

/// The first 6 RTE dev pairs, tokenised by the model folder's tokenizer and padded.
fn rte_dev_batch(files: &ModelFiles) -> BatchTensors {
    let task = TaskSpec::glue("RTE", &common::glue()).unwrap();
    let dev = task.load(Split::Dev).unwrap();
    let tok = Tokenizer::from_model_dir(&files.dir).unwrap();
    let enc: Vec<mixout_data::Encoded> =
        dev.iter().take(6).map(|e| tok.encode(&e.text_a, e.text_b.as_deref(), 128)).collect();
    let refs: Vec<&mixout_data::Encoded> = enc.iter().collect();
    mixout::train::evaluate::to_tensors(&mixout_data::batch::pad(&refs, tok.pad_id()), Device::Cpu)
}
