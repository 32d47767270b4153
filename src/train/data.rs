//! A setting's data made ready once: its task's examples and their tokenisation.

use crate::error::Result;
use crate::model::ModelFiles;
use crate::study::StudySetting;
use mixout_data::{encode_cached, Encoded, Example, Split, TaskSpec, Tokenizer};
use std::sync::Arc;

/// A split's examples and their encodings, shared across the runs of a sweep.
pub type SplitData = (Arc<Vec<Example>>, Arc<Vec<Encoded>>);

/// Everything loaded once for a setting: task, tokenised splits, model files.
pub struct Prepared {
    /// The task.
    pub task: TaskSpec,
    /// Model files.
    pub files: ModelFiles,
    /// Training examples (labels) and their encodings, in file order.
    pub train: SplitData,
    /// Dev examples and encodings.
    pub dev: SplitData,
    /// Chance (majority-class) dev score of the headline metric.
    pub chance: f64,
    /// Token id of `[PAD]`.
    pub pad_id: i64,
}

/// Loads and tokenises the data of a resolved setting (the tokenisation is cached across
/// the runs of a sweep).
pub fn prepare(ss: &StudySetting) -> Result<Prepared> {
    let task = ss.task()?.clone();
    let files = ss.model()?.clone();
    let tokenizer = Tokenizer::from_model_dir(&files.dir)?;
    let load = |split: Split| -> Result<SplitData> {
        let ex = Arc::new(task.load(split)?);
        let enc = encode_cached(&tokenizer, &task.name, split, ss.spec.max_seq_len, &ex);
        Ok((ex, enc))
    };
    let train = load(Split::Train)?;
    let dev = load(Split::Dev)?;
    let chance = task.chance_score(&dev.0);
    let pad_id = tokenizer.pad_id();
    Ok(Prepared { task, files, train, dev, chance, pad_id })
}
