//! Adam with decoupled weight decay toward a target, and global-norm gradient clipping.
//!
//! Written out (rather than tch's `nn::Adam`) because the paper's optimizer, BERTAdam,
//! has no bias correction, and wdecay(u, λ) decays toward the pretrained weights rather
//! than zero: `w ← w − lr_t·λ·(w − u)`, then the Adam update, both from the same `w`.

use crate::error::Result;
use mixout_spec::OptimizerConfig;
use tch::{Kind, Tensor};

/// Decay of one parameter: `(λ, u)`, `u = None` meaning toward zero.
pub type Decay = Option<(f64, Option<Tensor>)>;

/// One optimised parameter with its Adam moments and decay.
pub struct OptParam {
    /// Variable name.
    pub name: String,
    var: Tensor,
    m: Tensor,
    v: Tensor,
    /// Scratch space of the parameter's shape, reused every step: fresh temporaries of the
    /// word-embedding size would be page-faulted in anew each step and cost more than the math.
    buf: Tensor,
    /// `(λ, u)`; `u = None` means decay toward zero.
    decay: Decay,
    /// Factor on the step's learning rate (layer-wise decay), for the update and the decay.
    lr_scale: f64,
}

/// Adam over a list of parameters.
pub struct Adam {
    params: Vec<OptParam>,
    cfg: OptimizerConfig,
    step: u64,
}

impl Adam {
    /// Creates zeroed moments for each `(name, variable, decay)`, all at the step's learning rate.
    pub fn new(params: Vec<(String, Tensor, Decay)>, cfg: OptimizerConfig) -> Self {
        Self::with_lr_scales(params.into_iter().map(|(n, v, d)| (n, v, d, 1.0)).collect(), cfg)
    }

    /// Like [`Adam::new`], each parameter with its own factor on the learning rate.
    pub fn with_lr_scales(params: Vec<(String, Tensor, Decay, f64)>, cfg: OptimizerConfig) -> Self {
        let params = params
            .into_iter()
            .map(|(name, var, decay, lr_scale)| {
                let m = var.zeros_like();
                let v = var.zeros_like();
                let buf = var.zeros_like();
                OptParam { name, var, m, v, buf, decay, lr_scale }
            })
            .collect();
        Adam { params, cfg, step: 0 }
    }

    /// The learning-rate factor of a parameter, by name (None if it is not optimised).
    pub fn lr_scale(&self, name: &str) -> Option<f64> {
        self.params.iter().find(|p| p.name == name).map(|p| p.lr_scale)
    }

    /// Optimiser steps taken.
    pub fn steps(&self) -> u64 {
        self.step
    }

    /// One update at learning rate `lr`. Parameters without a gradient are left alone.
    pub fn step(&mut self, lr: f64) -> Result<()> {
        self.step += 1;
        let c = &self.cfg;
        let (bc1, bc2) = if c.bias_correction {
            (1.0 - c.beta1.powi(self.step as i32), 1.0 - c.beta2.powi(self.step as i32))
        } else {
            (1.0, 1.0)
        };
        let base_lr = lr;
        tch::no_grad(|| -> Result<()> {
            for p in &mut self.params {
                let g = p.var.grad();
                if !g.defined() {
                    continue;
                }
                let lr = base_lr * p.lr_scale;
                let buf = &mut p.buf;
                if let Some((lambda, target)) = &p.decay {
                    let k = lr * lambda;
                    match target {
                        None => {
                            let _ = p.var.f_mul_scalar_(1.0 - k)?;
                        }
                        Some(u) => {
                            // w ← w − k·(w − u), through the scratch buffer.
                            buf.f_copy_(&p.var)?;
                            let _ = buf.f_sub_(u)?.f_mul_scalar_(k)?;
                            let _ = p.var.f_sub_(buf)?;
                        }
                    }
                }
                // m ← β1·m + (1−β1)·g ; v ← β2·v + (1−β2)·g²
                let _ = p.m.f_lerp_(&g, 1.0 - c.beta1)?;
                buf.f_copy_(&g)?;
                let _ = buf.f_mul_scalar_(1.0 - c.beta2)?;
                let _ = p.v.f_mul_scalar_(c.beta2)?.f_addcmul_(buf, &g)?;
                // w ← w − lr/bc1 · m / (√(v/bc2) + ε)
                buf.f_copy_(&p.v)?;
                if bc2 != 1.0 {
                    let _ = buf.f_div_scalar_(bc2)?;
                }
                let _ = buf.f_sqrt_()?.f_add_scalar_(c.eps)?.f_reciprocal_()?.f_mul_(&p.m)?.f_mul_scalar_(lr / bc1)?;
                let _ = p.var.f_sub_(buf)?;
            }
            Ok(())
        })
    }

    /// Clears gradients (kept allocated).
    pub fn zero_grad(&mut self) {
        for p in &mut self.params {
            let mut g = p.var.grad();
            if g.defined() {
                let _ = g.zero_();
            }
        }
    }

    /// Scales gradients so their global L2 norm is at most `max_norm`; returns the norm before,
    /// as a 0-dim tensor on the parameters' device. Like PyTorch's `clip_grad_norm_`, the
    /// scale `min(1, max_norm / (norm + 1e-6))` is applied as a tensor, so nothing waits for
    /// the GPU here (a host read of the norm would stall the step on CUDA). Multiplying by
    /// exactly 1 leaves unclipped gradients bit-identical.
    pub fn clip_grad_norm(&mut self, max_norm: f64) -> Result<Tensor> {
        let grads: Vec<Tensor> = self.params.iter().map(|p| p.var.grad()).filter(|g| g.defined()).collect();
        if grads.is_empty() {
            return Ok(Tensor::from(0.0f64));
        }
        let norms: Vec<Tensor> = grads.iter().map(|g| g.norm().to_kind(Kind::Double)).collect();
        let total = Tensor::stack(&norms, 0).norm();
        if max_norm > 0.0 {
            let coef = ((&total + 1e-6).reciprocal() * max_norm).clamp_max(1.0);
            tch::no_grad(|| -> Result<()> {
                for mut g in grads {
                    let c = coef.to_kind(g.kind());
                    let _ = g.f_mul_(&c)?;
                }
                Ok(())
            })?;
        }
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(vals: &[f32]) -> Tensor {
        Tensor::from_slice(vals).set_requires_grad(true)
    }

    #[test]
    fn decay_moves_toward_target_by_exactly_lr_lambda() {
        let w = param(&[1.0, -2.0, 0.5]);
        let u = Tensor::from_slice(&[0.5f32, 0.0, 0.5]);
        let mut opt =
            Adam::new(vec![("w".into(), w.shallow_clone(), Some((0.1, Some(u.copy()))))], OptimizerConfig::default());
        // A zero gradient: Adam's moments stay 0, so only the decay acts.
        (&w * 0.0).sum(Kind::Float).backward();
        let before: Vec<f32> = Vec::try_from(&w.detach()).unwrap();
        opt.step(0.5).unwrap();
        let after: Vec<f32> = Vec::try_from(&w.detach()).unwrap();
        for i in 0..3 {
            let expect = before[i] - 0.5 * 0.1 * (before[i] - [0.5, 0.0, 0.5][i]);
            assert_eq!(after[i], expect, "entry {i}");
        }
    }

    #[test]
    fn first_step_without_bias_correction_hand_computed() {
        // g = 2: m = 0.1·2 = 0.2, v = 0.001·4 = 0.004, update = 0.2/(√0.004 + 1e-6)
        let w = param(&[1.0]);
        let mut opt = Adam::new(vec![("w".into(), w.shallow_clone(), None)], OptimizerConfig::default());
        (&w * 2.0).sum(Kind::Float).backward();
        opt.step(0.01).unwrap();
        let got = w.double_value(&[0]);
        let expect = 1.0 - 0.01 * 0.2 / (0.004f64.sqrt() + 1e-6);
        assert!((got - expect).abs() < 1e-6, "got {got}, expected {expect}");
        // With bias correction the first step is lr·g/(|g| + eps) ≈ lr.
        let w2 = param(&[1.0]);
        let cfg = OptimizerConfig { bias_correction: true, ..Default::default() };
        let mut opt2 = Adam::new(vec![("w".into(), w2.shallow_clone(), None)], cfg);
        (&w2 * 2.0).sum(Kind::Float).backward();
        opt2.step(0.01).unwrap();
        assert!((w2.double_value(&[0]) - (1.0 - 0.01 * 2.0 / (2.0 + 1e-6))).abs() < 1e-6);
    }

    #[test]
    fn lr_scale_scales_update_and_decay() {
        // Same gradient and decay, one parameter at half the learning rate: it moves half as far.
        let a = param(&[1.0]);
        let b = param(&[1.0]);
        let mut opt = Adam::with_lr_scales(
            vec![
                ("a".into(), a.shallow_clone(), Some((0.1, None)), 1.0),
                ("b".into(), b.shallow_clone(), Some((0.1, None)), 0.5),
            ],
            OptimizerConfig::default(),
        );
        ((&a + &b) * 2.0).sum(Kind::Float).backward();
        opt.step(0.01).unwrap();
        let da = 1.0 - a.double_value(&[0]);
        let db = 1.0 - b.double_value(&[0]);
        assert!((db - da / 2.0).abs() < 1e-6, "a moved {da}, b moved {db}");
        assert_eq!(opt.lr_scale("b"), Some(0.5));
    }

    #[test]
    fn clipping_scales_to_max_norm() {
        let a = param(&[0.0, 0.0]);
        let mut opt = Adam::new(vec![("a".into(), a.shallow_clone(), None)], OptimizerConfig::default());
        (&a * Tensor::from_slice(&[3.0f32, 4.0])).sum(Kind::Float).backward();
        let n = opt.clip_grad_norm(1.0).unwrap().double_value(&[]);
        assert!((n - 5.0).abs() < 1e-6);
        let g: Vec<f32> = Vec::try_from(&a.grad()).unwrap();
        assert!((g[0] - 0.6).abs() < 1e-5 && (g[1] - 0.8).abs() < 1e-5, "{g:?}");
        // Below the threshold the gradients are left bit-identical.
        let n = opt.clip_grad_norm(10.0).unwrap().double_value(&[]);
        assert!((n - 1.0).abs() < 1e-5);
        let g2: Vec<f32> = Vec::try_from(&a.grad()).unwrap();
        assert_eq!(g, g2);
    }
}
