//! mixout: finetune pretrained transformers with the mixout regulariser (Lee, Cho & Kang,
//! ICLR 2020) and measure finetuning stability over many restarts.
//!
//! Layers import downward only (see docs/architecture.md): the schema
//! ([`mixout_spec`], no libtorch) → [`assets`] and the resolved [`study`] → model families
//! ([`model`], [`bert`], [`modernbert`], [`arch`]) → [`mixout`] and the parameter [`plan`] → training
//! ([`train`]: one assembly, one step) → sweeps ([`sweep`]) → the binary's commands. Result
//! files and reports live in `mixout-report`, data in `mixout-data`; neither needs libtorch.

pub mod arch;
pub mod assets;
pub mod bert;
pub mod deberta;
pub mod device;
pub mod doctor;
pub mod dropout;
pub mod error;
pub mod export;
pub mod files;
pub mod hub;
pub mod mixout;
pub mod model;
pub mod modernbert;
pub mod plan;
pub mod study;
pub mod sweep;
pub mod train;

pub use error::{Error, Result};
