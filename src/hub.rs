//! Hugging Face hub ids: resolved from the hub client's cache (offline), else, with the
//! `hub` feature, downloaded once into a cache of the same layout. The fetch is behind
//! [`HubSource`], so the resolution logic is tested offline on cache folders.

use crate::error::{Error, Result};
use crate::files::ModelFiles;
use std::path::{Path, PathBuf};

/// Where the files of Hugging Face hub repositories come from: a cache folder read offline
/// ([`HubCache`]), the network (the `hub` feature), or a test's closure.
pub trait HubSource {
    /// The local path of `file` in repository `repo` (fetched first if need be), or `None`
    /// when the repository has no such file.
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>>;
}

impl<F: Fn(&str, &str) -> Result<Option<PathBuf>>> HubSource for F {
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        self(repo, file)
    }
}

/// A cache folder laid out as the Hugging Face hub client lays it out:
/// `<root>/models--<org>--<name>/refs/main` holds the revision and
/// `<root>/models--<org>--<name>/snapshots/<revision>/<file>` the files. Read offline.
#[derive(Debug, Clone)]
pub struct HubCache {
    /// The cache folder (`HF_HUB_CACHE`).
    pub root: PathBuf,
}

impl HubCache {
    /// The cache the Hugging Face hub client (Python's `huggingface_hub`) fills:
    /// `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
    pub fn huggingface() -> Option<HubCache> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = env("HF_HUB_CACHE")
            .or_else(|| env("HF_HOME").map(|h| h.join("hub")))
            .or_else(|| env("XDG_CACHE_HOME").map(|c| c.join("huggingface/hub")))
            .or_else(|| env("HOME").map(|h| h.join(".cache/huggingface/hub")))?;
        Some(HubCache { root })
    }

    /// Where the `hub` feature keeps what it downloads, in the same layout:
    /// `$MIXOUT_HUB_CACHE`, else `~/.cache/mixout/hub`.
    pub fn mixout() -> Option<HubCache> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = env("MIXOUT_HUB_CACHE")
            .or_else(|| env("XDG_CACHE_HOME").map(|c| c.join("mixout/hub")))
            .or_else(|| env("HOME").map(|h| h.join(".cache/mixout/hub")))?;
        Some(HubCache { root })
    }

    /// `<root>/models--<org>--<name>`.
    pub fn repo_dir(&self, repo: &str) -> PathBuf {
        self.root.join(format!("models--{}", repo.replace('/', "--")))
    }

    /// The snapshot folder of the revision `refs/main` names, if the cache has one.
    pub fn snapshot(&self, repo: &str) -> Result<Option<PathBuf>> {
        let refs = self.repo_dir(repo).join("refs/main");
        let rev = match std::fs::read_to_string(&refs) {
            Ok(rev) => rev.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&refs, e)),
        };
        // A revision is a commit hash or a name: anything with a separator is not ours to follow.
        if rev.is_empty() || rev.contains(['/', '\\']) || rev == ".." {
            return Err(Error::model(&refs, format!("`{rev}` is not a revision")));
        }
        let dir = self.repo_dir(repo).join("snapshots").join(rev);
        Ok(dir.is_dir().then_some(dir))
    }
}

impl HubSource for HubCache {
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        Ok(self.snapshot(repo)?.map(|d| d.join(file)).filter(|p| p.is_file()))
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
        fetched.extend(source.get(repo, optional)?);
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
    let weights = match source.get(repo, "model.safetensors")? {
        Some(w) => w,
        None => source.get(repo, "rust_model.ot")?.ok_or_else(|| {
            Error::model(at, "the hub repository has neither `model.safetensors` nor rust-bert's `rust_model.ot`")
        })?,
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

/// Resolves a hub id from the local caches only (no network): the Hugging Face client's
/// cache, then the folder the `hub` feature downloads into. `None` when neither has it.
fn resolve_cached(model: &str) -> Option<ModelFiles> {
    [HubCache::huggingface(), HubCache::mixout()]
        .into_iter()
        .flatten()
        .find_map(|cache| resolve_hub_with(model, &cache).ok())
}

/// Downloads hub files with rust-bert's client (into its cache, `RUSTBERT_CACHE`) and links
/// each into a [`HubCache`] snapshot, so that a model's files share one folder.
#[cfg(feature = "hub")]
struct Download {
    cache: HubCache,
}

#[cfg(feature = "hub")]
impl HubSource for Download {
    fn get(&self, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        use rust_bert::resources::{RemoteResource, ResourceProvider};
        // The revision is the branch name: without an API call we do not learn its commit.
        let snapshot = self.cache.repo_dir(repo).join("snapshots/main");
        let url = format!("https://huggingface.co/{repo}/resolve/main/{file}");
        let blob =
            match RemoteResource::from_pretrained((format!("{repo}/{file}").as_str(), url.as_str())).get_local_path() {
                Ok(p) => p,
                // cached-path reports a missing file as "... status code 404"; it has no other way to say so.
                Err(e) if e.to_string().contains("status code 404") => return Ok(None),
                Err(e) => {
                    return Err(Error::model(
                        Path::new(repo),
                        format!("could not download `{file}` from the hub ({e}); offline? give a local folder instead"),
                    ))
                }
            };
        std::fs::create_dir_all(&snapshot).map_err(|e| Error::io(&snapshot, e))?;
        let refs = self.cache.repo_dir(repo).join("refs/main");
        if let Some(parent) = refs.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        std::fs::write(&refs, "main").map_err(|e| Error::io(&refs, e))?;
        let link = snapshot.join(file);
        if link.symlink_metadata().is_ok() {
            std::fs::remove_file(&link).map_err(|e| Error::io(&link, e))?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&blob, &link).map_err(|e| Error::io(&link, e))?;
        #[cfg(not(unix))]
        std::fs::copy(&blob, &link).map_err(|e| Error::io(&link, e))?;
        Ok(Some(link))
    }
}

#[cfg(feature = "hub")]
pub(crate) fn resolve_hub(model: &str) -> Result<ModelFiles> {
    if let Some(files) = resolve_cached(model) {
        return Ok(files);
    }
    let cache = HubCache::mixout()
        .ok_or_else(|| Error::model(Path::new(model), "no cache folder for hub downloads: set MIXOUT_HUB_CACHE"))?;
    resolve_hub_with(model, &Download { cache })
}

#[cfg(not(feature = "hub"))]
pub(crate) fn resolve_hub(model: &str) -> Result<ModelFiles> {
    resolve_cached(model).ok_or_else(|| {
        Error::model(
            Path::new(model),
            "no such folder, and no Hugging Face hub cache holds it. Give a local model folder (config.json, \
             vocab.txt, model.safetensors), or build with `cargo build --release --features hub` to download hub \
             ids such as `bert-large-uncased`",
        )
    })
}
