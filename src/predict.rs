//! `mixout predict`: logits and predictions of a finetuned model folder, one JSON line
//! per example, in dataset order.

use crate::cli::PredictArgs;
use crate::config::Setting;
use crate::device::DeviceSpec;
use crate::model::{load_pretrained, read_config, DropoutSpec, ModelFiles, SequenceClassifier};
use crate::train::trainer::{logits_to_predictions, predict};
use anyhow::{bail, Context, Result};
use mixout_data::{Predictions, Split, TaskKind, TaskSpec, Tokenizer};
use std::io::Write;

/// Runs `mixout predict`.
pub fn predict_cmd(a: &PredictArgs) -> Result<()> {
    let split = match a.split.as_str() {
        "dev" => Split::Dev,
        "train" => Split::Train,
        other => bail!("--split `{other}`: expected `dev` or `train`"),
    };
    let glue_dir = match &a.data_dir {
        Some(d) => d.clone(),
        None => {
            let s = Setting { task: Some(a.task.clone()), ..Default::default() };
            crate::config::resolve_glue_dir(&s, std::path::Path::new("."))?
        }
    };
    let task = TaskSpec::glue(&a.task, &glue_dir)?;
    let files = ModelFiles::from_dir(&a.model)?;
    let device = a.device.parse::<DeviceSpec>()?.resolve()?;
    let config = read_config(&files, &task.labels)?;
    let vs = tch::nn::VarStore::new(device);
    let model = SequenceClassifier::build(
        &vs.root(),
        &files,
        &config,
        DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 },
        Default::default(),
    )?;
    let report = load_pretrained(&vs, &files, config.initializer_range as f64)?;
    if report.missing.iter().any(|n| n.starts_with("classifier.")) {
        bail!(
            "{}: has no finetuned head (`classifier.*`): predict needs a model saved by a run with `save_model: true`",
            a.model.display()
        );
    }
    let examples = task.load(split)?;
    let tok = Tokenizer::from_model_dir(&files.dir)?;
    let enc = tok.encode_all(&examples, a.max_seq_len);
    let logits = predict(&model, &enc, tok.pad_id(), 128, device)?;
    let preds = logits_to_predictions(&logits, task.kind)?;
    let rows: Vec<Vec<f32>> = Vec::<Vec<f32>>::try_from(&logits.to_kind(tch::Kind::Float))?;
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?,
    );
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
