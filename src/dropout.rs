//! Dropout with cheap seeded masks for the CPU. libtorch's CPU dropout draws a float
//! Bernoulli sample per element and keeps a float mask for the backward pass; measured on
//! the L3 step that costs ~2× an element-wise multiply for hidden states and dominates
//! attention dropout (which also forces `scaled_dot_product_attention` off its fused CPU
//! kernel). Here the keep mask comes from 32 raw random bits per element (the same seeded
//! libtorch generator: same seed → same masks) compared with an integer threshold, and is
//! kept as a bool tensor. On CUDA libtorch's fused Philox dropout is already cheap and is used.

use tch::{Device, Kind, Tensor};

/// The signed 32-bit threshold at or above which a uniform `i32` keeps its element: the keep
/// probability is `1 − round(p·2³²)/2³²`, within 2⁻³³ of `1 − p`.
pub fn keep_threshold(p: f64) -> i64 {
    (p * 4_294_967_296.0).round() as i64 - 2_147_483_648
}

/// A bool mask of `size`, true with probability `1 − p`, from the seeded libtorch generator.
pub fn keep_mask(size: &[i64], p: f64, device: Device) -> Tensor {
    let n: i64 = size.iter().product();
    // 64 random bits per int64 word (`random_` from i64::MIN with no upper bound draws the
    // full range), read as two uniform i32s.
    let words = Tensor::empty([(n + 1) / 2], (Kind::Int64, device)).random_from_(i64::MIN, None);
    words.view_dtype(Kind::Int).narrow(0, 0, n).ge(keep_threshold(p)).view(size)
}

/// Inverted dropout: in training, each element is zeroed with probability `p` and the rest
/// scaled by `1/(1 − p)`. On the CPU with [`keep_mask`], on CUDA with libtorch's kernel.
pub fn dropout(xs: &Tensor, p: f64, train: bool) -> Tensor {
    if !train || p == 0.0 {
        return xs.shallow_clone();
    }
    if xs.device().is_cuda() {
        return xs.dropout(p, true);
    }
    (xs * (1.0 / (1.0 - p))) * keep_mask(&xs.size(), p, xs.device())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_keeps_the_asked_share() {
        // p = 0: every i32 is ≥ −2³¹; p = 0.5: the non-negative half; p = 0.1: 2³²·0.1 =
        // 429496729.6 rounds to 429496730, so −2³¹ + 429496730 = −1717986918.
        assert_eq!(keep_threshold(0.0), i32::MIN as i64);
        assert_eq!(keep_threshold(0.5), 0);
        assert_eq!(keep_threshold(0.1), -1_717_986_918);
    }

    #[test]
    fn masks_are_seeded_and_keep_one_minus_p() {
        let draw = |seed: i64| {
            tch::manual_seed(seed);
            keep_mask(&[1000, 1000], 0.1, Device::Cpu)
        };
        let (a, b, c) = (draw(7), draw(7), draw(8));
        assert!(a.equal(&b), "same seed, same mask");
        assert!(!a.equal(&c), "another seed, another mask");
        assert_eq!(a.kind(), Kind::Bool);
        // 10⁶ draws: the kept share has a standard deviation of 3·10⁻⁴.
        let kept = a.to_kind(Kind::Double).mean(Kind::Double).double_value(&[]);
        assert!((kept - 0.9).abs() < 2e-3, "kept {kept}");
    }

    #[test]
    fn dropout_scales_the_kept_and_zeroes_the_rest() {
        tch::manual_seed(1);
        let x = Tensor::ones([4, 256], (Kind::Float, Device::Cpu));
        let y = dropout(&x, 0.2, true);
        let vals: Vec<f32> = Vec::try_from(y.flatten(0, -1)).unwrap();
        assert!(vals.iter().all(|&v| v == 0.0 || (v - 1.25).abs() < 1e-6));
        assert!(vals.contains(&0.0) && vals.contains(&1.25));
        assert!(dropout(&x, 0.2, false).equal(&x), "eval mode is the identity");
        assert!(dropout(&x, 0.0, true).equal(&x));
    }
}
