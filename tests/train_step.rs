//! One training step on the shipped L3 model and real RTE batches.

mod common;

use mixout::config::Experiment;
use mixout::train::trainer::{accumulate_gradients, build_model, seed_everything};
use std::path::Path;
use tch::{Device, Kind, Tensor};

#[test]
fn micro_batches_give_the_full_batch_gradient() {
    let _rng = common::rng_lock();
    std::env::set_var("MIXOUT_SHARED", common::shared());
    // No dropout, so k = 1 and k > 1 compute the same function of the same weights.
    let exp = Experiment::parse(Path::new("t.yaml"), "task: RTE\nmodel: paraphrase-MiniLM-L3-v2\ndropout: 0.0\n").unwrap();
    let s = &exp.settings[0];
    let prep = mixout::train::prepare(s, &exp.path).unwrap();
    let lengths: Vec<usize> = prep.train.1.iter().map(|e| e.input_ids.len()).collect();
    // 24 examples of very different lengths, so micro-batches pad differently.
    let batch: Vec<usize> = (0..24).map(|i| i * 97 % prep.train.0.len()).collect();
    let grads = |k: usize| -> (f64, Vec<(String, Tensor)>) {
        seed_everything(5);
        let (vs, model) = build_model(s, &prep, Device::Cpu).unwrap();
        let loss = accumulate_gradients(&model, &prep, &batch, &lengths, k, Device::Cpu).unwrap();
        let mut g: Vec<(String, Tensor)> = vs.variables().into_iter().map(|(n, t)| (n, t.grad().copy())).collect();
        g.sort_by(|a, b| a.0.cmp(&b.0));
        (loss, g)
    };
    let (loss1, g1) = grads(1);
    for k in [2, 4, 7] {
        let (lossk, gk) = grads(k);
        assert!((loss1 - lossk).abs() < 1e-5, "k={k}: loss {lossk} vs {loss1}");
        for ((name, a), (_, b)) in g1.iter().zip(&gk) {
            // Relative to the tensor's own scale, with an absolute floor for gradients that are
            // zero in exact arithmetic (e.g. attention key biases) and only rounding noise here.
            let scale = a.abs().max().double_value(&[]);
            let diff = (a - b).abs().max().double_value(&[]);
            assert!(diff <= 1e-4 * scale + 1e-7, "k={k}: `{name}` gradient differs by {diff} (scale {scale})");
        }
    }
    let total: f64 = g1.iter().map(|(_, g)| g.abs().sum(Kind::Double).double_value(&[])).sum();
    assert!(total > 0.0, "a real gradient was computed");
}
