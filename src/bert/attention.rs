//! Multi-head scaled dot-product attention over padded `[batch, seq, hidden]` projections.

use tch::Tensor;

/// How attention dropout is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttentionDropout {
    /// libtorch's, inside `scaled_dot_product_attention` (on the CPU its math path with a
    /// float Bernoulli mask): the padded encoder's, kept as it was.
    Libtorch,
    /// On the CPU, our math path with a bool mask from [`crate::dropout::keep_mask`];
    /// on CUDA libtorch's fused kernels, which already draw dropout cheaply.
    Cheap,
}

/// Context `[batch, queries, hidden]` from `q` (`[batch, queries, hidden]`), `k` and `v`
/// (`[batch, seq, hidden]`), all in the compute kind, and an additive `mask`
/// `[batch, 1, 1, seq]`. `p` is the attention-probability dropout (0 in eval mode).
pub fn attend(q: &Tensor, k: &Tensor, v: &Tensor, mask: &Tensor, heads: i64, p: f64, how: AttentionDropout) -> Tensor {
    let size = q.size();
    let (b, l, h) = (size[0], size[1], size[2]);
    let d = h / heads;
    let split = |t: &Tensor| t.view([b, t.size()[1], heads, d]).transpose(1, 2);
    let (q, k, v) = (split(q), split(k), split(v));
    sdpa(&q, &k, &v, mask, p, how).transpose(1, 2).contiguous().view([b, l, h])
}

/// Scaled dot-product attention on heads already split, `[batch, heads, seq, head_dim]`, with
/// an additive mask broadcastable to `[batch, heads, queries, keys]`.
pub fn sdpa(q: &Tensor, k: &Tensor, v: &Tensor, mask: &Tensor, p: f64, how: AttentionDropout) -> Tensor {
    if p > 0.0 && how == AttentionDropout::Cheap && !q.device().is_cuda() {
        // The fused CPU kernel has no dropout; libtorch's fallback would draw a float mask.
        let d = q.size()[3] as f64;
        let scores = (q * d.powf(-0.5)).matmul(&k.transpose(-1, -2)) + mask;
        let keep = crate::dropout::keep_mask(&scores.size(), p, q.device());
        (scores.softmax(-1, q.kind()) * keep).matmul(&(v * (1.0 / (1.0 - p))))
    } else {
        Tensor::scaled_dot_product_attention(q, k, v, Some(mask), p, false, None::<f64>, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn the_math_path_is_the_fused_kernel_without_dropout() {
        tch::manual_seed(3);
        let r = |s: &[i64]| Tensor::randn(s, (Kind::Float, Device::Cpu));
        let (q, k, v) = (r(&[2, 5, 8]), r(&[2, 5, 8]), r(&[2, 5, 8]));
        let mask = Tensor::from_slice(&[0f32, 0., 0., 0., 0., 0., 0., 0., -10000., -10000.]).view([2, 1, 1, 5]);
        let fused = attend(&q, &k, &v, &mask, 2, 0.0, AttentionDropout::Cheap);
        // p → 0 on the math path keeps every probability (threshold −2³¹) and scales by 1.
        let math = attend(&q, &k, &v, &mask, 2, 1e-12, AttentionDropout::Cheap);
        let d = (&fused - &math).abs().max().double_value(&[]);
        assert!(d < 1e-5, "math path differs from the fused kernel by {d}");
        // With dropout some probabilities are zeroed: the context changes, reproducibly.
        tch::manual_seed(4);
        let a = attend(&q, &k, &v, &mask, 2, 0.5, AttentionDropout::Cheap);
        tch::manual_seed(4);
        let b = attend(&q, &k, &v, &mask, 2, 0.5, AttentionDropout::Cheap);
        assert!(a.equal(&b) && !a.allclose(&fused, 1e-3, 1e-3, false));
    }
}
