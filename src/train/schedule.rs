//! Learning-rate schedule: linear warm-up, then linear decay to zero (BERT's schedule, as
//! Hugging Face's `get_linear_schedule_with_warmup`). Pure functions of step numbers.

/// Warm-up steps for a total and a proportion, rounded up as Hugging Face does.
pub fn warmup_steps(total_steps: u64, proportion: f64) -> u64 {
    (total_steps as f64 * proportion).ceil() as u64
}

/// Learning rate of the 0-based optimiser step `step`: `peak·step/warmup` during warm-up,
/// then `peak·(total − step)/(total − warmup)`, never below 0.
pub fn lr_at(step: u64, total_steps: u64, warmup: u64, peak: f64) -> f64 {
    if step < warmup {
        return peak * step as f64 / warmup.max(1) as f64;
    }
    let rest = total_steps.saturating_sub(warmup).max(1) as f64;
    peak * (total_steps.saturating_sub(step) as f64 / rest).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_then_linear_decay_hand_computed() {
        // total 10 steps, 10% warm-up -> 1 warm-up step; peak 1.0
        assert_eq!(warmup_steps(10, 0.1), 1);
        assert_eq!(warmup_steps(234, 0.1), 24); // 23.4 rounded up
        assert_eq!(lr_at(0, 10, 1, 1.0), 0.0);
        assert_eq!(lr_at(1, 10, 1, 1.0), 1.0); // (10-1)/(10-1)
        assert!((lr_at(4, 10, 1, 1.0) - 6.0 / 9.0).abs() < 1e-12);
        assert!((lr_at(9, 10, 1, 1.0) - 1.0 / 9.0).abs() < 1e-12);
        assert_eq!(lr_at(10, 10, 1, 1.0), 0.0);
        // warm-up of 4 at peak 2e-5
        assert!((lr_at(2, 20, 4, 2e-5) - 1e-5).abs() < 1e-18);
        assert_eq!(lr_at(0, 5, 0, 3.0), 3.0, "no warm-up starts at the peak");
    }
}
