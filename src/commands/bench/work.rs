//! What a training step computes: real, computed and padded tokens and matmul FLOPs.

use mixout_data::batch;

/// Forward FLOPs of BERT on `rows` sequences padded to `len` (matmuls only; training ≈ 3×).
pub(super) fn forward_flops(cfg: &rust_bert::bert::BertConfig, rows: i64, len: i64) -> f64 {
    linear_flops(cfg, rows * len) + attention_flops(cfg, rows, len) + pooler_flops(cfg, rows)
}

/// Forward FLOPs of the projections and FFN of every layer on `tokens` rows.
fn linear_flops(cfg: &rust_bert::bert::BertConfig, tokens: i64) -> f64 {
    let (h, i, l) = (cfg.hidden_size as f64, cfg.intermediate_size as f64, cfg.num_hidden_layers as f64);
    l * 2.0 * tokens as f64 * (4.0 * h * h + 2.0 * h * i)
}

/// Forward FLOPs of attention's two products (`QKᵀ`, `PV`) in every layer, `rows` × `len`.
fn attention_flops(cfg: &rust_bert::bert::BertConfig, rows: i64, len: i64) -> f64 {
    cfg.num_hidden_layers as f64 * 4.0 * rows as f64 * (len * len) as f64 * cfg.hidden_size as f64
}

fn pooler_flops(cfg: &rust_bert::bert::BertConfig, rows: i64) -> f64 {
    2.0 * rows as f64 * (cfg.hidden_size * cfg.hidden_size) as f64
}

/// Forward FLOPs of the unpadded encoder on sequences of `lengths`: projections and FFN on
/// the real tokens, attention per length bucket as [`mixout::bert::packing::buckets`] makes
/// them; in the last layer keys and values for every token, the rest for `[CLS]` alone.
fn unpadded_forward_flops(cfg: &rust_bert::bert::BertConfig, lengths: &[i64]) -> f64 {
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let (h, i) = (cfg.hidden_size as f64, cfg.intermediate_size as f64);
    let (tokens, rows) = (sorted.iter().sum::<i64>() as f64, sorted.len() as f64);
    let buckets = mixout::bert::packing::buckets(&sorted);
    // Attention of one layer with `queries` per sequence (`L` for a whole layer, 1 for [CLS]).
    let attention = |queries: &dyn Fn(f64) -> f64| -> f64 {
        buckets.iter().map(|&(a, b)| 4.0 * (b - a) as f64 * queries(sorted[a] as f64) * sorted[a] as f64 * h).sum()
    };
    let layer = 2.0 * tokens * (4.0 * h * h + 2.0 * h * i) + attention(&|len| len);
    let last = 2.0 * tokens * 2.0 * h * h + 2.0 * rows * (2.0 * h * h + 2.0 * h * i) + attention(&|_| 1.0);
    let layers = match cfg.num_hidden_layers {
        0 => 0.0,
        n => (n - 1) as f64 * layer + last,
    };
    layers + pooler_flops(cfg, sorted.len() as i64)
}

/// What one training step computes on a batches file, averaged over its batches.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub(super) struct StepWork {
    /// Training FLOPs (3× forward) of the micro-batches as the trainer runs them, each
    /// padded to its own longest example (unpadded encoder: real tokens, attention per
    /// length bucket): the work the step actually does.
    pub(super) flops: f64,
    /// The same with the whole batch padded to its longest (k = 1; what the reference runs).
    pub(super) flops_k1: f64,
    /// FLOPs if every example were computed at its own length (no padding at all).
    pub(super) flops_unpadded: f64,
    /// Non-padding tokens.
    pub(super) real_tokens: f64,
    /// Tokens the projections and FFN compute, padding included, with the step's micro-batches.
    pub(super) computed_tokens: f64,
    /// Tokens computed with the whole batch padded to its longest.
    pub(super) padded_tokens_k1: f64,
}

/// Counts [`StepWork`] for `k` micro-batches split as [`batch::micro_batches`] splits them,
/// computed by the padded or the unpadded encoder.
pub(super) fn step_work(
    cfg: &rust_bert::bert::BertConfig,
    batches: &[Vec<usize>],
    lengths: &[usize],
    k: usize,
    unpadded: bool,
) -> StepWork {
    let mut w = StepWork::default();
    let longest = |ids: &[usize]| ids.iter().map(|&i| lengths[i]).max().unwrap_or(0);
    for b in batches {
        for micro in batch::micro_batches(b, lengths, k) {
            let cols = longest(&micro);
            if unpadded {
                let lens: Vec<i64> = micro.iter().map(|&i| lengths[i] as i64).collect();
                w.flops += 3.0 * unpadded_forward_flops(cfg, &lens);
                w.computed_tokens += lens.iter().sum::<i64>() as f64;
            } else {
                w.flops += 3.0 * forward_flops(cfg, micro.len() as i64, cols as i64);
                w.computed_tokens += (micro.len() * cols) as f64;
            }
        }
        let cols = longest(b);
        w.flops_k1 += 3.0 * forward_flops(cfg, b.len() as i64, cols as i64);
        w.padded_tokens_k1 += (b.len() * cols) as f64;
        for &i in b {
            w.flops_unpadded += 3.0 * forward_flops(cfg, 1, lengths[i] as i64);
            w.real_tokens += lengths[i] as f64;
        }
    }
    let n = batches.len().max(1) as f64;
    for x in [
        &mut w.flops,
        &mut w.flops_k1,
        &mut w.flops_unpadded,
        &mut w.real_tokens,
        &mut w.computed_tokens,
        &mut w.padded_tokens_k1,
    ] {
        *x /= n;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tiny_config() -> rust_bert::bert::BertConfig {
        serde_json::from_value(json!({
            "hidden_act": "gelu", "attention_probs_dropout_prob": 0.1, "hidden_dropout_prob": 0.1,
            "hidden_size": 8, "initializer_range": 0.02, "intermediate_size": 32, "max_position_embeddings": 64,
            "num_attention_heads": 2, "num_hidden_layers": 2, "type_vocab_size": 2, "vocab_size": 50
        }))
        .unwrap()
    }

    #[test]
    fn step_work_counts_the_micro_batches_as_computed() {
        let cfg = tiny_config();
        let lengths = vec![10, 3, 7, 3, 12, 5, 4, 9];
        let batches = vec![(0..8).collect::<Vec<_>>()];
        let k1 = step_work(&cfg, &batches, &lengths, 1, false);
        assert_eq!(k1.flops, k1.flops_k1);
        assert_eq!(k1.computed_tokens, 8.0 * 12.0);
        assert_eq!(k1.real_tokens, 53.0);
        // Sorted lengths 3 3 4 5 | 7 9 10 12: two micro-batches padded to 5 and to 12.
        let k2 = step_work(&cfg, &batches, &lengths, 2, false);
        assert_eq!(k2.computed_tokens, 4.0 * 5.0 + 4.0 * 12.0);
        assert_eq!(k2.flops, 3.0 * (forward_flops(&cfg, 4, 5) + forward_flops(&cfg, 4, 12)));
        assert!(k2.flops < k1.flops, "{} !< {}", k2.flops, k1.flops);
        assert_eq!(k2.flops_k1, k1.flops_k1);
        // One example per micro-batch: nothing is padded.
        let k8 = step_work(&cfg, &batches, &lengths, 8, false);
        assert!((k8.flops - k8.flops_unpadded).abs() < 1e-6 * k8.flops, "{} vs {}", k8.flops, k8.flops_unpadded);
        assert_eq!(k8.computed_tokens, k8.real_tokens);
    }

    #[test]
    fn the_unpadded_encoder_computes_real_tokens_and_bucketed_attention() {
        let cfg = tiny_config();
        let lengths = vec![10, 3, 7, 3, 12, 5, 4, 9];
        let batches = vec![(0..8).collect::<Vec<_>>()];
        let u = step_work(&cfg, &batches, &lengths, 1, true);
        assert_eq!(u.computed_tokens, u.real_tokens);
        // At these lengths one bucket beats paying 4096 for a second: attention is padded to
        // 12, the projections are not. Hand count: 2 layers, hidden 8, FFN 32; the first layer
        // whole, the last with keys and values of all 53 tokens and the rest for 8 [CLS] rows.
        let first = 2.0 * 53.0 * (4.0 * 64.0 + 2.0 * 8.0 * 32.0) + 4.0 * 8.0 * 144.0 * 8.0;
        let last = 2.0 * 53.0 * 2.0 * 64.0 + 2.0 * 8.0 * (2.0 * 64.0 + 2.0 * 8.0 * 32.0) + 4.0 * 8.0 * 12.0 * 8.0;
        let pooler = 2.0 * 8.0 * 64.0;
        assert_eq!(u.flops, 3.0 * (first + last + pooler));
        assert!(u.flops < step_work(&cfg, &batches, &lengths, 1, false).flops);
    }
}
