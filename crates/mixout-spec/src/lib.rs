//! The experiment schema of the mixout harness, with no libtorch and no I/O but reading the
//! experiment file: option types and their defaults, validation with messages that name the
//! file, setting and field, `grid:` expansion, baselines, the run list, shards, the Slurm job scripts, and the
//! configuration fingerprint that tells resume whether a finished run still answers the
//! setting asked for. Everything above it (model families, mixout, training, sweeps,
//! commands) takes these types from here.

pub mod device;
pub mod error;
pub mod experiment;
pub mod fingerprint;
mod grid;
pub mod options;
pub mod select;
pub mod setting;
pub mod slurm;

pub use device::DeviceSpec;
pub use error::{Result, SpecError};
pub use experiment::{sanitize, Experiment, RunSpec};
pub use fingerprint::{changed_fields, fingerprint};
pub use options::*;
pub use select::{parse_shard, select, shard_runs};
pub use setting::Setting;
