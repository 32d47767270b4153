//! Where the real tokens of a padded `[batch, seq]` batch sit, so the unpadded encoder can
//! compute on them alone (`[tokens, hidden]`) and re-pad only for attention, per length
//! bucket. Sequences are packed longest first, so each bucket is a contiguous block of rows.

use tch::{Device, Kind, Tensor};

/// What one extra bucket costs, in units of one query·key pair of attention (fwd + bwd):
/// its handful of extra tensor ops (re-pad, pack, mask) take about as long as the attention
/// of one 64-token sequence on the L3 shape (measured with `mixout bench step`).
pub const BUCKET_COST: i64 = 64 * 64;

/// Splits lengths sorted longest first into contiguous buckets, minimising the attention
/// work `Σ n·L²` (each bucket padded to its longest, its first) plus [`BUCKET_COST`] per
/// bucket. Returns each bucket's `[start, end)` range of the sorted lengths.
pub fn buckets(sorted_desc: &[i64]) -> Vec<(usize, usize)> {
    let n = sorted_desc.len();
    // best[i]: least cost of the first i lengths; cut[i]: where its last bucket starts.
    let mut best = vec![0i64; n + 1];
    let mut cut = vec![0usize; n + 1];
    for i in 1..=n {
        best[i] = i64::MAX;
        for j in 0..i {
            let l = sorted_desc[j];
            let cost = best[j] + (i - j) as i64 * l * l + BUCKET_COST;
            if cost < best[i] {
                best[i] = cost;
                cut[i] = j;
            }
        }
    }
    let mut out = Vec::new();
    let mut i = n;
    while i > 0 {
        out.push((cut[i], i));
        i = cut[i];
    }
    out.reverse();
    out
}

/// One attention bucket: `n` sequences padded to `len`, packed rows `[offset, offset + rows)`,
/// sequences `[first, first + n)` of the longest-first order.
pub struct Bucket {
    /// Position of its first sequence in the longest-first order.
    pub first: i64,
    /// Its number of sequences.
    pub n: i64,
    offset: i64,
    rows: i64,
    len: i64,
    /// Slot in `[n·len]` of each packed row; `None` when the bucket has no padding.
    slots: Option<Tensor>,
    /// Additive attention mask `[n, 1, 1, len]`: 0 for tokens, −10000 for padding (as BERT).
    pub mask: Tensor,
}

impl Bucket {
    /// The bucket's rows of packed `xs` (`[tokens, width]`) as `[n, len, width]`, zeros at padding.
    pub fn pad(&self, xs: &Tensor) -> Tensor {
        let width = xs.size()[1];
        let rows = xs.narrow(0, self.offset, self.rows);
        match &self.slots {
            None => rows.view([self.n, self.len, width]),
            Some(slots) => rows
                .new_zeros([self.n * self.len, width], (xs.kind(), xs.device()))
                .index_copy(0, slots, &rows)
                .view([self.n, self.len, width]),
        }
    }

    /// `[n, len, width]` back to the bucket's packed rows `[rows, width]`.
    pub fn unpad(&self, xs: &Tensor) -> Tensor {
        let flat = xs.reshape([self.n * self.len, -1]);
        match &self.slots {
            None => flat,
            Some(slots) => flat.index_select(0, slots),
        }
    }
}

/// The packing of one batch.
pub struct Packing {
    /// Flat indices of the real tokens in `[batch·seq]`, sequences longest first.
    index: Tensor,
    /// Packed row of each sequence's first token (`[CLS]`), in longest-first order (the
    /// buckets' order).
    pub starts_sorted: Tensor,
    /// Position of each sequence (in batch order) in the longest-first order.
    pub sorted_position: Tensor,
    /// The attention buckets, covering the packed rows in order.
    pub buckets: Vec<Bucket>,
}

impl Packing {
    /// From an attention mask of 1s (tokens, each row's first) and 0s (padding, at the end)
    /// and each row's token count when the host knows it (else read back from the mask, which
    /// waits for the device); the buckets' masks are made in `kind`.
    pub fn new(attention_mask: &Tensor, lengths: Option<&[i64]>, kind: Kind) -> Self {
        let (batch, seq) = attention_mask.size2().unwrap_or((0, 0));
        let device = attention_mask.device();
        let lengths: Vec<i64> = match lengths {
            Some(l) => l.to_vec(),
            None => Vec::try_from(attention_mask.sum_dim_intlist(1, false, Kind::Int64).to_device(Device::Cpu))
                .unwrap_or_default(),
        };
        let mut order: Vec<usize> = (0..batch as usize).collect();
        // Stable: equal lengths keep batch order, so the packing is a function of the batch.
        order.sort_by_key(|&s| std::cmp::Reverse(lengths[s]));
        let sorted: Vec<i64> = order.iter().map(|&s| lengths[s]).collect();
        let mut index = Vec::with_capacity(sorted.iter().sum::<i64>() as usize);
        let (mut starts_sorted, mut position) = (vec![], vec![0i64; batch as usize]);
        for (i, &s) in order.iter().enumerate() {
            starts_sorted.push(index.len() as i64);
            position[s] = i as i64;
            index.extend((0..lengths[s]).map(|t| s as i64 * seq + t));
        }
        let mut offset = 0;
        let buckets = buckets(&sorted)
            .into_iter()
            .map(|(a, b)| {
                let bucket = Bucket::new(&sorted[a..b], a as i64, offset, kind, device);
                offset += bucket.rows;
                bucket
            })
            .collect();
        let to = |v: Vec<i64>| Tensor::from_slice(&v).to_device(device);
        Packing { index: to(index), starts_sorted: to(starts_sorted), sorted_position: to(position), buckets }
    }

    /// Packed row of each sequence's first token (`[CLS]`), in batch order.
    pub fn starts(&self) -> Tensor {
        self.starts_sorted.index_select(0, &self.sorted_position)
    }

    /// `[batch, seq]` ids → `[tokens]`.
    pub fn pack_ids(&self, ids: &Tensor) -> Tensor {
        ids.flatten(0, -1).index_select(0, &self.index)
    }
}

impl Bucket {
    fn new(lengths: &[i64], first: i64, offset: i64, kind: Kind, device: Device) -> Self {
        let (n, len) = (lengths.len() as i64, lengths.first().copied().unwrap_or(0));
        let rows: i64 = lengths.iter().sum();
        let slots = (rows != n * len).then(|| {
            let v: Vec<i64> =
                lengths.iter().enumerate().flat_map(|(i, &l)| (0..l).map(move |t| i as i64 * len + t)).collect();
            Tensor::from_slice(&v).to_device(device)
        });
        let mask: Vec<f32> =
            lengths.iter().flat_map(|&l| (0..len).map(move |t| if t < l { 0.0 } else { -10000.0 })).collect();
        let mask = Tensor::from_slice(&mask).view([n, 1, 1, len]).to_device(device).to_kind(kind);
        Bucket { first, n, offset, rows, len, slots, mask }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_trade_attention_work_against_their_cost() {
        // One length: one bucket whatever the count.
        assert_eq!(buckets(&[50, 50, 50]), vec![(0, 3)]);
        // 128 and 16: together 2·128² = 32768; apart 128² + 16² + 4096 = 20736 → split.
        assert_eq!(buckets(&[128, 16]), vec![(0, 1), (1, 2)]);
        // 70 and 60: together 2·70² = 9800; apart 70² + 60² + 4096 = 12596 → keep together.
        assert_eq!(buckets(&[70, 60]), vec![(0, 2)]);
        assert!(buckets(&[]).is_empty());
    }

    #[test]
    fn packing_round_trips_rows_through_the_buckets() {
        // Lengths 2, 4, 1 in batch order; packed longest first: rows of 4, then 2, then 1.
        let mask = Tensor::from_slice(&[1i64, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0]).view([3, 4]);
        let pk = Packing::new(&mask, None, Kind::Float);
        let from_host = Packing::new(&mask, Some(&[2, 4, 1]), Kind::Float);
        assert!(from_host.index.equal(&pk.index) && from_host.starts().equal(&pk.starts()));
        let ids = Tensor::arange(12, (Kind::Int64, Device::Cpu)).view([3, 4]);
        assert_eq!(Vec::<i64>::try_from(pk.pack_ids(&ids)).unwrap(), vec![4, 5, 6, 7, 0, 1, 8]);
        assert_eq!(Vec::<i64>::try_from(&pk.starts()).unwrap(), vec![4, 0, 6]);
        assert_eq!(Vec::<i64>::try_from(&pk.starts_sorted).unwrap(), vec![0, 4, 6]);
        assert_eq!(Vec::<i64>::try_from(&pk.sorted_position).unwrap(), vec![1, 0, 2]);
        let xs = Tensor::arange(7, (Kind::Float, Device::Cpu)).view([7, 1]);
        let back: Vec<Tensor> = pk.buckets.iter().map(|b| b.unpad(&b.pad(&xs))).collect();
        assert!(Tensor::cat(&back, 0).equal(&xs));
    }
}
