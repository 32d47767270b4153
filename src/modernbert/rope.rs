//! Rotary position embeddings as transformers' `ModernBertRotaryEmbedding` (default RoPE):
//! inverse frequencies `1 / θ^(2i/d)` in fp32, `cos` and `sin` of `position · freq` repeated
//! over both halves of the head, applied to queries and keys in fp32 with `rotate_half`.

use tch::{Device, Kind, Tensor};

/// The cos/sin tables of one rotary base for one sequence length.
pub struct Rotary {
    cos: Tensor,
    sin: Tensor,
}

impl Rotary {
    /// Tables `[len, head_dim]` for positions `0..len`.
    pub fn new(theta: f64, head_dim: i64, len: i64, device: Device) -> Self {
        // The same fp32 ops in the same order as transformers, so the tables agree bit for bit.
        let exponent = Tensor::arange_start_step(0, head_dim, 2, (Kind::Int64, device)).to_kind(Kind::Float) / head_dim;
        let inv_freq = Tensor::pow_scalar(theta, &exponent).reciprocal();
        let positions = Tensor::arange(len, (Kind::Int64, device)).to_kind(Kind::Float);
        let freqs = positions.unsqueeze(-1) * inv_freq.unsqueeze(0);
        let emb = Tensor::cat(&[&freqs, &freqs], -1);
        Rotary { cos: emb.cos(), sin: emb.sin() }
    }

    /// Rotates queries and keys `[batch, heads, len, head_dim]`, returned in their own kind.
    pub fn apply(&self, q: &Tensor, k: &Tensor) -> (Tensor, Tensor) {
        let rotate = |x: &Tensor| {
            let x32 = x.to_kind(Kind::Float);
            (&x32 * &self.cos + rotate_half(&x32) * &self.sin).to_kind(x.kind())
        };
        (rotate(q), rotate(k))
    }
}

/// `[-x2, x1]` for the two halves `x1`, `x2` of the last dimension.
fn rotate_half(x: &Tensor) -> Tensor {
    let half = x.size()[x.dim() - 1] / 2;
    Tensor::cat(&[&x.narrow(-1, half, half).neg(), &x.narrow(-1, 0, half)], -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_keeps_norms_and_is_relative() {
        let r = Rotary::new(10_000.0, 8, 6, Device::Cpu);
        let q = Tensor::randn([1, 1, 6, 8], (Kind::Double, Device::Cpu)).to_kind(Kind::Float);
        let (rq, _) = r.apply(&q, &q);
        let n = |t: &Tensor| t.norm_scalaropt_dim(2, [-1], false);
        assert!(n(&rq).allclose(&n(&q), 1e-5, 1e-5, false));
        // Position 0 is not rotated.
        assert!(rq.select(2, 0).allclose(&q.select(2, 0), 1e-6, 1e-6, false));
        // Scores depend on relative positions only: the same vector at (1, 3) and (2, 4).
        let v = Tensor::randn([1, 1, 1, 8], (Kind::Float, Device::Cpu)).expand([1, 1, 6, 8], false).contiguous();
        let (rv, _) = r.apply(&v, &v);
        let dot = |i: i64, j: i64| (rv.select(2, i) * rv.select(2, j)).sum(Kind::Float).double_value(&[]);
        assert!((dot(1, 3) - dot(2, 4)).abs() < 1e-4, "{} vs {}", dot(1, 3), dot(2, 4));
    }
}
