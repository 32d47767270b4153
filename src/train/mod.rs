//! Training: a setting's data, the one model assembly, the one step, the loop of one run,
//! evaluation, the optimiser and the schedule.

pub mod assemble;
pub mod data;
pub mod evaluate;
pub mod optim;
pub mod schedule;
pub mod step;
pub mod trainer;

pub use assemble::Finetuner;
pub use data::{prepare, Prepared};
pub use evaluate::evaluate;
pub use step::{Phase, StepOptions};
pub use trainer::{train, TrainOutcome};
