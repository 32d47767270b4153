//! The methods beyond the paper, checked by their effect on the real L3 model's parameters
//! and learning rates: re-initialising the top layers (Zhang et al. 2021) and layer-wise
//! learning-rate decay, alone and with mixout.

mod common;

use mixout::study::Study;
use mixout::train::assemble::{seed_everything, Finetuner};
use mixout::train::step::accumulate_gradients;
use std::collections::HashMap;
use tch::{Device, Kind, Tensor};

fn setting(extra: &str) -> (Study, mixout::train::Prepared) {
    common::l3_study(&format!("dropout: 0.0\n{extra}"))
}

fn assemble(study: &Study, prep: &mixout::train::Prepared) -> Finetuner {
    Finetuner::assemble(&study.settings[0].spec, &prep.files, &prep.task.labels, Device::Cpu).unwrap()
}

/// The shipped checkpoint under our variable names.
fn pretrained() -> HashMap<String, Tensor> {
    let path = common::shared().join("models/paraphrase-MiniLM-L3-v2/model.safetensors");
    Tensor::read_safetensors(path)
        .unwrap()
        .into_iter()
        .map(|(n, t)| (if n.starts_with("bert.") { n } else { format!("bert.{n}") }, t))
        .collect()
}

fn vars(extra: &str, seed: u64) -> HashMap<String, Tensor> {
    let (study, prep) = setting(extra);
    seed_everything(seed);
    assemble(&study, &prep).vs.variables().into_iter().map(|(n, t)| (n, t.detach().copy())).collect()
}

#[test]
fn reinit_replaces_exactly_the_top_layers_and_pooler_with_seeded_bert_init() {
    let _rng = common::rng_lock();
    let pre = pretrained();
    let a = vars("reinit_layers: 1\n", 7);
    let mut reinit = 0;
    for (name, v) in &a {
        let top = name.contains("encoder.layer.2.") || name.contains("pooler");
        match pre.get(name) {
            Some(p) if !top => assert!(v.equal(p), "`{name}` must stay pretrained"),
            _ if top => {
                reinit += 1;
                if let Some(p) = pre.get(name) {
                    assert!(!v.equal(p), "`{name}` must be re-initialised");
                }
                let (mean, std) = (v.mean(Kind::Double).double_value(&[]), v.std(true).double_value(&[]));
                if name.ends_with(".bias") {
                    assert_eq!(v.abs().max().double_value(&[]), 0.0, "`{name}`: zero bias");
                } else if name.contains("LayerNorm") {
                    assert!(v.eq(1.0).all().int64_value(&[]) == 1, "`{name}`: LayerNorm weight 1");
                } else {
                    assert!(
                        mean.abs() < 2e-3 && (0.018..0.022).contains(&std),
                        "`{name}`: N(0, 0.02²)? mean {mean}, std {std}"
                    );
                }
            }
            _ => {}
        }
    }
    // Layer 2: 16 tensors (4 linears + 2 LayerNorms, weight and bias each), pooler: 2.
    assert_eq!(reinit, 18);
    // The draws follow the run's seed.
    let same = vars("reinit_layers: 1\n", 7);
    let other = vars("reinit_layers: 1\n", 8);
    let q = "bert.encoder.layer.2.attention.self.query.weight";
    assert!(a[q].equal(&same[q]));
    assert!(!a[q].equal(&other[q]));
}

#[test]
fn mixout_and_wdecay_of_reinit_layers_pull_toward_their_new_init() {
    let _rng = common::rng_lock();
    let (study, prep) =
        setting("reinit_layers: 1\nmixout: {p: 0.7}\nweight_decay: {lambda: 0.01, toward: pretrained}\n");
    seed_everything(3);
    let Finetuner { vs, mixout, .. } = assemble(&study, &prep);
    let pre = pretrained();
    let live = vs.variables();
    let target = |n: &str| mixout.weights().iter().find(|w| w.name == n).unwrap().target().copy();
    let top = "bert.encoder.layer.2.attention.self.query.weight";
    assert!(target(top).equal(&live[top]), "target is the re-initialised value");
    assert!(!target(top).equal(&pre[top]), "not the pretrained one");
    let low = "bert.encoder.layer.0.attention.self.query.weight";
    assert!(target(low).equal(&pre[low]), "other layers keep the pretrained target");
}

#[test]
fn llrd_gives_each_depth_its_learning_rate_and_the_step_follows_it() {
    let _rng = common::rng_lock();
    // One first Adam step from the same weights and gradient: without bias correction its
    // size is lr·m/√v, linear in lr, so each parameter moves γ^(L−l) times as far as without LLRD.
    let step = |extra: &str| -> (HashMap<String, Tensor>, HashMap<String, Tensor>, mixout::train::optim::Adam) {
        let (study, prep) = setting(&format!("weight_decay: {{lambda: 0.0}}\n{extra}"));
        seed_everything(5);
        let mut ft = assemble(&study, &prep);
        let before: HashMap<String, Tensor> =
            ft.vs.variables().into_iter().map(|(n, t)| (n, t.detach().copy())).collect();
        let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
        let batch: Vec<usize> = (0..16).collect();
        let _ = accumulate_gradients(&ft, &prep, &batch, &lengths, 1).unwrap();
        ft.adam.step(1e-3).unwrap();
        let after = ft.vs.variables().into_iter().map(|(n, t)| (n, t.detach().copy())).collect();
        (before, after, ft.adam)
    };
    let (b0, a0, _) = step("");
    let (b1, a1, adam) = step("llrd: 0.9\n");
    let expect = [
        ("bert.embeddings.word_embeddings.weight", 0.729),
        ("bert.embeddings.LayerNorm.weight", 0.729),
        ("bert.encoder.layer.0.attention.self.query.weight", 0.81),
        ("bert.encoder.layer.1.output.dense.weight", 0.9),
        ("bert.encoder.layer.2.intermediate.dense.weight", 1.0),
        ("bert.pooler.dense.weight", 1.0),
        ("classifier.weight", 1.0),
    ];
    for (name, scale) in expect {
        assert!((adam.lr_scale(name).unwrap() - scale).abs() < 1e-12, "`{name}` lr factor {:?}", adam.lr_scale(name));
        let d0 = (&a0[name] - &b0[name]).abs().sum(Kind::Double).double_value(&[]);
        let d1 = (&a1[name] - &b1[name]).abs().sum(Kind::Double).double_value(&[]);
        assert!(d0 > 0.0, "`{name}` moved");
        assert!(
            (d1 / d0 - scale).abs() < 2e-3 * scale,
            "`{name}`: moved {d1} vs {d0} without LLRD, ratio {} ≠ {scale}",
            d1 / d0
        );
    }
}
