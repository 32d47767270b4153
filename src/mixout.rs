//! The mixout operator (Lee, Cho & Kang, ICLR 2020) and its application to a model's weights.
//!
//! `W~ = u + M ⊙ (w − u) / (1 − p)`, `M ~ Bernoulli(1 − p)`: each training step, a weight
//! is kept (scaled) where the mask is 1 and replaced by its target `u` where it is 0.
//!
//! Application works on any tch model through its VarStore, so rust-bert's models need no
//! fork: before the forward pass [`Mixout::mix`] saves each selected weight `w` and writes
//! `W~` into the variable in place; the model's autograd then yields `∂L/∂W~` on the
//! variable; [`Mixout::unmix`] writes `w` back bit-exactly and turns the gradient into
//! `∂L/∂w = M/(1 − p) ⊙ ∂L/∂W~` (or the authors' `M ⊙ ∂L/∂W~`). That is the operator's
//! own forward and backward, at the cost of two copies of the mixed weights per step.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

pub use mixout_spec::{BackwardVariant, Granularity};

/// A validated mixout probability with its options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MixoutSpec {
    /// Probability of replacing a weight by its target, in `[0, 1)`.
    pub p: f64,
    /// Mask granularity.
    pub granularity: Granularity,
    /// Gradient variant.
    pub backward: BackwardVariant,
}

impl MixoutSpec {
    /// Checks `0 ≤ p < 1`: `p = 1` would divide by zero in `(w − u)/(1 − p)`.
    pub fn new(p: f64, granularity: Granularity, backward: BackwardVariant) -> Result<Self> {
        check_p(p)?;
        Ok(MixoutSpec { p, granularity, backward })
    }
}

/// Rejects probabilities outside `[0, 1)` with a message saying why.
pub fn check_p(p: f64) -> Result<()> {
    mixout_spec::check_p(p).map_err(Error::Mixout)
}

/// Draws a 0/1 mask (float, same kind as `w`) with `P(1) = 1 − p` from tch's RNG.
/// For `Neuron` it has shape `[1, in]` and broadcasts over the rows of `w`; a 1-D weight
/// (never mixed by the presets) gets one draw per entry.
pub fn draw_mask(w: &Tensor, spec: &MixoutSpec) -> Tensor {
    let shape: Vec<i64> = match (spec.granularity, w.dim()) {
        (Granularity::Neuron, d) if d >= 2 => {
            let mut s = vec![1; d];
            s[d - 1] = w.size()[d - 1];
            s
        }
        _ => w.size(),
    };
    Tensor::empty(shape.as_slice(), (w.kind(), w.device())).bernoulli_float_(1.0 - spec.p)
}

/// The forward of the operator as a differentiable expression: `u + mask ⊙ (w − u)/(1 − p)`.
/// Autograd through it gives the exact gradient; used by tests and small models.
pub fn mixout_forward(w: &Tensor, u: &Tensor, mask: &Tensor, p: f64) -> Tensor {
    u + (w - u) * mask / (1.0 - p)
}

/// The operator's backward: `∂L/∂w` from `∂L/∂W~` for the chosen variant.
pub fn mixout_backward(grad: &Tensor, mask: &Tensor, p: f64, variant: BackwardVariant) -> Tensor {
    match variant {
        BackwardVariant::Exact => grad * mask / (1.0 - p),
        BackwardVariant::Authors => grad * mask,
    }
}

/// One weight under mixout: the live variable, its target and the state of a step.
pub struct MixedWeight {
    /// Variable name in the VarStore.
    pub name: String,
    var: Tensor,
    target: Tensor,
    spec: MixoutSpec,
    /// `w` while the variable holds `W~` (between `mix` and `unmix`).
    saved: Option<Tensor>,
    /// The step's mask, scaled for the gradient (`M/(1−p)` or `M`).
    grad_scale: Option<Tensor>,
}

impl MixedWeight {
    /// Puts `var` (a shallow clone of a VarStore variable) under mixout toward `target`.
    pub fn new(name: impl Into<String>, var: Tensor, target: Tensor, spec: MixoutSpec) -> Result<Self> {
        let name = name.into();
        if var.size() != target.size() {
            return Err(Error::Mixout(format!(
                "`{name}`: target shape {:?} differs from weight shape {:?}",
                target.size(),
                var.size()
            )));
        }
        Ok(MixedWeight { name, var, target, spec, saved: None, grad_scale: None })
    }

    /// The target `u` this weight is mixed toward (pretrained, or its own initial value).
    pub fn target(&self) -> &Tensor {
        &self.target
    }

    /// Extra bytes this weight costs under mixout: its target, the saved `w` during a step
    /// and the mask.
    pub fn extra_bytes(&self) -> u64 {
        let w = tensor_bytes(&self.var);
        let mask_elems: i64 = match self.spec.granularity {
            Granularity::Neuron if self.var.dim() >= 2 => self.var.size()[self.var.dim() - 1],
            _ => self.var.numel() as i64,
        };
        2 * w + mask_elems as u64 * 4
    }
}

/// Mixout applied to a set of weights of one model.
pub struct Mixout {
    weights: Vec<MixedWeight>,
}

impl Mixout {
    /// Groups the mixed weights of a model.
    pub fn new(weights: Vec<MixedWeight>) -> Self {
        Mixout { weights }
    }

    /// The weights under mixout.
    pub fn weights(&self) -> &[MixedWeight] {
        &self.weights
    }

    /// Extra memory of mixout in bytes (targets, saved weights, masks).
    pub fn extra_bytes(&self) -> u64 {
        self.weights.iter().map(MixedWeight::extra_bytes).sum()
    }

    /// Before a training forward: draws a fresh mask per weight and writes `W~` into each
    /// variable in place, keeping `w`. Does nothing for p = 0 (the identity).
    pub fn mix(&mut self) -> Result<()> {
        tch::no_grad(|| -> Result<()> {
            for mw in &mut self.weights {
                if mw.saved.is_some() {
                    return Err(Error::Mixout(format!("`{}` mixed twice without unmix", mw.name)));
                }
                if mw.spec.p == 0.0 {
                    continue;
                }
                let mask = draw_mask(&mw.var, &mw.spec);
                let scaled = &mask / (1.0 - mw.spec.p);
                mw.saved = Some(mw.var.copy());
                // In place: var ← (var − u) ⊙ M/(1−p) + u. Where M = 0 this is 0 + u = u exactly.
                let _ = mw.var.f_sub_(&mw.target)?.f_mul_(&scaled)?.f_add_(&mw.target)?;
                mw.grad_scale = Some(match mw.spec.backward {
                    BackwardVariant::Exact => scaled,
                    BackwardVariant::Authors => mask,
                });
            }
            Ok(())
        })
    }

    /// After the backward: restores `w` bit-exactly and maps `∂L/∂W~` to `∂L/∂w` in place.
    pub fn unmix(&mut self) -> Result<()> {
        tch::no_grad(|| -> Result<()> {
            for mw in &mut self.weights {
                let (Some(saved), Some(scale)) = (mw.saved.take(), mw.grad_scale.take()) else {
                    continue;
                };
                mw.var.f_copy_(&saved)?;
                let mut grad = mw.var.grad();
                if grad.defined() {
                    let _ = grad.f_mul_(&scale)?;
                }
            }
            Ok(())
        })
    }

    /// Restores every weight without touching gradients (after an error mid-step).
    pub fn restore(&mut self) {
        tch::no_grad(|| {
            for mw in &mut self.weights {
                if let Some(saved) = mw.saved.take() {
                    let _ = mw.var.f_copy_(&saved);
                }
                mw.grad_scale = None;
            }
        });
    }
}

/// Fraction of ones in a mask, as a plain number (for tests and diagnostics).
pub fn kept_fraction(mask: &Tensor) -> f64 {
    mask.to_kind(Kind::Double).mean(Kind::Double).double_value(&[])
}
/// Size in bytes of a tensor's elements.
pub fn tensor_bytes(t: &Tensor) -> u64 {
    let per = match t.kind() {
        Kind::Double | Kind::Int64 => 8,
        Kind::Half | Kind::BFloat16 | Kind::Int16 => 2,
        Kind::Int8 | Kind::Uint8 | Kind::Bool => 1,
        _ => 4,
    };
    t.numel() as u64 * per
}
