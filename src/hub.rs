//! Hugging Face hub ids: resolved from the hub cache that Python's `huggingface_hub` shares
//! (offline), else downloaded once into it ([`mixout_data::hub::Hub`]). The fetch is behind
//! [`HubSource`], so the resolution logic is tested on cache folders and closures as well.

use crate::error::{Error, Result};
use crate::files::ModelFiles;
pub use mixout_data::hub::{Cached, Hub, HubCache, RepoKind};
use std::path::{Path, PathBuf};

/// Where the files of Hugging Face hub repositories come from: a cache folder read offline
/// ([`HubCache`]), the hub client ([`Hub`]: the cache, else a download), or a test's closure.
pub trait HubSource {
    /// The local path of `file` in repository `repo` (fetched first if need be), or `None`
    /// when the repository has no such file.
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>>;

    /// As [`HubSource::get`], for a file the model may lack: where the source cannot ask
    /// (offline, not cached) that is no error, only no file.
    fn get_optional(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        self.get(repo, file)
    }
}

impl<F: Fn(&str, &str) -> Result<Option<PathBuf>>> HubSource for F {
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        self(repo, file)
    }
}

impl HubSource for HubCache {
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        Ok(match self.lookup(RepoKind::Model, repo, file)? {
            Cached::File(p) => Some(p),
            Cached::Absent | Cached::Unknown => None,
        })
    }
}

impl HubSource for Hub {
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        Ok(Hub::get(self, RepoKind::Model, repo, file)?)
    }

    fn get_optional(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        // A cache filled by hand (`huggingface-cli download` of some files) may lack the
        // optional ones; offline, their absence is not an error.
        if self.offline && self.cache.lookup(RepoKind::Model, repo, file)? == Cached::Unknown {
            return Ok(None);
        }
        HubSource::get(self, repo, file)
    }
}

/// Resolves hub repository `repo` from `source`: `config.json`; the tokenizer files that
/// exist (`tokenizer_config.json`, which says whether a model is cased, `special_tokens_map.json`,
/// `tokenizer.json`); the vocabulary the architecture reads (`vocab.txt`, RoBERTa's
/// `vocab.json` + `merges.txt`, or ModernBERT's `tokenizer.json`); and the weights (`model.safetensors`, else rust-bert's
/// `rust_model.ot`). All must lie in one folder, as the tokenizer reads the folder.
pub fn resolve_hub_with(repo: &str, source: &dyn HubSource) -> Result<ModelFiles> {
    let at = Path::new(repo);
    let need = |file: &str| -> Result<PathBuf> {
        source.get(repo, file)?.ok_or_else(|| Error::model(at, format!("the hub repository has no `{file}`")))
    };
    let config = need("config.json")?;
    let arch = crate::arch::Arch::of_file(&config)?;
    let mut fetched = vec![config.clone()];
    for optional in ["tokenizer_config.json", "special_tokens_map.json", "tokenizer.json"] {
        fetched.extend(source.get_optional(repo, optional)?);
    }
    let vocab = if arch == crate::arch::Arch::Roberta {
        fetched.push(need("merges.txt")?);
        need("vocab.json")?
    } else if arch == crate::arch::Arch::ModernBert {
        need("tokenizer.json")?
    } else if arch == crate::arch::Arch::DebertaV2 {
        need("spm.model")?
    } else {
        need("vocab.txt")?
    };
    let weights = match source.get_optional(repo, "model.safetensors")? {
        Some(w) => w,
        None => match source.get_optional(repo, "rust_model.ot")? {
            Some(w) => w,
            // Asked again as required, so that offline the error names the file and the cache.
            None => source.get(repo, "model.safetensors")?.ok_or_else(|| {
                Error::model(at, "the hub repository has neither `model.safetensors` nor rust-bert's `rust_model.ot`")
            })?,
        },
    };
    fetched.extend([vocab.clone(), weights.clone()]);
    let dir = config.parent().map(Path::to_path_buf).unwrap_or_default();
    if let Some(stray) = fetched.iter().find(|p| p.parent() != Some(dir.as_path())) {
        return Err(Error::model(
            at,
            format!(
                "`{}` is not in {} with config.json (the tokenizer reads one folder)",
                stray.display(),
                dir.display()
            ),
        ));
    }
    ModelFiles::new(dir, config, vocab, weights)
}

/// The shipped models' names, as `shared/models` names them, and their hub repositories: a
/// user without `shared/` gets the same weights from the hub.
pub const KNOWN_MODELS: [(&str, &str); 2] = [
    ("paraphrase-MiniLM-L3-v2", "sentence-transformers/paraphrase-MiniLM-L3-v2"),
    ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"),
];

/// Whether `model` can name a hub repository (`name` or `org/name`, of letters, digits, `-`,
/// `_` and `.`): a path such as `/data/bert` or `./m` is a missing folder, never a download.
pub fn is_hub_id(model: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty() && p != "." && p != ".." && p.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let parts: Vec<&str> = model.split('/').collect();
    parts.len() <= 2 && parts.iter().all(|p| part(p))
}

/// The hub repository a model name stands for: a shipped model's short name maps to its
/// `sentence-transformers/` repository; anything else is a hub id as written.
pub fn hub_repo(model: &str) -> &str {
    KNOWN_MODELS.iter().find(|(name, _)| *name == model).map_or(model, |(_, repo)| repo)
}

/// Resolves a hub id (or a shipped model's short name) from the Hugging Face hub cache, else
/// downloads it once into that cache ([`Hub`]: `HF_HUB_CACHE`, `HF_ENDPOINT`, `HF_HUB_OFFLINE`).
pub(crate) fn resolve_hub(model: &str) -> Result<ModelFiles> {
    let hub = Hub::from_env()?;
    resolve_hub_with(hub_repo(model), &hub)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_ids_and_paths_are_told_apart() {
        for id in ["bert-large-uncased", "microsoft/deberta-v3-large", "org/m.v2_x"] {
            assert!(is_hub_id(id), "{id}");
        }
        for path in ["/nonexistent", "./m", "../m", "a/b/c", "m/", "", "a b", ".."] {
            assert!(!is_hub_id(path), "{path}");
        }
        assert_eq!(hub_repo("paraphrase-MiniLM-L3-v2"), "sentence-transformers/paraphrase-MiniLM-L3-v2");
        assert_eq!(hub_repo("bert-large-uncased"), "bert-large-uncased");
    }
}
