//! The Hugging Face hub: its cache, read offline in the layout that Python's
//! `huggingface_hub` (and so `transformers` and `datasets`) leaves, and downloads into that
//! same cache through the hub's own Rust client, `hf-hub`.
//!
//! What this module adds to `hf-hub`, and why:
//! - `HF_HUB_CACHE` and `HF_HUB_OFFLINE` are honoured as Python honours them (the crate reads
//!   only `HF_HOME` and `HF_ENDPOINT`).
//! - A cached file is used without any request, and a file the hub said it lacks is
//!   remembered under `.no_exist/<revision>/`, as Python does, so a second run asks nothing.
//! - Every download is verified against the hash that names its blob (the sha256 of an LFS
//!   file, the git blob sha1 of a small one); a mismatch, a 404, a 500 or a connection cut
//!   short leaves nothing in the cache, and its error names the repository, the file and the
//!   cache folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{DataError, Result};

/// The hub's default address; `HF_ENDPOINT` replaces it (a mirror, or a test server).
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";

/// What kind of hub repository a file lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    /// A model repository (`<org>/<name>`).
    Model,
    /// A dataset repository (`datasets/<org>/<name>` on the hub).
    Dataset,
}

impl RepoKind {
    /// `model` or `dataset`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            RepoKind::Model => "model",
            RepoKind::Dataset => "dataset",
        }
    }

    fn cache_prefix(self) -> &'static str {
        match self {
            RepoKind::Model => "models",
            RepoKind::Dataset => "datasets",
        }
    }
}

/// What the cache knows of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cached {
    /// The file, in the snapshot of the cached revision.
    File(PathBuf),
    /// The hub said the revision has no such file (recorded under `.no_exist/`).
    Absent,
    /// Not in the cache: only the hub can tell.
    Unknown,
}

/// A cache folder laid out as the Hugging Face hub client lays it out:
/// `<root>/<models|datasets>--<org>--<name>/refs/main` holds the revision,
/// `snapshots/<revision>/<file>` links into `blobs/<hash>`, and `.no_exist/<revision>/<file>`
/// marks a file the hub does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubCache {
    /// The cache folder (`HF_HUB_CACHE`).
    pub root: PathBuf,
}

fn env_path(key: &str) -> Option<PathBuf> {
    std::env::var_os(key).filter(|v| !v.is_empty()).map(PathBuf::from)
}

impl HubCache {
    /// The cache Python's `huggingface_hub` uses: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    /// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
    pub fn from_env() -> Option<HubCache> {
        let root = env_path("HF_HUB_CACHE")
            .or_else(|| env_path("HF_HOME").map(|h| h.join("hub")))
            .or_else(|| env_path("XDG_CACHE_HOME").map(|c| c.join("huggingface/hub")))
            .or_else(|| env_path("HOME").map(|h| h.join(".cache/huggingface/hub")))?;
        Some(HubCache { root })
    }

    /// `<root>/models--<org>--<name>` (or `datasets--...`).
    pub fn repo_dir(&self, kind: RepoKind, repo: &str) -> PathBuf {
        self.root.join(format!("{}--{}", kind.cache_prefix(), repo.replace('/', "--")))
    }

    /// The revision `refs/main` names, if the cache has the repository.
    pub fn revision(&self, kind: RepoKind, repo: &str) -> Result<Option<String>> {
        let refs = self.repo_dir(kind, repo).join("refs/main");
        let rev = match std::fs::read_to_string(&refs) {
            Ok(rev) => rev.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(cause) => return Err(DataError::Io { path: refs, cause }),
        };
        // A revision is a commit hash or a branch name: anything with a separator is not ours
        // to follow out of the cache.
        if rev.is_empty() || rev.contains(['/', '\\']) || rev == ".." {
            return Err(DataError::Malformed {
                path: refs,
                line: 1,
                expected: "a revision (a commit hash)".into(),
                found: format!("`{rev}`"),
            });
        }
        Ok(Some(rev))
    }

    /// The snapshot folder of the cached revision, if there is one.
    pub fn snapshot(&self, kind: RepoKind, repo: &str) -> Result<Option<PathBuf>> {
        let Some(rev) = self.revision(kind, repo)? else { return Ok(None) };
        let dir = self.repo_dir(kind, repo).join("snapshots").join(rev);
        Ok(dir.is_dir().then_some(dir))
    }

    /// What the cache knows of `file` (a path inside the repository, `/`-separated).
    pub fn lookup(&self, kind: RepoKind, repo: &str, file: &str) -> Result<Cached> {
        let Some(rev) = self.revision(kind, repo)? else { return Ok(Cached::Unknown) };
        let dir = self.repo_dir(kind, repo);
        let path = dir.join("snapshots").join(&rev).join(file);
        if path.is_file() {
            return Ok(Cached::File(path));
        }
        if dir.join(".no_exist").join(&rev).join(file).exists() {
            return Ok(Cached::Absent);
        }
        Ok(Cached::Unknown)
    }

    fn mark_absent(&self, kind: RepoKind, repo: &str, file: &str) {
        // Only a cache that already knows the revision can say what that revision lacks.
        if let Ok(Some(rev)) = self.revision(kind, repo) {
            let marker = self.repo_dir(kind, repo).join(".no_exist").join(rev).join(file);
            if let Some(parent) = marker.parent() {
                let _ = std::fs::create_dir_all(parent).and_then(|_| std::fs::write(&marker, b""));
            }
        }
    }

    /// Removes the partial downloads (`blobs/*.part`) that a failed transfer left.
    fn remove_partials(&self, kind: RepoKind, repo: &str) {
        let blobs = self.repo_dir(kind, repo).join("blobs");
        for entry in std::fs::read_dir(&blobs).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "part" || e == "lock") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Where a file would come from, for `mixout doctor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Already in the hub cache.
    Cached(PathBuf),
    /// The hub cache records that the repository has no such file.
    Absent,
    /// To be downloaded from this address.
    Download(String),
    /// Not cached, and `HF_HUB_OFFLINE` forbids the download.
    Offline,
}

/// The hub client: a cache, an endpoint, and whether the network may be used.
#[derive(Debug, Clone)]
pub struct Hub {
    /// The cache read first and downloaded into.
    pub cache: HubCache,
    /// `HF_ENDPOINT`, else [`DEFAULT_ENDPOINT`].
    pub endpoint: String,
    /// `HF_HUB_OFFLINE` is set (to 1, true, yes or on): never download.
    pub offline: bool,
}

impl Hub {
    /// The hub as the environment configures it, the way Python's `huggingface_hub` reads it.
    pub fn from_env() -> Result<Hub> {
        let cache = HubCache::from_env().ok_or(DataError::NoHubCache)?;
        let endpoint = std::env::var("HF_ENDPOINT")
            .ok()
            .filter(|e| !e.is_empty())
            .map(|e| e.trim_end_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let offline = std::env::var("HF_HUB_OFFLINE")
            .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"));
        Ok(Hub { cache, endpoint, offline })
    }

    /// The address a file is downloaded from.
    pub fn url(&self, kind: RepoKind, repo: &str, file: &str) -> String {
        let prefix = if kind == RepoKind::Dataset { "datasets/" } else { "" };
        format!("{}/{prefix}{repo}/resolve/main/{file}", self.endpoint)
    }

    /// Where `file` would come from, without any request.
    pub fn origin(&self, kind: RepoKind, repo: &str, file: &str) -> Origin {
        match self.cache.lookup(kind, repo, file) {
            Ok(Cached::File(p)) => Origin::Cached(p),
            Ok(Cached::Absent) => Origin::Absent,
            _ if self.offline => Origin::Offline,
            _ => Origin::Download(self.url(kind, repo, file)),
        }
    }

    fn error(&self, kind: RepoKind, repo: &str, file: &str, message: String) -> DataError {
        DataError::Hub { kind: kind.name(), repo: repo.to_string(), file: file.to_string(), message }
    }

    /// The local path of `file` of `repo`: from the cache, else downloaded once into it.
    /// `Ok(None)` when the hub says the repository has no such file (HTTP 404).
    pub fn get(&self, kind: RepoKind, repo: &str, file: &str) -> Result<Option<PathBuf>> {
        match self.cache.lookup(kind, repo, file)? {
            Cached::File(p) => return Ok(Some(p)),
            Cached::Absent => return Ok(None),
            Cached::Unknown => {}
        }
        if self.offline {
            return Err(self.error(
                kind,
                repo,
                file,
                format!(
                    "not in the hub cache {} and HF_HUB_OFFLINE is set. Download it once online (unset \
                     HF_HUB_OFFLINE), or give a local folder instead",
                    self.cache.root.display()
                ),
            ));
        }
        let api = hf_hub::api::sync::ApiBuilder::from_env()
            .with_cache_dir(self.cache.root.clone())
            .with_endpoint(self.endpoint.clone())
            .with_progress(std::io::stderr().is_terminal())
            .build()
            .map_err(|e| self.error(kind, repo, file, format!("cannot start the hub client: {e}")))?;
        let repo_type = match kind {
            RepoKind::Model => hf_hub::RepoType::Model,
            RepoKind::Dataset => hf_hub::RepoType::Dataset,
        };
        let handle = api.repo(hf_hub::Repo::with_revision(repo.to_string(), repo_type, "main".to_string()));
        let url = self.url(kind, repo, file);
        let where_ = format!("(cache {})", self.cache.root.display());
        match handle.download(file) {
            Ok(path) => {
                if let Err(message) = verify(&path) {
                    discard(&path);
                    return Err(self.error(kind, repo, file, format!("{message} from {url}; removed it {where_}")));
                }
                Ok(Some(path))
            }
            Err(e) => {
                self.cache.remove_partials(kind, repo);
                if status_of(&e) == Some(404) {
                    self.cache.mark_absent(kind, repo, file);
                    return Ok(None);
                }
                let hint = match status_of(&e) {
                    Some(401 | 403) => {
                        " (no such repository, or a private one: set HF_TOKEN, or give a local folder instead)"
                    }
                    Some(_) => " (the hub answered with an error; try again later, or give a local folder instead)",
                    None => " (offline? give a local folder instead, or set HF_ENDPOINT to a mirror)",
                };
                Err(self.error(kind, repo, file, format!("download from {url} failed: {e}{hint} {where_}")))
            }
        }
    }
}

fn status_of(e: &hf_hub::api::sync::ApiError) -> Option<u16> {
    match e {
        hf_hub::api::sync::ApiError::RequestError(inner) => match inner.as_ref() {
            ureq::Error::Status(code, _) => Some(*code),
            ureq::Error::Transport(_) => None,
        },
        hf_hub::api::sync::ApiError::TooManyRetries(inner) => status_of(inner),
        _ => None,
    }
}

/// Removes a snapshot link and the blob it points to.
fn discard(pointer: &Path) {
    if let Ok(blob) = std::fs::canonicalize(pointer) {
        let _ = std::fs::remove_file(blob);
    }
    let _ = std::fs::remove_file(pointer);
}

/// Checks a downloaded file against the hash that names its blob: the hub names an LFS
/// file's blob by its sha256 and a small file's by its git blob sha1 (`blob <len>\0<bytes>`).
fn verify(pointer: &Path) -> std::result::Result<(), String> {
    use sha1::Digest as _;
    let blob = std::fs::canonicalize(pointer).map_err(|e| format!("the downloaded file is missing ({e})"))?;
    let name = blob.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let mut file = std::fs::File::open(&blob).map_err(|e| format!("cannot read the download ({e})"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let is_hex = |n: usize| name.len() == n && name.bytes().all(|b| b.is_ascii_hexdigit());
    let digest = if is_hex(64) {
        let mut h = sha2::Sha256::new();
        std::io::copy(&mut file, &mut h).map_err(|e| format!("cannot read the download ({e})"))?;
        hex(&h.finalize())
    } else if is_hex(40) {
        let mut h = sha1::Sha1::new();
        h.update(format!("blob {len}\0").as_bytes());
        std::io::copy(&mut file, &mut h).map_err(|e| format!("cannot read the download ({e})"))?;
        hex(&h.finalize())
    } else {
        // A server that names blobs otherwise gives nothing to check against.
        return Ok(());
    };
    if digest == name {
        Ok(())
    } else {
        Err(format!("damaged download: {len} bytes whose hash {digest} is not the hub's {name}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(cache: &Path, kind: RepoKind, repo: &str, rev: &str, files: &[(&str, &[u8])]) -> PathBuf {
        let c = HubCache { root: cache.to_path_buf() };
        let dir = c.repo_dir(kind, repo);
        std::fs::create_dir_all(dir.join("refs")).unwrap();
        std::fs::write(dir.join("refs/main"), rev).unwrap();
        let snap = dir.join("snapshots").join(rev);
        for (name, bytes) in files {
            let p = snap.join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        snap
    }

    #[test]
    fn lookup_follows_refs_and_no_exist_markers() {
        let tmp = tempfile::tempdir().unwrap();
        let snap = put(tmp.path(), RepoKind::Dataset, "nyu-mll/glue", "abc", &[("rte/train.parquet", b"x")]);
        let c = HubCache { root: tmp.path().to_path_buf() };
        assert_eq!(c.repo_dir(RepoKind::Dataset, "nyu-mll/glue"), tmp.path().join("datasets--nyu-mll--glue"));
        assert_eq!(c.repo_dir(RepoKind::Model, "a/b"), tmp.path().join("models--a--b"));
        assert_eq!(
            c.lookup(RepoKind::Dataset, "nyu-mll/glue", "rte/train.parquet").unwrap(),
            Cached::File(snap.join("rte/train.parquet"))
        );
        assert_eq!(c.lookup(RepoKind::Dataset, "nyu-mll/glue", "rte/dev.parquet").unwrap(), Cached::Unknown);
        c.mark_absent(RepoKind::Dataset, "nyu-mll/glue", "rte/dev.parquet");
        assert_eq!(c.lookup(RepoKind::Dataset, "nyu-mll/glue", "rte/dev.parquet").unwrap(), Cached::Absent);
        // The model of the same name is another repository.
        assert_eq!(c.lookup(RepoKind::Model, "nyu-mll/glue", "rte/train.parquet").unwrap(), Cached::Unknown);
    }

    #[test]
    fn a_revision_with_a_separator_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        put(tmp.path(), RepoKind::Model, "a/b", "../../etc", &[]);
        let c = HubCache { root: tmp.path().to_path_buf() };
        let err = c.lookup(RepoKind::Model, "a/b", "config.json").unwrap_err().to_string();
        assert!(err.contains("refs/main") && err.contains("a revision"), "{err}");
    }

    #[test]
    fn downloads_are_checked_against_the_hash_that_names_their_blob() {
        let tmp = tempfile::tempdir().unwrap();
        // sha256("hello\n") and the git blob sha1 of "hello\n" (`git hash-object`).
        let sha256 = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
        let git_sha1 = "ce013625030ba8dba906f756967f9e9ca394464a";
        for name in [sha256, git_sha1, "not-a-hash"] {
            std::fs::write(tmp.path().join(name), b"hello\n").unwrap();
            assert_eq!(verify(&tmp.path().join(name)), Ok(()), "{name}");
        }
        std::fs::write(tmp.path().join(sha256), b"hell").unwrap();
        let err = verify(&tmp.path().join(sha256)).unwrap_err();
        assert!(err.contains("damaged download: 4 bytes"), "{err}");
        std::fs::write(tmp.path().join(git_sha1), b"hello!\n").unwrap();
        assert!(verify(&tmp.path().join(git_sha1)).is_err());
    }

    #[test]
    fn urls_follow_the_hub_layout() {
        let hub = Hub {
            cache: HubCache { root: PathBuf::from("/c") },
            endpoint: "http://127.0.0.1:9".into(),
            offline: false,
        };
        assert_eq!(
            hub.url(RepoKind::Dataset, "nyu-mll/glue", "rte/train-00000-of-00001.parquet"),
            "http://127.0.0.1:9/datasets/nyu-mll/glue/resolve/main/rte/train-00000-of-00001.parquet"
        );
        assert_eq!(hub.url(RepoKind::Model, "o/m", "config.json"), "http://127.0.0.1:9/o/m/resolve/main/config.json");
        assert_eq!(
            hub.origin(RepoKind::Model, "o/m", "config.json"),
            Origin::Download(hub.url(RepoKind::Model, "o/m", "config.json"))
        );
        let offline = Hub { offline: true, ..hub };
        assert_eq!(offline.origin(RepoKind::Model, "o/m", "config.json"), Origin::Offline);
        let err = offline.get(RepoKind::Model, "o/m", "config.json").unwrap_err().to_string();
        assert!(
            err.contains("o/m") && err.contains("config.json") && err.contains("/c") && err.contains("local folder"),
            "{err}"
        );
    }
}
