//! Data side of the mixout harness: everything between the files on disk and the
//! tensors, with no dependency on libtorch so it builds and tests in seconds.
//!
//! - [`tasks`]: GLUE and user-defined task definitions, headline metrics, chance scores,
//!   and evaluation of a task's predictions.
//! - [`glue`]: examples, labels and strict readers of the original GLUE TSVs;
//!   [`glue_hub`]: the same tasks from the hub's parquet files (`nyu-mll/glue`).
//! - [`hub`]: the Hugging Face hub cache (shared with Python) and downloads into it.
//! - [`tokenize`]: BERT WordPiece tokenisation matching the Hugging Face fast tokenizer,
//!   parallel and cached per process; [`hf`]: a folder's `tokenizer.json` through Hugging
//!   Face's `tokenizers` (ModernBERT).
//! - [`batch`]: seeded subsets and epoch orders, batches, micro-batches, padding plans.
//! - [`metrics`]: the [`Metric`] names, and accuracy, F1, MCC, Pearson and Spearman as pure
//!   functions. It knows nothing of tasks (`tasks` uses `metrics`, never the reverse).
//!
//! Errors of every module are one [`DataError`], whose messages name the file, the line
//! and what was expected there.

#![warn(missing_docs)]

pub mod batch;
pub mod error;
pub mod glue;
pub mod glue_hub;
pub mod hf;
pub mod hf_tokenizer;
pub mod hub;
pub mod metrics;
pub mod tasks;
pub mod tokenize;
mod tokenizer_config;

pub use batch::{batches, epoch_order, micro_batches, pad, padding_ratio, subset_indices, Padded};
pub use error::{DataError, Result};
pub use glue::{Example, GlueFormat, Label};
pub use metrics::{Metric, Predictions, UnknownMetric};
pub use tasks::{evaluate, CustomTaskConfig, Split, TaskKind, TaskSource, TaskSpec};
pub use tokenize::{clear_encode_cache, encode_cached, Encoded, Tokenizer, VocabKind};
