//! Descriptive statistics, the paired bootstrap comparison, failure-rate intervals
//! and exact tests, and the expected maximum over restarts used by the report.
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
    Some(Describe { n: xs.len(), mean: mean(xs)?, std: std(xs), median: median(xs)?, min: min(xs)?, max: max(xs)? })
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
pub fn paired_comparison(setting: &[(u64, f64)], baseline: &[(u64, f64)]) -> Option<PairedComparison> {
    let mut base: Vec<(u64, f64)> = baseline.to_vec();
    base.sort_by_key(|&(seed, _)| seed);
    let mut pairs: Vec<(u64, f64)> = setting
        .iter()
        .filter_map(|&(seed, s)| base.binary_search_by_key(&seed, |&(k, _)| k).ok().map(|i| (seed, s - base[i].1)))
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
pub fn bootstrap_mean_ci(xs: &[f64], level: f64, resamples: usize, seed: u64) -> Option<(f64, f64)> {
    let n = xs.len();
    if n < 2 || resamples == 0 {
        return None;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut means: Vec<f64> =
        (0..resamples).map(|_| (0..n).map(|_| xs[rng.gen_range(0..n)]).sum::<f64>() / n as f64).collect();
    means.sort_by(f64::total_cmp);
    let alpha = (1.0 - level.clamp(0.0, 1.0)) / 2.0;
    Some((quantile_sorted(&means, alpha), quantile_sorted(&means, 1.0 - alpha)))
}

/// z of a two-sided 95% normal interval, as used by [`wilson_interval`] in the report.
pub const Z95: f64 = 1.959964;

/// Wilson score interval of a proportion `k / n` with normal quantile `z`; `None`
/// when `n` is 0 or `k > n`.
///
/// Wilson rather than the textbook p̂ ± z·se because failure counts are small and
/// often 0: the plain interval collapses to [0, 0] at k = 0, while Wilson's stays
/// informative and inside [0, 1].
pub fn wilson_interval(k: usize, n: usize, z: f64) -> Option<(f64, f64)> {
    if n == 0 || k > n {
        return None;
    }
    let (nf, p) = (n as f64, k as f64 / n as f64);
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// ln(n!), by summing logarithms: counts here are restarts (tens, hundreds), so
/// the O(n) sum is cheap and exact enough, and needs no gamma function.
fn ln_factorial(n: usize) -> f64 {
    (2..=n).map(|k| (k as f64).ln()).sum()
}

/// ln C(n, k) for k ≤ n.
fn ln_choose(n: usize, k: usize) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// McNemar's exact test, two-sided, from the discordant pairs: `b` pairs where only
/// the first side failed and `c` where only the second did. Under the null each
/// discordant pair goes either way with probability ½, so
/// p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½); 1 without discordant pairs.
pub fn mcnemar_exact(b: usize, c: usize) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    // In log space so that 0.5^n cannot underflow for long sweeps.
    let ln_half_n = n as f64 * 0.5f64.ln();
    let tail: f64 = (0..=b.min(c)).map(|i| (ln_choose(n, i) + ln_half_n).exp()).sum();
    (2.0 * tail).min(1.0)
}

/// Fisher's exact test, two-sided, of a 2×2 table `[[a, b], [c, d]]`: the sum of the
/// probabilities (hypergeometric, margins fixed) of every table with the observed
/// margins that is at most as probable as the observed one. A relative tolerance of
/// 1e-7 counts tables tied with the observed one despite rounding, as R's
/// `fisher.test` does. 1 for an empty table.
pub fn fisher_exact(table: [[usize; 2]; 2]) -> f64 {
    let [[a, b], [c, d]] = table;
    let (r1, r2, c1) = (a + b, c + d, a + c);
    let n = r1 + r2;
    if n == 0 {
        return 1.0;
    }
    let ln_total = ln_choose(n, c1);
    let prob = |x: usize| (ln_choose(r1, x) + ln_choose(r2, c1 - x) - ln_total).exp();
    let observed = prob(a);
    let p: f64 = (c1.saturating_sub(r2)..=r1.min(c1)).map(prob).filter(|&q| q <= observed * (1.0 + 1e-7)).sum();
    p.min(1.0)
}

/// Exact test of a setting's failure count against its baseline's (see [`failure_test`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailureTest {
    /// McNemar's exact test over the seeds both settings ran.
    McNemar {
        /// Number of shared seeds.
        pairs: usize,
        /// Shared seeds where the setting failed and the baseline did not.
        b: usize,
        /// Shared seeds where the baseline failed and the setting did not.
        c: usize,
        /// Two-sided p-value, [`mcnemar_exact`].
        p_value: f64,
    },
    /// Fisher's exact test on the failure counts of all runs, when the two settings did not
    /// run the same seeds (none, or only some, shared).
    Fisher {
        /// `[[setting failed, setting ok], [baseline failed, baseline ok]]`.
        table: [[usize; 2]; 2],
        /// Seeds both ran (0 when none): with some but not all shared, the pairing is
        /// partial, and a paired test on the shared part alone would drop the other runs.
        shared: usize,
        /// Two-sided p-value, [`fisher_exact`].
        p_value: f64,
    },
}

impl FailureTest {
    /// The two-sided p-value.
    pub fn p_value(&self) -> f64 {
        match *self {
            Self::McNemar { p_value, .. } | Self::Fisher { p_value, .. } => p_value,
        }
    }

    /// Name of the test: `McNemar` or `Fisher`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::McNemar { .. } => "McNemar",
            Self::Fisher { .. } => "Fisher",
        }
    }

    /// The name as a table shows it: `McNemar`, `Fisher`, or, when the two settings share
    /// some seeds but not all, `Fisher, partly paired: k seeds shared` (so a reader knows a
    /// paired test was possible for part of the runs, and why it was not used).
    pub fn describe(&self) -> String {
        match *self {
            Self::Fisher { shared: 1, .. } => "Fisher, partly paired: 1 seed shared".into(),
            Self::Fisher { shared, .. } if shared > 1 => format!("Fisher, partly paired: {shared} seeds shared"),
            _ => self.name().into(),
        }
    }
}

/// Tests whether a setting fails more or less often than its baseline, from
/// `(seed, failed)` of every run of each.
///
/// When both ran exactly the same seeds the runs are paired (same data order and head
/// initialisation), and McNemar's exact test uses that pairing. Otherwise Fisher's exact
/// test compares the failure counts of all runs as independent samples: with only some
/// seeds shared, McNemar over those would silently drop every other run. `None` when
/// either side has no runs.
pub fn failure_test(setting: &[(u64, bool)], baseline: &[(u64, bool)]) -> Option<FailureTest> {
    if setting.is_empty() || baseline.is_empty() {
        return None;
    }
    let base: std::collections::BTreeMap<u64, bool> = baseline.iter().copied().collect();
    let own: std::collections::BTreeSet<u64> = setting.iter().map(|r| r.0).collect();
    let (mut pairs, mut b, mut c) = (0, 0, 0);
    for (seed, failed) in setting {
        if let Some(&base_failed) = base.get(seed) {
            pairs += 1;
            match (*failed, base_failed) {
                (true, false) => b += 1,
                (false, true) => c += 1,
                _ => {}
            }
        }
    }
    let fully_paired = pairs == setting.len() && pairs == baseline.len() && own.len() == pairs;
    if fully_paired {
        return Some(FailureTest::McNemar { pairs, b, c, p_value: mcnemar_exact(b, c) });
    }
    let count = |runs: &[(u64, bool)]| {
        let failed = runs.iter().filter(|r| r.1).count();
        [failed, runs.len() - failed]
    };
    let table = [count(setting), count(baseline)];
    Some(FailureTest::Fisher { table, shared: pairs, p_value: fisher_exact(table) })
}

/// Expected best score over `n` restarts, with its spread (see [`expected_max`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpectedMax {
    /// Number of restarts n.
    pub n: usize,
    /// E[max of n draws].
    pub mean: f64,
    /// Standard deviation of the max of n draws.
    pub sd: f64,
}

/// Expected validation performance (Dodge et al. 2019, "Show your work"): for
/// n = 1..N, the expected maximum of n scores drawn with replacement from the N
/// observed `scores` (non-finite ones are ignored), and its standard deviation.
///
/// With sorted v₍₁₎ ≤ … ≤ v₍N₎, the max of n draws is v₍ᵢ₎ with probability
/// (i/N)ⁿ − ((i−1)/N)ⁿ, so E[maxₙ] = Σᵢ v₍ᵢ₎·[(i/N)ⁿ − ((i−1)/N)ⁿ] and the sd follows
/// from E[maxₙ²] − E[maxₙ]² under the same weights. Empty for no finite score.
pub fn expected_max(scores: &[f64]) -> Vec<ExpectedMax> {
    let mut v: Vec<f64> = scores.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let big_n = v.len();
    (1..=big_n)
        .map(|n| {
            let cdf = |i: usize| (i as f64 / big_n as f64).powi(n as i32);
            let (mut m1, mut m2) = (0.0, 0.0);
            for (i, x) in v.iter().enumerate() {
                let w = cdf(i + 1) - cdf(i);
                m1 += w * x;
                m2 += w * x * x;
            }
            // Rounding can leave a tiny negative variance when all scores are equal.
            ExpectedMax { n, mean: m1, sd: (m2 - m1 * m1).max(0.0).sqrt() }
        })
        .collect()
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

    #[test]
    fn wilson_hand_computed() {
        // z² = 1.959964² = 3.841458881.
        // 1/5: p̂ = 0.2, denom = 1 + z²/5 = 1.768291776,
        //   centre = (0.2 + z²/10)/denom = 0.584145888/1.768291776 = 0.330344741,
        //   half = z·sqrt(0.2·0.8/5 + z²/100)/denom = z·sqrt(0.070414589)/denom = 0.294120632,
        //   → [0.036224109, 0.624465373].
        let (lo, hi) = wilson_interval(1, 5, Z95).expect("n > 0");
        assert!((lo - 0.036224109).abs() < 1e-8, "{lo}");
        assert!((hi - 0.624465373).abs() < 1e-8, "{hi}");
        // 0/20: p̂ = 0, so half = z·(z/40)/denom = centre: lo = 0,
        //   hi = 2·(z²/40)/(1 + z²/20) = 0.192072944/1.192072944 = 0.161125160.
        let (lo, hi) = wilson_interval(0, 20, Z95).expect("n > 0");
        assert_eq!(lo, 0.0);
        assert!((hi - 0.161125160).abs() < 1e-8, "{hi}");
        // 4/5 mirrors 1/5: [1 − 0.624465373, 1 − 0.036224109].
        let (lo, hi) = wilson_interval(4, 5, Z95).expect("n > 0");
        assert!((lo - 0.375534627).abs() < 1e-8 && (hi - 0.963775891).abs() < 1e-8);
        assert_eq!(wilson_interval(0, 0, Z95), None);
        assert_eq!(wilson_interval(3, 2, Z95), None);
    }

    #[test]
    fn mcnemar_hand_computed() {
        // b = 0, c = 4: P(X ≤ 0) = (1/2)⁴ = 1/16, p = 2/16 = 0.125.
        assert!(close(mcnemar_exact(0, 4), 0.125));
        assert!(close(mcnemar_exact(4, 0), 0.125));
        // b = 1, c = 5: n = 6, P(X ≤ 1) = (1 + 6)/64, p = 14/64 = 0.21875.
        assert!(close(mcnemar_exact(1, 5), 14.0 / 64.0));
        // b = c: the tail passes ½, the doubled value is capped at 1.
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        // No discordant pair: no evidence either way.
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // Long sweeps do not underflow: b = 0, c = 2000 → 2·2⁻²⁰⁰⁰ is 0 in f64, not NaN.
        assert!(mcnemar_exact(0, 2000).is_finite());
    }

    #[test]
    fn fisher_hand_computed() {
        // [[1, 9], [11, 3]]: margins 10, 14 / 12, 12, n = 24, C(24, 12) = 2704156.
        // P(x) = C(10, x)·C(14, 12 − x)/2704156; observed x = 1: 10·364 = 3640.
        // Tables as or less probable: x = 0 (91), 1 (3640), 9 (10·364 = 3640),
        // 10 (91); x = 2 and 8 give 45·1001 = 45045, more probable.
        // p = 7462/2704156 = 0.0027594562.
        let p = fisher_exact([[1, 9], [11, 3]]);
        assert!((p - 7462.0 / 2_704_156.0).abs() < 1e-12, "{p}");
        assert!((p - 0.002759).abs() < 1e-6);
        // [[3, 2], [1, 4]]: margins 5, 5 / 4, 6, C(10, 4) = 210; P(x) ∝ C(5, x)·C(5, 4 − x)
        // = 5, 50, 100, 50, 5 for x = 0..4; observed x = 3 (50): p = (5+50+50+5)/210.
        assert!(close(fisher_exact([[3, 2], [1, 4]]), 110.0 / 210.0));
        // Identical rows: every table is at most as probable as the most probable: p = 1.
        assert!(close(fisher_exact([[2, 3], [2, 3]]), 1.0));
        assert_eq!(fisher_exact([[0, 0], [0, 0]]), 1.0);
    }

    #[test]
    fn failure_test_pairs_by_seed_or_falls_back_to_fisher() {
        // The same seeds 1..5: setting fails on none, baseline on 1..4 → b = 0, c = 4,
        // p = 2·(1/2)⁴ = 0.125.
        let base = [(1, true), (2, true), (3, true), (4, true), (5, false)];
        let set = [(1, false), (2, false), (3, false), (4, false), (5, false)];
        match failure_test(&set, &base) {
            Some(FailureTest::McNemar { pairs: 5, b: 0, c: 4, p_value }) => {
                assert!(close(p_value, 0.125))
            }
            other => panic!("expected McNemar, got {other:?}"),
        }
        // One more setting run (seed 9, failed): no longer the same seeds, so Fisher on all
        // 11 runs, [[1, 5], [4, 1]]: hypergeometric weights C(6,a)·C(5,5−a) for a = 0..5 are
        // 1, 30, 150, 200, 75, 6 of 462; those ≤ the observed 30: (1 + 30 + 6)/462.
        let set = [(1, false), (2, false), (3, false), (4, false), (5, false), (9, true)];
        let t = failure_test(&set, &base).unwrap();
        assert!(matches!(t, FailureTest::Fisher { table: [[1, 5], [4, 1]], shared: 5, .. }), "{t:?}");
        assert!(close(t.p_value(), 37.0 / 462.0), "{t:?}");
        assert_eq!(t.describe(), "Fisher, partly paired: 5 seeds shared");
        // Issue 26's case: seeds 1–20 all failed, 20–39 none, seed 20 shared. McNemar over
        // the one shared seed said p = 1; Fisher on all 40: 2/C(40,20) ≈ 1.45e-11.
        let a: Vec<(u64, bool)> = (1..=20).map(|s| (s, true)).collect();
        let b: Vec<(u64, bool)> = (20..40).map(|s| (s, false)).collect();
        let t = failure_test(&a, &b).unwrap();
        assert_eq!(t.name(), "Fisher");
        assert!(close(t.p_value() / (2.0 / 137_846_528_820.0), 1.0), "{t:?}");
        // No shared seed: counts [[3 failed, 2 ok], [1, 4]] → Fisher 110/210.
        let set = [(11, true), (12, true), (13, true), (14, false), (15, false)];
        let base = [(1, true), (2, false), (3, false), (4, false), (5, false)];
        let t = failure_test(&set, &base).expect("both have runs");
        assert_eq!(t.name(), "Fisher");
        assert!(matches!(t, FailureTest::Fisher { table: [[3, 2], [1, 4]], .. }));
        assert!(close(t.p_value(), 110.0 / 210.0));
        assert_eq!(failure_test(&[], &base), None);
    }

    #[test]
    fn expected_max_hand_computed() {
        let e = expected_max(&[3.0, 1.0, 2.0]);
        assert_eq!(e.len(), 3);
        // n = 1: weights 1/3 each → mean 2; E[x²] = 14/3, var = 14/3 − 4 = 2/3.
        assert_eq!(e[0].n, 1);
        assert!(close(e[0].mean, 2.0));
        assert!(close(e[0].sd, (2.0f64 / 3.0).sqrt()));
        // n = 2: weights 1/9, 4/9 − 1/9 = 3/9, 1 − 4/9 = 5/9 → mean 1/9 + 6/9 + 15/9 = 22/9;
        // E[max²] = (1 + 12 + 45)/9 = 58/9, var = 58/9 − 484/81 = 38/81.
        assert!(close(e[1].mean, 22.0 / 9.0));
        assert!(close(e[1].sd, 38f64.sqrt() / 9.0));
        // n = 3: weights 1/27, 7/27, 19/27 → (1 + 14 + 57)/27 = 72/27 = 8/3.
        assert!(close(e[2].mean, 8.0 / 3.0));
        // Grows with n and never passes the best score.
        assert!(e.windows(2).all(|w| w[0].mean <= w[1].mean) && e[2].mean <= 3.0);
    }

    #[test]
    fn expected_max_edge_cases() {
        assert!(expected_max(&[]).is_empty());
        assert!(expected_max(&[f64::NAN]).is_empty());
        let e = expected_max(&[70.0, 70.0, 70.0, 70.0]);
        assert!(e.iter().all(|x| close(x.mean, 70.0) && x.sd == 0.0));
    }
}
