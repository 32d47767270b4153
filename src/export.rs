//! Saving a finetuned model as a Hugging Face folder: weights (safetensors with the
//! metadata transformers requires), config.json with the label maps, and the tokenizer files.

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
    // Optional, but once present they must arrive: without tokenizer_config.json a cased
    // model would be lower-cased when the saved folder is loaded again.
    for extra in ["tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"] {
        let src = files.dir.join(extra);
        // `symlink_metadata`: a dangling link (a hub cache whose blob is gone) is a broken
        // file to report, not an absent one.
        if src.symlink_metadata().is_ok() {
            copy_file(&src, &out.join(extra))?;
        }
    }
    let weights = out.join("model.safetensors");
    write_safetensors_pt(&vs.variables(), &weights)?;
    Ok(())
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
