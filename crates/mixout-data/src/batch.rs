//! Batching plans as pure index arithmetic: which examples, in which order, grouped how,
//! padded to what. No tensors here, so every rule is unit-testable without libtorch.
//!
//! All randomness is ChaCha8, whose output is fixed by its specification, so a seed
//! names the same data order on every machine and in every later build.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::error::{DataError, Result};
use crate::tokenize::Encoded;

/// ChaCha stream used for subsets. Epoch orders use streams `0..=u32::MAX`, so this one
/// can never coincide with an epoch's and the subset is independent of every order.
const SUBSET_STREAM: u64 = 1 << 32;

/// A seeded random subset of `n` distinct indices from `0..n_total`, sorted ascending
/// (so the subset keeps the file order). Errors when `n > n_total`.
pub fn subset_indices(n_total: usize, n: usize, seed: u64) -> Result<Vec<usize>> {
    if n > n_total {
        return Err(DataError::SubsetTooLarge { n, n_total });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(SUBSET_STREAM);
    let mut picked = rand::seq::index::sample(&mut rng, n_total, n).into_vec();
    picked.sort_unstable();
    Ok(picked)
}

/// The order in which epoch `epoch` visits examples `0..n`: a shuffle drawn from
/// ChaCha8 seeded with `seed` on stream `epoch`. Same arguments, same order; each epoch
/// gets an independent permutation without any state carried between epochs, so a
/// resumed run reproduces the orders of an uninterrupted one.
pub fn epoch_order(n: usize, seed: u64, epoch: u32) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(u64::from(epoch));
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    order
}

/// Cuts `order` into consecutive batches of `batch_size`; the last, partial batch is
/// kept so every example is seen each epoch. A `batch_size` of 0 is treated as 1.
pub fn batches(order: &[usize], batch_size: usize) -> Vec<Vec<usize>> {
    order.chunks(batch_size.max(1)).map(<[usize]>::to_vec).collect()
}

/// Splits one batch into at most `k` micro-batches for gradient accumulation. The
/// batch's examples are sorted by length (`lengths[example]`, ties in batch order) and
/// cut into contiguous chunks whose sizes differ by at most one (the first chunks take
/// the extra examples), so examples of similar length share a chunk and padding
/// shrinks. Fewer than `k` chunks when the batch is smaller than `k`; never an empty
/// chunk. A `k` of 0 is treated as 1.
///
/// # Panics
/// If an example index is outside `lengths`.
pub fn micro_batches(batch: &[usize], lengths: &[usize], k: usize) -> Vec<Vec<usize>> {
    let mut sorted = batch.to_vec();
    sorted.sort_by_key(|&i| lengths[i]);
    let chunks = k.max(1).min(sorted.len());
    if chunks == 0 {
        return Vec::new();
    }
    let (base, extra) = (sorted.len() / chunks, sorted.len() % chunks);
    let mut out = Vec::with_capacity(chunks);
    let mut start = 0;
    for c in 0..chunks {
        let size = base + usize::from(c < extra);
        out.push(sorted[start..start + size].to_vec());
        start += size;
    }
    out
}

/// A batch of token ids padded into row-major `rows × cols` matrices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Padded {
    /// Token ids, `pad_id` after each example's end.
    pub input_ids: Vec<i64>,
    /// Segment ids, 0 in padding.
    pub token_type_ids: Vec<i64>,
    /// 1 on real tokens, 0 on padding.
    pub attention_mask: Vec<i64>,
    /// Number of examples.
    pub rows: usize,
    /// Length of the longest example in the batch.
    pub cols: usize,
}

/// Pads `items` to the longest among them (not to the maximum sequence length: short
/// batches then cost proportionally less).
pub fn pad(items: &[&Encoded], pad_id: i64) -> Padded {
    let rows = items.len();
    let cols = items.iter().map(|e| e.len()).max().unwrap_or(0);
    let mut input_ids = vec![pad_id; rows * cols];
    let mut token_type_ids = vec![0; rows * cols];
    let mut attention_mask = vec![0; rows * cols];
    for (r, item) in items.iter().enumerate() {
        let row = r * cols..r * cols + item.len();
        input_ids[row.clone()].copy_from_slice(&item.input_ids);
        token_type_ids[row.clone()].copy_from_slice(&item.token_type_ids);
        attention_mask[row].fill(1);
    }
    Padded { input_ids, token_type_ids, attention_mask, rows, cols }
}

/// Cost of padding over a list of batches: tokens in the padded matrices divided by
/// real tokens (1.0 means no padding at all). Each batch is padded to its own longest
/// example, as [`pad`] does; `lengths[example]` is that example's token count.
/// Returns 1.0 when there are no tokens.
///
/// # Panics
/// If an example index is outside `lengths`.
pub fn padding_ratio(batches: &[Vec<usize>], lengths: &[usize]) -> f64 {
    let (mut padded, mut real) = (0usize, 0usize);
    for batch in batches {
        let longest = batch.iter().map(|&i| lengths[i]).max().unwrap_or(0);
        padded += longest * batch.len();
        real += batch.iter().map(|&i| lengths[i]).sum::<usize>();
    }
    if real == 0 {
        1.0
    } else {
        padded as f64 / real as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(ids: &[i64], types: &[i64]) -> Encoded {
        Encoded { input_ids: ids.to_vec(), token_type_ids: types.to_vec() }
    }

    #[test]
    fn subset_is_sorted_distinct_and_seeded() {
        let a = subset_indices(100, 10, 7).expect("fits");
        assert_eq!(a.len(), 10);
        assert!(a.windows(2).all(|w| w[0] < w[1]), "sorted and distinct: {a:?}");
        assert!(a.iter().all(|&i| i < 100));
        assert_eq!(a, subset_indices(100, 10, 7).expect("fits"));
        assert_ne!(a, subset_indices(100, 10, 8).expect("fits"));
        assert_eq!(subset_indices(5, 5, 1).expect("fits"), vec![0, 1, 2, 3, 4]);
        assert_eq!(subset_indices(5, 0, 1).expect("fits"), Vec::<usize>::new());
        let err = subset_indices(5, 6, 1).expect_err("too many");
        assert!(err.to_string().contains("6") && err.to_string().contains("5"), "{err}");
    }

    #[test]
    fn epoch_order_is_a_seeded_permutation() {
        let a = epoch_order(50, 3, 0);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_eq!(a, epoch_order(50, 3, 0));
        assert_ne!(a, epoch_order(50, 3, 1));
        assert_ne!(a, epoch_order(50, 4, 0));
        assert!(epoch_order(0, 3, 0).is_empty());
    }

    #[test]
    fn epoch_order_is_pinned() {
        // Restarts are identified by their seed across the whole study (and across
        // machines); a dependency update that changed these orders would silently pair
        // different data orders with the same seed. Values recorded with rand 0.8 /
        // rand_chacha 0.3.
        assert_eq!(epoch_order(10, 0, 0), PINNED_SEED0_EPOCH0);
        assert_eq!(epoch_order(10, 42, 2), PINNED_SEED42_EPOCH2);
        assert_eq!(subset_indices(20, 5, 42).expect("fits"), PINNED_SUBSET);
    }
    const PINNED_SEED0_EPOCH0: [usize; 10] = [3, 8, 5, 2, 7, 1, 0, 4, 9, 6];
    const PINNED_SEED42_EPOCH2: [usize; 10] = [2, 9, 7, 6, 8, 0, 1, 4, 5, 3];
    const PINNED_SUBSET: [usize; 5] = [1, 2, 5, 9, 15];

    #[test]
    fn batches_keep_last_partial() {
        assert_eq!(batches(&[4, 3, 2, 1, 0], 2), vec![vec![4, 3], vec![2, 1], vec![0]]);
        assert_eq!(batches(&[1, 2], 5), vec![vec![1, 2]]);
        assert!(batches(&[], 3).is_empty());
        assert_eq!(batches(&[1, 2], 0), vec![vec![1], vec![2]]);
    }

    #[test]
    fn micro_batches_sort_by_length_and_balance() {
        // Example i has length lengths[i].
        let lengths = [5, 1, 9, 3, 7, 2, 8];
        // Batch sorted by length: 1(1) 5(2) 3(3) 0(5) 4(7) 6(8) 2(9); 7 into 3 -> 3,2,2.
        assert_eq!(micro_batches(&[0, 1, 2, 3, 4, 5, 6], &lengths, 3), vec![vec![1, 5, 3], vec![0, 4], vec![6, 2]]);
        // k larger than the batch: one example per chunk, no empty chunk.
        assert_eq!(micro_batches(&[2, 0], &lengths, 4), vec![vec![0], vec![2]]);
        // k = 1: the whole batch, sorted.
        assert_eq!(micro_batches(&[2, 0, 1], &lengths, 1), vec![vec![1, 0, 2]]);
        // Ties keep batch order.
        assert_eq!(micro_batches(&[1, 0], &[4, 4], 1), vec![vec![1, 0]]);
        assert!(micro_batches(&[], &lengths, 2).is_empty());
        assert_eq!(micro_batches(&[0, 1], &lengths, 0), vec![vec![1, 0]]);
    }

    #[test]
    fn pad_to_longest_in_batch() {
        let a = enc(&[101, 7, 102], &[0, 0, 0]);
        let b = enc(&[101, 8, 102, 9, 102], &[0, 0, 0, 1, 1]);
        let p = pad(&[&a, &b], 0);
        assert_eq!((p.rows, p.cols), (2, 5));
        assert_eq!(p.input_ids, vec![101, 7, 102, 0, 0, 101, 8, 102, 9, 102]);
        assert_eq!(p.token_type_ids, vec![0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
        assert_eq!(p.attention_mask, vec![1, 1, 1, 0, 0, 1, 1, 1, 1, 1]);
        let p = pad(&[&a], 99);
        assert_eq!((p.rows, p.cols, p.input_ids), (1, 3, vec![101, 7, 102]));
        let p = pad(&[], 0);
        assert_eq!((p.rows, p.cols, p.input_ids.len()), (0, 0, 0));
    }

    #[test]
    fn padding_ratio_by_hand() {
        let lengths = [2, 4, 3, 3];
        // Batch {0,1}: 2*4=8 cells for 6 tokens; batch {2,3}: 6 for 6. Ratio 14/12.
        let r = padding_ratio(&[vec![0, 1], vec![2, 3]], &lengths);
        assert!((r - 14.0 / 12.0).abs() < 1e-12, "{r}");
        assert_eq!(padding_ratio(&[vec![2, 3]], &lengths), 1.0);
        assert_eq!(padding_ratio(&[], &lengths), 1.0);
    }
}
