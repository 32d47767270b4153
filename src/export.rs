//! Saving a finetuned model as a Hugging Face folder: weights (safetensors with the
//! metadata transformers requires), config.json with the label maps and `dtype`, and the
//! tokenizer files transformers 4 and 5 need to tokenise as we do (whatever the source had).

use crate::error::{Error, Result};
use crate::files::ModelFiles;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use tch::{nn, Kind, Tensor};

/// Writes a finetuned model as a Hugging Face-compatible folder: `config.json` with the
/// label map and the `*ForSequenceClassification` class, the vocabulary files, and
/// `model.safetensors` under Hugging Face's names.
pub fn save_model(vs: &nn::VarStore, files: &ModelFiles, labels: &[String], out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    let mut json = files.config_json.clone();
    let arch = files.arch;
    let names: Vec<String> = if labels.is_empty() { vec!["score".into()] } else { labels.to_vec() };
    if let Some(obj) = json.as_object_mut() {
        obj.insert("architectures".into(), serde_json::json!([arch.hf_class()]));
        obj.insert(
            "id2label".into(),
            names
                .iter()
                .enumerate()
                .map(|(i, l)| (i.to_string(), Value::from(l.clone())))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
        obj.insert(
            "label2id".into(),
            names
                .iter()
                .enumerate()
                .map(|(i, l)| (l.clone(), Value::from(i)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
        if labels.is_empty() {
            obj.insert("problem_type".into(), "regression".into());
        }
        // transformers 5 reads `dtype` (4.x `torch_dtype`); the weights we write are fp32.
        obj.remove("torch_dtype");
        obj.insert("dtype".into(), "float32".into());
    }
    let cfg = out.join("config.json");
    let text = serde_json::to_string_pretty(&json).map_err(|e| Error::Json { path: cfg.clone(), cause: e })?;
    std::fs::write(&cfg, text).map_err(|e| Error::io(&cfg, e))?;
    let vocab_name =
        files.vocab.file_name().ok_or_else(|| Error::model(&files.vocab, "the vocabulary path names no file"))?;
    copy_file(&files.vocab, &out.join(vocab_name))?;
    // A byte-level BPE vocabulary is useless without its merges.
    if vocab_name == "vocab.json" {
        copy_file(&files.dir.join("merges.txt"), &out.join("merges.txt"))?;
    }
    // Optional, but once present it must arrive. `symlink_metadata`: a dangling link (a hub
    // cache whose blob is gone) is a broken file to report, not an absent one.
    let special_map = files.dir.join("special_tokens_map.json");
    if special_map.symlink_metadata().is_ok() {
        copy_file(&special_map, &out.join("special_tokens_map.json"))?;
    }
    write_tokenizer_files(files, out)?;
    let weights = out.join("model.safetensors");
    write_safetensors_pt(&vs.variables(), &weights)?;
    Ok(())
}

/// Writes `tokenizer_config.json` (the source's, with class, casing, special tokens and length
/// set to ours: without it a cased model would be lower-cased on reload) and `tokenizer.json`
/// (built from our vocabulary, or for SentencePiece the source's copied when it has one).
fn write_tokenizer_files(files: &ModelFiles, out: &Path) -> Result<()> {
    let src_config = files.dir.join("tokenizer_config.json");
    let source = if src_config.symlink_metadata().is_ok() { Some(crate::arch::read_json(&src_config)?) } else { None };
    let tok = mixout_data::Tokenizer::from_model_dir(&files.dir)?;
    let max_len = model_max_length(files, source.as_ref());
    let config = mixout_data::hf_tokenizer::tokenizer_config(&tok, source, tokenizer_class(files.arch), max_len);
    let dst = out.join("tokenizer_config.json");
    let text = serde_json::to_string_pretty(&config).map_err(|e| Error::Json { path: dst.clone(), cause: e })?;
    std::fs::write(&dst, text).map_err(|e| Error::io(&dst, e))?;
    if !mixout_data::hf_tokenizer::write_tokenizer_json(&tok, out)? {
        let src = files.dir.join("tokenizer.json");
        if src.symlink_metadata().is_ok() {
            copy_file(&src, &out.join("tokenizer.json"))?;
        }
    }
    Ok(())
}

/// transformers' tokenizer class for an architecture (`tokenizer_config.json`).
fn tokenizer_class(arch: crate::arch::Arch) -> &'static str {
    use crate::arch::Arch;
    match arch {
        Arch::Bert => "BertTokenizer",
        Arch::Roberta => "RobertaTokenizer",
        Arch::DistilBert => "DistilBertTokenizer",
        Arch::Electra => "ElectraTokenizer",
        Arch::DebertaV2 => "DebertaV2Tokenizer",
        // ModernBERT's hub folders name the generic fast tokenizer over their tokenizer.json.
        Arch::ModernBert => "PreTrainedTokenizerFast",
    }
}

/// The source's `model_max_length` when it is a real limit (hub files often hold 1e30 for
/// "none"), else the positions config.json allows (RoBERTa reserves two for its padding offset).
fn model_max_length(files: &ModelFiles, source: Option<&Value>) -> usize {
    let given = source.and_then(|s| s.get("model_max_length")).and_then(Value::as_f64);
    if let Some(n) = given.filter(|n| *n >= 1.0 && *n <= 1e6) {
        return n as usize;
    }
    let positions = files.config_json.get("max_position_embeddings").and_then(Value::as_u64).unwrap_or(512) as usize;
    match files.arch {
        crate::arch::Arch::Roberta => positions.saturating_sub(2),
        _ => positions,
    }
}

/// Copies `src` to `dst`, replacing a previous `dst` (a copy keeps the source's mode, and a
/// read-only shared vocabulary would make the next save fail); errors name both paths.
fn copy_file(src: &Path, dst: &Path) -> Result<()> {
    if dst.symlink_metadata().is_ok() {
        std::fs::remove_file(dst).map_err(|e| Error::io(dst, e))?;
    }
    std::fs::copy(src, dst)
        .map_err(|e| Error::io(dst, std::io::Error::new(e.kind(), format!("copying from {}: {e}", src.display()))))?;
    Ok(())
}

/// Writes fp32 tensors as safetensors with the header metadata `{"format": "pt"}`:
/// transformers' `from_pretrained` refuses a file without it, and tch's writer adds none.
pub fn write_safetensors_pt(tensors: &HashMap<String, Tensor>, path: &Path) -> Result<()> {
    use safetensors::tensor::{Dtype, TensorView};
    let mut data: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::with_capacity(tensors.len());
    for (name, t) in tensors {
        let values = Vec::<f32>::try_from(
            &t.detach().to_kind(Kind::Float).to_device(tch::Device::Cpu).contiguous().flatten(0, -1),
        )?;
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        data.push((name.clone(), t.size().iter().map(|&d| d as usize).collect(), bytes));
    }
    let views = data
        .iter()
        .map(|(n, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|v| (n.clone(), v))
                .map_err(|e| Error::model(path, format!("tensor `{n}`: {e:?}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let meta = Some(HashMap::from([("format".to_string(), "pt".to_string())]));
    safetensors::tensor::serialize_to_file(views, &meta, path)
        .map_err(|e| Error::model(path, format!("writing safetensors: {e:?}")))
}
