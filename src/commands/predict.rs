//! `mixout predict`: logits and predictions of a finetuned model folder, one JSON line per
//! example, in dataset order.

use anyhow::{bail, Context, Result};
use mixout::assets::{resolve_glue, resolve_model};
use mixout::device::DeviceSpec;
use mixout::train::assemble::build_model;
use mixout::train::evaluate::{logits_to_predictions, predict};
use mixout_data::{Predictions, Split, TaskKind, Tokenizer};
use mixout_spec::Setting;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `mixout predict`.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// A finetuned model folder (written by `save_model: true`).
    #[arg(long)]
    pub model: String,
    /// GLUE task name.
    #[arg(long)]
    pub task: String,
    /// Split: train or dev.
    #[arg(long, default_value = "dev")]
    pub split: String,
    /// Output file (one JSON line per example).
    #[arg(long)]
    pub out: PathBuf,
    /// GLUE data folder; default `$MIXOUT_GLUE_DIR` or `shared/data/glue`.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Max sequence length.
    #[arg(long, default_value_t = 128)]
    pub max_seq_len: usize,
    /// Device.
    #[arg(long, default_value = "auto")]
    pub device: String,
}

/// Runs `mixout predict`.
pub fn run(a: PredictArgs) -> Result<()> {
    let split = match a.split.as_str() {
        "dev" => Split::Dev,
        "train" => Split::Train,
        other => bail!("--split `{other}`: expected `dev` or `train`"),
    };
    let task = resolve_glue(&a.task, a.data_dir.as_deref(), None)?;
    let files = resolve_model(&a.model, None)?;
    let device = mixout::device::resolve(a.device.parse::<DeviceSpec>()?)?;
    // Evaluation builds the model as training does, with no dropout and nothing re-drawn.
    let setting = Setting { dropout: Some(0.0), attention_dropout: Some(0.0), ..Default::default() };
    let (_vs, model, report) = build_model(&setting, &files, &task.labels, device)?;
    if report.missing.iter().any(|n| n.starts_with("classifier.")) {
        bail!(
            "{}: has no finetuned head (`classifier.*`): predict needs a model saved by a run with `save_model: true`",
            files.dir.display()
        );
    }
    let examples = task.load(split)?;
    let tok = Tokenizer::from_model_dir(&files.dir)?;
    let enc = tok.encode_all(&examples, a.max_seq_len);
    let logits = predict(&model, &enc, tok.pad_id(), 128, device)?;
    let preds = logits_to_predictions(&logits, task.kind)?;
    let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&logits.to_kind(tch::Kind::Float))?;
    let file = std::fs::File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for (i, row) in rows.iter().enumerate() {
        let pred = match (&preds, task.kind) {
            (Predictions::Classes(c), TaskKind::Classification) => serde_json::json!(task.labels[c[i]]),
            (Predictions::Scores(s), _) => serde_json::json!(s[i]),
            _ => serde_json::Value::Null,
        };
        writeln!(out, "{}", serde_json::json!({"index": i, "logits": row, "prediction": pred}))?;
    }
    out.flush()?;
    eprintln!("wrote {} predictions to {}", rows.len(), a.out.display());
    Ok(())
}
