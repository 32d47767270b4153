//! Beeswarm layout: dots of equal scores side by side instead of on top of each other.

/// Beeswarm: horizontal pixel offsets for markers at pixel heights `ys`, placed in
/// the given order, each as close to the centre line as it can get without
/// overlapping one already placed (`diameter` apart). Offsets wider than
/// `half_width` are scaled down together, accepting overlap only in crowded columns.
pub(super) fn swarm(ys: &[f64], diameter: f64, half_width: f64) -> Vec<f64> {
    let mut placed: Vec<(f64, f64)> = Vec::with_capacity(ys.len());
    for &y in ys {
        let mut blocked: Vec<(f64, f64)> = Vec::new();
        for &(px, py) in &placed {
            let dy = (y - py).abs();
            if dy < diameter {
                let dx = (diameter * diameter - dy * dy).sqrt();
                blocked.push((px - dx, px + dx));
            }
        }
        let free = |x: f64| blocked.iter().all(|&(a, b)| x <= a + 1e-9 || x >= b - 1e-9);
        let mut candidates: Vec<f64> = vec![0.0];
        for &(a, b) in &blocked {
            candidates.push(a);
            candidates.push(b);
        }
        // Closest to the centre; ties go right first, then left, so the layout is fixed.
        candidates.sort_by(|a, b| a.abs().total_cmp(&b.abs()).then(b.total_cmp(a)));
        let x = candidates.into_iter().find(|&x| free(x)).unwrap_or(0.0);
        placed.push((x, y));
    }
    let widest = placed.iter().map(|p| p.0.abs()).fold(0.0, f64::max);
    let scale = if widest > half_width && widest > 0.0 { half_width / widest } else { 1.0 };
    placed.into_iter().map(|(x, _)| x * scale).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swarm_keeps_markers_apart() {
        let ys = [100.0, 100.0, 100.0, 104.0, 200.0];
        let xs = swarm(&ys, 10.0, 1000.0);
        assert_eq!(xs[0], 0.0);
        assert_eq!(xs[4], 0.0);
        for i in 0..ys.len() {
            for j in 0..i {
                let d = ((xs[i] - xs[j]).powi(2) + (ys[i] - ys[j]).powi(2)).sqrt();
                assert!(d >= 10.0 - 1e-6, "{i} {j} {d}");
            }
        }
        // Same input, same layout.
        assert_eq!(xs, swarm(&ys, 10.0, 1000.0));
    }

    #[test]
    fn swarm_squeezes_into_the_column() {
        let xs = swarm(&[50.0; 40], 10.0, 60.0);
        assert!(xs.iter().all(|x| x.abs() <= 60.0 + 1e-9));
    }
}
