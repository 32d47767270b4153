//! Which runs of a study a command does: a shard `K/N` of the run list and `--only` ids.

use crate::error::{Result, SpecError as Error};
use crate::experiment::RunSpec;

/// The runs of a shard `K/N`: every N-th run of the expanded list, starting at K. The
/// list's order comes from the file alone, so every machine computes the same slices.
pub fn shard_runs(runs: Vec<RunSpec>, shard: Option<(usize, usize)>) -> Vec<RunSpec> {
    match shard {
        None => runs,
        Some((k, n)) => runs.into_iter().enumerate().filter(|(i, _)| i % n == k).map(|(_, r)| r).collect(),
    }
}

/// Parses `K/N` with 0 ≤ K < N.
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || Error::Invalid(format!("--shard `{s}`: expected K/N with 0 <= K < N, e.g. --shard 0/4"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// The runs selected by a shard and by `--only` ids; an id that names no run is an error
/// listing a few that exist, so a typo does not silently select nothing.
pub fn select(runs: Vec<RunSpec>, shard: Option<(usize, usize)>, only: &[String]) -> Result<Vec<RunSpec>> {
    if let Some(bad) = only.iter().find(|id| !runs.iter().any(|r| &r.run_id == *id)) {
        let some: Vec<&str> = runs.iter().take(6).map(|r| r.run_id.as_str()).collect();
        return Err(Error::Invalid(format!("--only `{bad}`: no run has this id (runs: {}, ...)", some.join(", "))));
    }
    let mut runs = shard_runs(runs, shard);
    if !only.is_empty() {
        runs.retain(|r| only.contains(&r.run_id));
    }
    Ok(runs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Experiment;
    use std::path::Path;

    fn exp() -> Experiment {
        Experiment::parse(
            Path::new("x.yaml"),
            "task: RTE\nrestarts: 7\nsettings:\n  - {label: a}\n  - {label: b}\n  - {label: c}\n",
        )
        .unwrap()
    }

    #[test]
    fn shards_are_disjoint_and_complete() {
        let all: Vec<String> = exp().runs().into_iter().map(|r| r.run_id).collect();
        for n in [1, 2, 3, 5, 21, 40] {
            let mut seen = vec![];
            for k in 0..n {
                seen.extend(shard_runs(exp().runs(), Some((k, n))).into_iter().map(|r| r.run_id));
            }
            let mut sorted = seen.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), seen.len(), "N={n}: a run in two shards");
            assert_eq!(seen.len(), all.len(), "N={n}: runs missing");
        }
    }

    #[test]
    fn shard_syntax_and_only() {
        assert_eq!(parse_shard("2/4").unwrap(), (2, 4));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("x").unwrap_err().to_string().contains("K/N"));
        let picked = select(exp().runs(), None, &["b-seed3".into()]).unwrap();
        assert_eq!(picked.iter().map(|r| r.run_id.as_str()).collect::<Vec<_>>(), ["b-seed3"]);
        let err = select(exp().runs(), None, &["b-seed99".into()]).unwrap_err().to_string();
        assert!(err.contains("--only `b-seed99`"), "{err}");
    }
}
