//! mixout: finetune pretrained transformers with the mixout regulariser (Lee, Cho & Kang,
//! ICLR 2020) and measure finetuning stability over many restarts.
//!
//! Data flows one way: YAML ([`config`]) → validated settings → runs ([`runner`]) →
//! result files ([`mixout_report::results`]) → report ([`mixout_report`]).

pub mod arch;
pub mod bench;
pub mod bert;
pub mod cli;
pub mod config;
pub mod device;
pub mod doctor;
pub mod error;
pub mod inspect;
pub mod mixout;
pub mod model;
pub mod plan;
pub mod predict;
pub mod runner;
pub mod slurm;
pub mod train;

pub use error::{Error, Result};
