//! GPU memory for parallel runs: what one run needs (an estimate), what each GPU can take,
//! and reservations that a run holds while it trains and gives back when dropped. A run
//! that does not fit waits on a condition variable until a reservation is released.

use crate::error::{Error, Result};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// What one GPU can take: its size, what other processes held when the sweep started, and
/// the estimated need of each of our children now running on it.
#[derive(Debug, Clone)]
pub struct GpuBudget {
    /// CUDA index (`cuda:N`).
    pub cuda_index: usize,
    /// Total memory, bytes (0 when the driver could not be asked: no check is made).
    pub total: u64,
    /// Memory held by other processes when the sweep started, bytes.
    pub used_by_others: u64,
    /// Estimated bytes of each running child, by run id.
    pub running: Vec<(String, u64)>,
}

impl GpuBudget {
    /// Whether a run needing `need` bytes fits beside the children already running.
    pub fn fits(&self, need: u64) -> bool {
        self.total == 0 || self.used_by_others + self.running.iter().map(|r| r.1).sum::<u64>() + need <= self.total
    }

    /// Memory that was free when the sweep started, bytes.
    pub fn free_at_start(&self) -> u64 {
        self.total.saturating_sub(self.used_by_others)
    }
}

/// GiB, for messages.
pub fn gib(b: u64) -> f64 {
    b as f64 / (1u64 << 30) as f64
}

/// The GPU the k-th parallel job uses among `devices`: jobs are spread round-robin.
pub fn job_device(job: usize, devices: usize) -> usize {
    job % devices.max(1)
}

/// The CUDA devices a setting's runs may use among `visible` ones: `cuda:N` pins its runs
/// to device N; `auto` and `cuda` spread them over every device.
pub fn allowed_gpus(spec: mixout_spec::DeviceSpec, visible: usize) -> Vec<usize> {
    match spec {
        mixout_spec::DeviceSpec::Cuda(i) => vec![i],
        _ => (0..visible.max(1)).collect(),
    }
}

/// The GPUs of a sweep and the reservations on them.
pub struct GpuPool {
    budgets: Mutex<Vec<GpuBudget>>,
    freed: Condvar,
}

/// Memory reserved for one run on one GPU, released when dropped (however the run ends).
pub struct Reservation<'a> {
    pool: &'a GpuPool,
    slot: usize,
    run_id: String,
    /// The CUDA index reserved on.
    pub cuda_index: usize,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut budgets = self.pool.budgets.lock().unwrap_or_else(|e| e.into_inner());
        budgets[self.slot].running.retain(|r| r.0 != self.run_id);
        self.pool.freed.notify_all();
    }
}

impl GpuPool {
    /// A pool over these GPUs.
    pub fn new(budgets: Vec<GpuBudget>) -> Self {
        GpuPool { budgets: Mutex::new(budgets), freed: Condvar::new() }
    }

    /// The budgets as they are now.
    pub fn snapshot(&self) -> Vec<GpuBudget> {
        self.budgets.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The pool slot of CUDA device `cuda_index`.
    pub fn slot_of(&self, cuda_index: usize) -> Option<usize> {
        self.snapshot().iter().position(|b| b.cuda_index == cuda_index)
    }

    /// Reserves `need` bytes for `run_id` on pool slot `slot`, waiting while runs of ours
    /// hold the memory; fails at once when nothing of ours runs there and it still does not
    /// fit, and returns `Ok(None)` when `stop()` turns true while waiting.
    pub fn reserve(
        &self,
        slot: usize,
        run_id: &str,
        need: u64,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<Reservation<'_>>> {
        let mut budgets = self.budgets.lock().unwrap_or_else(|e| e.into_inner());
        let mut said = false;
        loop {
            let g = &mut budgets[slot];
            if g.fits(need) {
                g.running.push((run_id.to_string(), need));
                return Ok(Some(Reservation {
                    pool: self,
                    slot,
                    run_id: run_id.to_string(),
                    cuda_index: g.cuda_index,
                }));
            }
            if g.running.is_empty() {
                return Err(Error::Invalid(format!(
                    "run {run_id} needs ~{:.1} GiB on cuda:{} but only {:.1} of {:.1} GiB are free (other processes hold \
                     {:.1} GiB): free GPU memory, use a smaller batch, `micro_batches: 2` or `precision: bf16`",
                    gib(need),
                    g.cuda_index,
                    gib(g.free_at_start()),
                    gib(g.total),
                    gib(g.used_by_others)
                )));
            }
            if !said {
                let waiting_on: Vec<&str> = g.running.iter().map(|r| r.0.as_str()).collect();
                tracing::info!(
                    "run {run_id} (~{:.1} GiB) waits for GPU memory held by {}",
                    gib(need),
                    waiting_on.join(", ")
                );
                said = true;
            }
            if stop() {
                return Ok(None);
            }
            // Woken by a release; the timeout only lets an interrupt be noticed.
            budgets = self.freed.wait_timeout(budgets, Duration::from_millis(500)).unwrap_or_else(|e| e.into_inner()).0;
        }
    }
}

/// A conservative estimate of the GPU memory one training run needs, bytes: fp32 weights,
/// gradients, two Adam moments, the scratch buffer and up to two frozen targets (8 copies of
/// the parameters), the activations of one micro-batch (Korthikanti et al. 2022:
/// `s·b·h·(34 + 5·a·s/h)` bytes per layer at 16 bits, doubled for fp32), and 1 GiB for the
/// CUDA context and allocator slack.
pub fn estimate_run_bytes(
    cfg: &rust_bert::bert::BertConfig,
    batch: usize,
    micro: usize,
    seq: usize,
    bf16: bool,
) -> u64 {
    let (h, l, a) = (cfg.hidden_size as f64, cfg.num_hidden_layers as f64, cfg.num_attention_heads as f64);
    let params = l * (4.0 * h * h + 2.0 * h * cfg.intermediate_size as f64 + 9.0 * h)
        + (cfg.vocab_size + cfg.max_position_embeddings + cfg.type_vocab_size) as f64 * h
        + h * h;
    let b = (batch as f64 / micro.max(1) as f64).ceil();
    let s = seq as f64;
    let act = l * s * b * h * (34.0 + 5.0 * a * s / h) * if bf16 { 1.0 } else { 2.0 };
    (8.0 * 4.0 * params + act) as u64 + (1u64 << 30)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn gpu_budget_and_job_spread() {
        let mut g = GpuBudget { cuda_index: 0, total: 80 << 30, used_by_others: 10 << 30, running: vec![] };
        assert!(g.fits(30 << 30));
        g.running.push(("a".into(), 30 << 30));
        g.running.push(("b".into(), 30 << 30));
        assert!(g.fits(10 << 30), "10 + 60 + 10 = 80 GiB fits exactly");
        assert!(!g.fits((10 << 30) + 1));
        let unknown = GpuBudget { cuda_index: 0, total: 0, used_by_others: 0, running: vec![("a".into(), 1 << 40)] };
        assert!(unknown.fits(1 << 40), "no driver answer: no check");
        assert_eq!((0..5).map(|j| job_device(j, 2)).collect::<Vec<_>>(), [0, 1, 0, 1, 0]);
        assert_eq!(job_device(3, 0), 0);
    }

    #[test]
    fn cuda_n_pins_and_cuda_or_auto_spread() {
        use mixout_spec::DeviceSpec;
        // Issue 17, bug 2: before, `cuda:0` parsed as `cuda` and spread over every GPU.
        let pinned = allowed_gpus("cuda:0".parse().unwrap(), 4);
        assert_eq!(pinned, [0]);
        assert_eq!(allowed_gpus(DeviceSpec::Cuda(2), 4), [2]);
        assert_eq!(allowed_gpus("cuda".parse().unwrap(), 4), [0, 1, 2, 3]);
        assert_eq!(allowed_gpus(DeviceSpec::Auto, 4), [0, 1, 2, 3]);
        let jobs: Vec<usize> = (0..4).map(|j| pinned[job_device(j, pinned.len())]).collect();
        assert_eq!(jobs, [0, 0, 0, 0], "every job of a pinned setting lands on its device");
    }

    #[test]
    fn a_reservation_is_released_on_drop_and_wakes_a_waiter() {
        let pool = GpuPool::new(vec![GpuBudget { cuda_index: 2, total: 10 << 30, used_by_others: 0, running: vec![] }]);
        let never = || false;
        let first = pool.reserve(0, "a", 6 << 30, &never).unwrap().unwrap();
        assert_eq!(first.cuda_index, 2);
        let empty =
            GpuPool::new(vec![GpuBudget { cuda_index: 2, total: 10 << 30, used_by_others: 0, running: vec![] }]);
        let err = empty.reserve(0, "x", 11 << 30, &never).err().unwrap().to_string();
        assert!(err.contains("needs ~11.0 GiB on cuda:2"), "{err}");
        std::thread::scope(|s| {
            let waiter = s.spawn(|| pool.reserve(0, "b", 6 << 30, &never).unwrap().map(|r| r.cuda_index));
            std::thread::sleep(Duration::from_millis(100));
            assert_eq!(pool.snapshot()[0].running.len(), 1, "b waits while a holds the memory");
            drop(first);
            assert_eq!(waiter.join().unwrap(), Some(2), "b starts once a's reservation is dropped");
        });
        assert!(pool.snapshot()[0].running.is_empty(), "b's reservation was dropped with its thread");
        let stop = AtomicBool::new(true);
        let _held = pool.reserve(0, "c", 6 << 30, &never).unwrap();
        assert!(pool.reserve(0, "d", 6 << 30, &|| stop.load(Ordering::SeqCst)).unwrap().is_none(), "stop ends a wait");
    }

    #[test]
    fn run_memory_estimate_is_in_the_known_range() {
        // BERT-large, batch 32, seq 128, fp32: weights+grads+Adam+targets ~10.7 GB (335M params
        // x 4 B x 8) plus ~8.9 GiB of activations plus 1 GiB: 19-22 GiB.
        let mut cfg: rust_bert::bert::BertConfig = serde_json::from_str(
            r#"{"hidden_act":"gelu","attention_probs_dropout_prob":0.1,"hidden_dropout_prob":0.1,"hidden_size":1024,"initializer_range":0.02,"intermediate_size":4096,"max_position_embeddings":512,"num_attention_heads":16,"num_hidden_layers":24,"type_vocab_size":2,"vocab_size":30522}"#,
        )
        .unwrap();
        let fp32 = gib(estimate_run_bytes(&cfg, 32, 1, 128, false));
        assert!((19.0..23.0).contains(&fp32), "{fp32} GiB");
        let bf16 = gib(estimate_run_bytes(&cfg, 32, 1, 128, true));
        assert!(bf16 < fp32 - 3.0, "{bf16} vs {fp32}");
        assert!(estimate_run_bytes(&cfg, 32, 4, 128, false) < estimate_run_bytes(&cfg, 32, 1, 128, false));
        cfg.num_hidden_layers = 3;
        cfg.hidden_size = 384;
        cfg.num_attention_heads = 12;
        cfg.intermediate_size = 1536;
        assert!(gib(estimate_run_bytes(&cfg, 32, 1, 128, false)) < 3.0, "L3 fits many times on one GPU");
    }
}
