//! Descriptive statistics and the paired bootstrap comparison used by the report.
//!
//! Pure functions on slices; nothing here reads files or draws.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Number of bootstrap resamples of [`paired_comparison`].
pub const BOOTSTRAP_RESAMPLES: usize = 10_000;

/// Seed of the bootstrap generator; fixed so a report is reproducible byte for byte.
pub const BOOTSTRAP_SEED: u64 = 0;

/// Arithmetic mean; `None` for an empty slice.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        None
    } else {
        Some(xs.iter().sum::<f64>() / xs.len() as f64)
    }
}

/// Sample standard deviation (divisor n − 1); 0 for fewer than two values, because
/// a single restart carries no information on spread and NaN would poison tables.
pub fn std(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    (ss / (xs.len() - 1) as f64).sqrt()
}

/// Smallest value; `None` for an empty slice.
pub fn min(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().reduce(f64::min)
}

/// Largest value; `None` for an empty slice.
pub fn max(xs: &[f64]) -> Option<f64> {
    xs.iter().copied().reduce(f64::max)
}

/// Quantile `q` in `[0, 1]` with linear interpolation between order statistics
/// (the definition of NumPy's default and R's type 7), so numbers can be checked
/// against either; `None` for an empty slice. `q` outside `[0, 1]` is clamped.
pub fn quantile(xs: &[f64], q: f64) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(quantile_sorted(&sorted, q))
}

/// [`quantile`] on data already sorted ascending, to avoid re-sorting in loops.
fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let q = q.clamp(0.0, 1.0);
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Median (the 0.5 quantile); `None` for an empty slice.
pub fn median(xs: &[f64]) -> Option<f64> {
    quantile(xs, 0.5)
}

/// Summary statistics of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Describe {
    /// Number of values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1), 0 when n < 2.
    pub std: f64,
    /// Median.
    pub median: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

/// All of [`Describe`] at once; `None` for an empty slice.
pub fn describe(xs: &[f64]) -> Option<Describe> {
    Some(Describe {
        n: xs.len(),
        mean: mean(xs)?,
        std: std(xs),
        median: median(xs)?,
        min: min(xs)?,
        max: max(xs)?,
    })
}

/// A setting compared with the baseline on the seeds both have a score for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedComparison {
    /// Number of shared seeds (pairs).
    pub n_pairs: usize,
    /// Mean of (setting − baseline) over the pairs.
    pub mean_diff: f64,
    /// Percentile-bootstrap 95% interval of the mean difference; `None` with fewer
    /// than two pairs, where resampling can only return the one difference.
    pub ci95: Option<(f64, f64)>,
}

/// Pairs `(seed, score)` of a setting with those of the baseline by seed and
/// bootstraps the mean difference.
///
/// Pairing matters because the paper reuses seeds across settings: data order and
/// head initialisation are shared, so per-seed differences remove that part of the
/// variance. Seeds present on one side only are ignored. The bootstrap resamples the
/// pairs [`BOOTSTRAP_RESAMPLES`] times with a ChaCha8 generator seeded with
/// [`BOOTSTRAP_SEED`], so the interval is identical on every machine and every run.
/// Returns `None` when no seed is shared.
pub fn paired_comparison(
    setting: &[(u64, f64)],
    baseline: &[(u64, f64)],
) -> Option<PairedComparison> {
    let mut base: Vec<(u64, f64)> = baseline.to_vec();
    base.sort_by_key(|&(seed, _)| seed);
    let mut pairs: Vec<(u64, f64)> = setting
        .iter()
        .filter_map(|&(seed, s)| {
            base.binary_search_by_key(&seed, |&(k, _)| k).ok().map(|i| (seed, s - base[i].1))
        })
        .collect();
    // Sorted by seed so the resampling sees the same order whatever order came in.
    pairs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let diffs: Vec<f64> = pairs.iter().map(|&(_, d)| d).collect();
    let mean_diff = mean(&diffs)?;
    let ci95 = bootstrap_mean_ci(&diffs, 0.95, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED);
    Some(PairedComparison { n_pairs: diffs.len(), mean_diff, ci95 })
}

/// Percentile bootstrap interval of the mean at confidence `level`, from
/// `resamples` resamples with replacement drawn by ChaCha8 seeded with `seed`;
/// `None` with fewer than two values or no resamples.
pub fn bootstrap_mean_ci(
    xs: &[f64],
    level: f64,
    resamples: usize,
    seed: u64,
) -> Option<(f64, f64)> {
    let n = xs.len();
    if n < 2 || resamples == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| xs[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let alpha = (1.0 - level.clamp(0.0, 1.0)) / 2.0;
    Some((quantile_sorted(&means, alpha), quantile_sorted(&means, 1.0 - alpha)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn mean_std_of_three() {
        // 50, 60, 70: mean 60, deviations ±10, ss = 200, /(n-1)=100, sqrt = 10.
        let xs = [50.0, 60.0, 70.0];
        assert_eq!(mean(&xs), Some(60.0));
        assert!(close(std(&xs), 10.0));
    }

    #[test]
    fn std_hand_computed() {
        // 2,4,4,4,5,5,7,9: mean 5, ss = 9+1+1+1+0+0+4+16 = 32, /7, sqrt.
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(std(&xs), (32.0f64 / 7.0).sqrt()));
    }

    #[test]
    fn degenerate_inputs() {
        assert_eq!(mean(&[]), None);
        assert_eq!(median(&[]), None);
        assert_eq!(min(&[]), None);
        assert_eq!(max(&[]), None);
        assert_eq!(quantile(&[], 0.3), None);
        assert_eq!(describe(&[]), None);
        assert_eq!(std(&[]), 0.0);
        assert_eq!(std(&[42.0]), 0.0);
        assert_eq!(median(&[42.0]), Some(42.0));
    }

    #[test]
    fn median_min_max() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(min(&[3.0, -1.0, 2.0]), Some(-1.0));
        assert_eq!(max(&[3.0, -1.0, 2.0]), Some(3.0));
    }

    #[test]
    fn quantiles_interpolate_linearly() {
        // Sorted 10,20,30,40,50; h = 4q.
        let xs = [50.0, 10.0, 40.0, 20.0, 30.0];
        assert_eq!(quantile(&xs, 0.0), Some(10.0));
        assert_eq!(quantile(&xs, 1.0), Some(50.0));
        assert_eq!(quantile(&xs, 0.25), Some(20.0));
        // h = 0.4 → 10 + 0.4·10 = 14.
        assert!(close(quantile(&xs, 0.1).unwrap(), 14.0));
        // h = 3.6 → 40 + 0.6·10 = 46.
        assert!(close(quantile(&xs, 0.9).unwrap(), 46.0));
        assert_eq!(quantile(&xs, 2.0), Some(50.0));
    }

    #[test]
    fn describe_all() {
        let d = describe(&[50.0, 70.0, 60.0]).expect("non-empty");
        assert_eq!(d.n, 3);
        assert_eq!((d.mean, d.median, d.min, d.max), (60.0, 60.0, 50.0, 70.0));
        assert!(close(d.std, 10.0));
    }

    #[test]
    fn paired_uses_shared_seeds_only() {
        let base = [(1, 50.0), (2, 60.0), (3, 70.0), (9, 0.0)];
        let set = [(3, 75.0), (1, 52.0), (2, 63.0), (4, 99.0)];
        let c = paired_comparison(&set, &base).expect("pairs exist");
        // Differences 2, 3, 5 → mean 10/3.
        assert_eq!(c.n_pairs, 3);
        assert!(close(c.mean_diff, 10.0 / 3.0));
        let (lo, hi) = c.ci95.expect("n ≥ 2");
        // A bootstrap mean of resampled differences lies within [min, max] of them.
        assert!((2.0..=c.mean_diff).contains(&lo), "lo {lo}");
        assert!((c.mean_diff..=5.0).contains(&hi), "hi {hi}");
    }

    #[test]
    fn paired_constant_difference_has_point_interval() {
        let base = [(1, 50.0), (2, 60.0), (3, 70.0)];
        let set = [(1, 54.0), (2, 64.0), (3, 74.0)];
        let c = paired_comparison(&set, &base).expect("pairs exist");
        assert!(close(c.mean_diff, 4.0));
        let (lo, hi) = c.ci95.expect("n ≥ 2");
        assert!(close(lo, 4.0) && close(hi, 4.0));
    }

    #[test]
    fn paired_edge_cases() {
        assert_eq!(paired_comparison(&[(1, 1.0)], &[(2, 1.0)]), None);
        let one = paired_comparison(&[(1, 3.0)], &[(1, 1.0)]).expect("one pair");
        assert_eq!((one.n_pairs, one.mean_diff, one.ci95), (1, 2.0, None));
    }

    #[test]
    fn bootstrap_is_deterministic_and_order_free() {
        let base: Vec<(u64, f64)> = (0..20).map(|s| (s, 50.0 + (s * 7 % 13) as f64)).collect();
        let set: Vec<(u64, f64)> = (0..20).map(|s| (s, 55.0 + (s * 5 % 11) as f64)).collect();
        let a = paired_comparison(&set, &base);
        let mut rev = set.clone();
        rev.reverse();
        let b = paired_comparison(&rev, &base);
        assert_eq!(a, b);
        assert!(a.and_then(|c| c.ci95).is_some());
    }

    #[test]
    fn bootstrap_interval_covers_the_mean() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        let (lo, hi) = bootstrap_mean_ci(&xs, 0.95, 10_000, 0).expect("n ≥ 2");
        assert!(lo < 4.0 && 4.0 < hi, "[{lo}, {hi}]");
        assert!(lo >= 1.0 && hi <= 10.0);
        assert_eq!(bootstrap_mean_ci(&xs, 0.95, 0, 0), None);
    }
}
