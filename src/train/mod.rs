//! Training: the schedule, the optimiser, and the loop that finetunes one run.

pub mod optim;
pub mod schedule;
pub mod trainer;

pub use trainer::{evaluate, prepare, train, Prepared, TrainOutcome};
