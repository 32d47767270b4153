//! The mixout operator against its definition (spec §1) on real tch tensors and on the
//! shipped L3 model.

mod common;

use mixout::mixout::{
    check_p, draw_mask, kept_fraction, mixout_backward, mixout_forward, BackwardVariant, Granularity, MixedWeight,
    Mixout, MixoutSpec,
};
use mixout::plan::plan;
use mixout_spec::{LayerPreset, Setting};
use tch::{nn, nn::Module, Device, Kind, Tensor};

fn spec(p: f64, g: Granularity, b: BackwardVariant) -> MixoutSpec {
    MixoutSpec::new(p, g, b).unwrap()
}

/// A small real linear model: loss of `Linear(x)` under a mixed weight.
fn linear_loss(weight: &Tensor, x: &Tensor, bias: &Tensor) -> Tensor {
    (x.matmul(&weight.tr()) + bias).tanh().pow_tensor_scalar(2).sum(Kind::Float)
}

#[test]
fn gradient_equals_autograd_of_the_formula_for_both_variants() {
    let _rng = common::rng_lock();
    tch::manual_seed(3);
    let w0 = Tensor::randn([5, 7], (Kind::Float, Device::Cpu));
    let u = Tensor::randn([5, 7], (Kind::Float, Device::Cpu));
    let x = Tensor::randn([4, 7], (Kind::Float, Device::Cpu));
    let bias = Tensor::randn([5], (Kind::Float, Device::Cpu));
    let p = 0.6;
    for variant in [BackwardVariant::Exact, BackwardVariant::Authors] {
        for g in [Granularity::Neuron, Granularity::Element] {
            // Our path: in-place mix of a variable, backward, unmix.
            tch::manual_seed(11);
            let var = w0.copy().set_requires_grad(true);
            let mut mx =
                Mixout::new(vec![MixedWeight::new("w", var.shallow_clone(), u.copy(), spec(p, g, variant)).unwrap()]);
            mx.mix().unwrap();
            linear_loss(&var, &x, &bias).backward();
            mx.unmix().unwrap();
            let ours = var.grad().copy();
            assert!(var.equal(&w0), "weight restored bit-exactly");
            // Autograd of the explicit formula with the same mask (same RNG state).
            tch::manual_seed(11);
            let mask = draw_mask(&w0, &spec(p, g, variant));
            let w = w0.copy().set_requires_grad(true);
            linear_loss(&mixout_forward(&w, &u, &mask, p), &x, &bias).backward();
            let auto = w.grad();
            let expect = match variant {
                BackwardVariant::Exact => auto.copy(),
                BackwardVariant::Authors => &auto * (1.0 - p),
            };
            let diff = (&ours - &expect).abs().max().double_value(&[]);
            assert!(diff < 1e-5, "{variant:?}/{g:?}: max |ours − autograd| = {diff}");
            // And the standalone backward agrees too.
            let mut wt = w0.copy().set_requires_grad(true);
            let _ = wt.requires_grad_(false);
            let mixed = mixout_forward(&wt, &u, &mask, p).set_requires_grad(true);
            linear_loss(&mixed, &x, &bias).backward();
            let via_op = mixout_backward(&mixed.grad(), &mask, p, variant);
            assert!((&via_op - &expect).abs().max().double_value(&[]) < 1e-5);
        }
    }
}

#[test]
fn entries_are_u_or_scaled_and_neuron_columns_move_together() {
    let _rng = common::rng_lock();
    tch::manual_seed(5);
    let w = Tensor::randn([16, 64], (Kind::Float, Device::Cpu));
    let u = Tensor::randn([16, 64], (Kind::Float, Device::Cpu));
    let p = 0.7;
    let var = w.copy();
    let mut mx = Mixout::new(vec![MixedWeight::new(
        "w",
        var.shallow_clone(),
        u.copy(),
        spec(p, Granularity::Neuron, BackwardVariant::Exact),
    )
    .unwrap()]);
    mx.mix().unwrap();
    let kept_value = (&w - &u * p) / (1.0 - p);
    let is_u = var.eq_tensor(&u);
    let is_kept = (&var - &kept_value).abs().le(1e-5);
    let every = is_u.logical_or(&is_kept).all().int64_value(&[]);
    assert_eq!(every, 1, "each entry is exactly u or (w − p·u)/(1 − p)");
    // neuron granularity: a column is all-u or all-kept
    let col_u = is_u.to_kind(Kind::Int64).sum_dim_intlist([0i64].as_slice(), false, Kind::Int64);
    let cols: Vec<i64> = Vec::try_from(&col_u).unwrap();
    assert!(cols.iter().all(|&c| c == 0 || c == 16), "{cols:?}");
    assert!(cols.contains(&16) && cols.contains(&0), "both kinds of columns appear at p = 0.7 over 64 columns");
    mx.unmix().unwrap();
    assert!(var.equal(&w));
    // w = u: the output is u whatever the mask
    let v2 = u.copy();
    let mut mx2 = Mixout::new(vec![MixedWeight::new(
        "u",
        v2.shallow_clone(),
        u.copy(),
        spec(0.9, Granularity::Element, BackwardVariant::Exact),
    )
    .unwrap()]);
    mx2.mix().unwrap();
    assert!(v2.equal(&u));
}

#[test]
fn mean_over_masks_approaches_w_and_kept_fraction_is_one_minus_p() {
    let _rng = common::rng_lock();
    tch::manual_seed(7);
    let w = Tensor::randn([8, 32], (Kind::Double, Device::Cpu));
    let u = Tensor::randn([8, 32], (Kind::Double, Device::Cpu));
    let p = 0.8;
    let n = 4000;
    let mut sum = w.zeros_like();
    for _ in 0..n {
        let m = draw_mask(&w, &spec(p, Granularity::Element, BackwardVariant::Exact));
        sum += mixout_forward(&w, &u, &m, p);
    }
    let mean = sum / n as f64;
    // Var(W~) = (w − u)²·p/(1 − p) per entry: allow 5 standard errors.
    let se = ((&w - &u).abs() * (p / ((1.0 - p) * n as f64)).sqrt()).clamp_min(1e-12);
    let z = ((&mean - &w).abs() / &se).max().double_value(&[]);
    assert!(z < 5.0, "largest deviation is {z:.2} standard errors");

    let big = Tensor::zeros([1000, 1000], (Kind::Float, Device::Cpu));
    for &q in &[0.1, 0.5, 0.9] {
        let frac = kept_fraction(&draw_mask(&big, &spec(q, Granularity::Element, BackwardVariant::Exact)));
        let tol = 5.0 * (q * (1.0 - q) / 1e6).sqrt();
        assert!((frac - (1.0 - q)).abs() < tol, "p={q}: kept {frac}, tolerance {tol}");
    }
    let neuron = draw_mask(&big, &spec(0.5, Granularity::Neuron, BackwardVariant::Exact));
    assert_eq!(neuron.size(), [1, 1000], "one draw per input column");
}

#[test]
fn p_zero_is_identity_and_p_out_of_range_is_rejected() {
    let _rng = common::rng_lock();
    let w = Tensor::randn([4, 4], (Kind::Float, Device::Cpu)).set_requires_grad(true);
    let before = w.detach().copy();
    let mut mx = Mixout::new(vec![MixedWeight::new(
        "w",
        w.shallow_clone(),
        w.detach().zeros_like(),
        spec(0.0, Granularity::Neuron, BackwardVariant::Exact),
    )
    .unwrap()]);
    mx.mix().unwrap();
    assert!(w.detach().equal(&before), "p = 0 leaves w");
    (&w * 3.0).sum(Kind::Float).backward();
    mx.unmix().unwrap();
    assert!(w.grad().equal(&Tensor::full([4, 4], 3.0, (Kind::Float, Device::Cpu))), "p = 0 leaves the gradient");
    for bad in [1.0, 1.5, -0.1, f64::NAN] {
        let err = check_p(bad).unwrap_err().to_string();
        assert!(err.contains("[0, 1)"), "{err}");
    }
}

#[test]
fn eval_forward_is_untouched_by_mixout() {
    let _rng = common::rng_lock();
    // Evaluation never calls `mix`, so a model's eval output equals the plain weights' output.
    tch::manual_seed(1);
    let vs = nn::VarStore::new(Device::Cpu);
    let lin = nn::linear(vs.root() / "l", 6, 3, Default::default());
    let x = Tensor::randn([2, 6], (Kind::Float, Device::Cpu));
    let plain = tch::no_grad(|| lin.forward(&x));
    let var = vs.variables()["l.weight"].shallow_clone();
    let mut mx = Mixout::new(vec![MixedWeight::new(
        "l.weight",
        var.shallow_clone(),
        var.detach().zeros_like(),
        spec(0.5, Granularity::Neuron, BackwardVariant::Exact),
    )
    .unwrap()]);
    mx.mix().unwrap();
    mx.unmix().unwrap();
    assert!(tch::no_grad(|| lin.forward(&x)).equal(&plain));
}

fn l3_names(preset: LayerPreset) -> Vec<String> {
    use mixout::model::{read_config, DropoutSpec, ModelFiles, SequenceClassifier};
    let files = ModelFiles::from_dir(&common::l3()).unwrap();
    let config = read_config(&files, &["a".into(), "b".into()]).unwrap();
    let vs = nn::VarStore::new(Device::Cpu);
    let _m = SequenceClassifier::new(
        &vs.root(),
        &config,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        Default::default(),
    )
    .unwrap();
    let mut s = Setting { task: Some("RTE".into()), ..Default::default() };
    s.mixout.p = 0.9;
    s.mixout.layers = preset;
    let shapes = mixout::train::assemble::named_shapes(&vs);
    plan(&shapes, &s).unwrap().into_iter().filter(|p| p.mixout.is_some()).map(|p| p.name).collect()
}

#[test]
fn presets_select_exactly_the_expected_l3_weights() {
    let _rng = common::rng_lock();
    let mut expected = vec!["bert.pooler.dense.weight".to_string()];
    for l in 0..3 {
        for part in [
            "attention.output.dense",
            "attention.self.key",
            "attention.self.query",
            "attention.self.value",
            "output.dense",
        ] {
            expected.push(format!("bert.encoder.layer.{l}.{part}.weight"));
        }
    }
    expected.sort();
    assert_eq!(l3_names(LayerPreset::Paper), expected);
    for l in 0..3 {
        expected.push(format!("bert.encoder.layer.{l}.intermediate.dense.weight"));
    }
    expected.sort();
    assert_eq!(l3_names(LayerPreset::AllLinear), expected);
}

#[test]
fn a_training_step_with_lr_zero_restores_every_weight_bit_exactly() {
    let _rng = common::rng_lock();
    use mixout::model::BatchTensors;
    let (study, prep) =
        common::l3_study("mixout: {p: 0.9}\nhead: {mixout: 0.7}\nweight_decay: {lambda: 0.1, toward: pretrained}\n");
    let s = &study.settings[0].spec;
    let ft = mixout::train::Finetuner::assemble(s, &prep.files, &prep.task.labels, Device::Cpu).unwrap();
    let mixout::train::Finetuner { vs, model, mixout: mut mx, mut adam, .. } = ft;
    assert_eq!(mx.weights().len(), 17, "16 encoder weights + the head");
    let enc: Vec<&mixout_data::Encoded> = prep.train.1.iter().take(4).collect();
    let padded = mixout_data::batch::pad(&enc, prep.pad_id);
    let shape = [padded.rows as i64, padded.cols as i64];
    let batch = BatchTensors {
        input_ids: Tensor::from_slice(&padded.input_ids).view(shape),
        token_type_ids: Tensor::from_slice(&padded.token_type_ids).view(shape),
        attention_mask: Tensor::from_slice(&padded.attention_mask).view(shape),
        lengths: None,
    };
    let labels = Tensor::from_slice(&[0i64, 1, 0, 1]);
    let step = |mx: &mut mixout::mixout::Mixout, adam: &mut mixout::train::optim::Adam, lr: f64| {
        mx.mix().unwrap();
        model.forward_t(&batch, true).unwrap().cross_entropy_for_logits(&labels).backward();
        mx.unmix().unwrap();
        let _ = adam.clip_grad_norm(1.0).unwrap();
        adam.step(lr).unwrap();
        adam.zero_grad();
    };
    // A real step first, so that w differs from its target u and mixing is visible.
    step(&mut mx, &mut adam, 1e-3);
    let before: Vec<(String, Tensor)> = vs.variables().into_iter().map(|(n, t)| (n, t.detach().copy())).collect();
    let q = "bert.encoder.layer.0.attention.self.query.weight";
    mx.mix().unwrap();
    let q_before = &before.iter().find(|(n, _)| n == q).unwrap().1;
    assert_eq!(vs.variables()[q].ne_tensor(q_before).any().int64_value(&[]), 1, "mix writes W~ into the variable");
    mx.restore();
    assert!(vs.variables()[q].equal(q_before), "restore puts w back");
    step(&mut mx, &mut adam, 0.0);
    let vars = vs.variables();
    for (name, old) in &before {
        assert!(vars[name].equal(old), "`{name}` changed after a step at lr = 0");
    }
}
