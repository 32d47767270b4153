//! `mixout bench make-model`: a random-weight BERT-shaped checkpoint.

//! `mixout bench`: the Rust side of `make bench`. Each subcommand measures one thing and
//! writes a small JSON file; `bench/run.sh` puts them beside the Python reference.
//! Timings interleave the variants on the same batches so their ratio is taken side by side.

use super::{write_json, Shape};
use anyhow::{bail, Context, Result};
use mixout::export::write_safetensors_pt;
use mixout::model::{load_pretrained, read_config, DropoutSpec, EncoderImpl, ModelFiles, SequenceClassifier};
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use tch::{Device, Tensor};

/// Writes a BERT-shaped folder with random weights: config.json, the vocabulary of
/// `vocab_from`, and model.safetensors holding every encoder and pooler variable of our
/// [`SequenceClassifier`] (no head, like a pretrained checkpoint) under Hugging Face names,
/// initialised as BERT's `_init_weights` does. Then loads it back to check it.
pub(super) fn make_model(shape: Shape, vocab_from: &Path, out: &Path, seed: i64) -> Result<()> {
    let vocab_src = vocab_from.join("vocab.txt");
    let vocab = std::fs::read_to_string(&vocab_src).with_context(|| format!("reading {}", vocab_src.display()))?;
    let vocab_size = vocab.lines().count();
    if vocab_size == 0 {
        bail!("{}: empty vocabulary", vocab_src.display());
    }
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let range = 0.02;
    let config = bert_config(shape, vocab_size, seed, range);
    let config_path = out.join("config.json");
    std::fs::write(&config_path, serde_json::to_string_pretty(&config)?)
        .with_context(|| format!("writing {}", config_path.display()))?;
    let files = ModelFiles::new(out.to_path_buf(), config_path, out.join("vocab.txt"), out.join("model.safetensors"))?;
    // Removed first: a copy keeps the source's mode, and shared assets are often read-only.
    let copy = |src: &Path, dst: &Path| -> Result<()> {
        let _ = std::fs::remove_file(dst);
        std::fs::copy(src, dst).with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        Ok(())
    };
    copy(&vocab_src, &files.vocab)?;
    for extra in ["tokenizer_config.json", "special_tokens_map.json"] {
        let src = vocab_from.join(extra);
        if src.is_file() {
            copy(&src, &out.join(extra))?;
        }
    }

    let cfg = read_config(&files, &[])?;
    let no_dropout = DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 };
    let (names, parameters) = write_random_weights(&cfg, &files, seed, range)?;

    // A bad file should fail here, not three stages later in the benchmark.
    let check = tch::nn::VarStore::new(Device::Cpu);
    let _m = SequenceClassifier::new(&check.root(), &cfg, no_dropout, EncoderImpl::Padded)?;
    let report = load_pretrained(&check, &files, range)?;
    if report.missing.iter().any(|n| !n.starts_with("classifier."))
        || !report.unused.is_empty()
        || report.loaded != names.len()
    {
        bail!(
            "{}: reloading found {} of {} tensors (missing {:?}, unused {:?})",
            files.weights.display(),
            report.loaded,
            names.len(),
            report.missing,
            report.unused
        );
    }
    write_json(
        &None,
        &json!({"out": out, "shape": format!("{shape:?}").to_lowercase(), "vocab_size": vocab_size, "parameters": parameters, "tensors": report.loaded, "seed": seed}),
    )
}

/// config.json of a BERT of `shape` over a vocabulary of `vocab_size`.
fn bert_config(shape: Shape, vocab_size: usize, seed: i64, range: f64) -> serde_json::Value {
    let (hidden, layers, heads, intermediate) = shape.dims();
    json!({
        "_name_or_path": format!("random bert-{shape:?} shape, seed {seed} (mixout bench make-model)").to_lowercase(),
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate,
        "max_position_embeddings": 512,
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
        "layer_norm_eps": 1e-12,
        "initializer_range": range,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
    })
}

/// Draws every encoder and pooler variable as BERT's `_init_weights` does and writes them
/// to `files.weights`; returns their names and the parameter count.
fn write_random_weights(
    cfg: &rust_bert::bert::BertConfig,
    files: &ModelFiles,
    seed: i64,
    range: f64,
) -> Result<(Vec<String>, i64)> {
    let no_dropout = DropoutSpec { hidden: 0.0, attention: 0.0, head: 0.0 };
    let vs = tch::nn::VarStore::new(Device::Cpu);
    let model = SequenceClassifier::new(&vs.root(), cfg, no_dropout, EncoderImpl::Padded)?;
    let mut vars = vs.variables();
    // Draw in name order: a HashMap's order differs between processes, the seed's weights must not.
    let mut names: Vec<String> = vars.keys().filter(|n| !n.starts_with("classifier.")).cloned().collect();
    names.sort();
    tch::manual_seed(seed);
    tch::no_grad(|| {
        for name in &names {
            let Some(var) = vars.get_mut(name) else { continue };
            let _ = match (name.contains("LayerNorm"), name.ends_with(".bias")) {
                (true, false) => var.fill_(1.0),
                (_, true) => var.zero_(),
                (false, false) => var.normal_(0.0, range),
            };
        }
    });
    let weights: HashMap<String, Tensor> =
        names.iter().filter_map(|n| vars.get(n).map(|t| (n.clone(), t.shallow_clone()))).collect();
    let parameters: i64 = weights.values().map(|t| t.numel() as i64).sum();
    write_safetensors_pt(&weights, &files.weights)?;
    drop((weights, vars, model, vs));
    Ok((names, parameters))
}
