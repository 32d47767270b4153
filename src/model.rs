//! Loading a pretrained BERT-architecture encoder and putting a classification head on it.
//!
//! The encoder is rust-bert's `BertModel` under the variable prefix `bert`; the head is a
//! dropout plus a linear layer named `classifier`, so the variable names are exactly
//! those of Hugging Face's (and rust-bert's) `BertForSequenceClassification`. We own the
//! head (instead of using rust-bert's `BertForSequenceClassification`) because its dropout
//! is tied to the encoder's `hidden_dropout_prob`, and the paper's ablations need the
//! head's regulariser to be chosen on its own.

use crate::error::{Error, Result};
use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use tch::{nn, Kind, Tensor};

/// Variable-name prefixes that may be absent from a pretrained checkpoint: the new head,
/// and the pooler (sentence-encoder checkpoints such as the L3 MiniLM ship none).
pub const NEW_LAYER_PREFIXES: [&str; 3] = ["classifier.", "pre_classifier.", "bert.pooler."];

/// The files of a model folder.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ModelFiles {
    /// The folder (or hub cache folder) holding the files.
    pub dir: PathBuf,
    /// `config.json` (Hugging Face layout).
    pub config: PathBuf,
    /// `vocab.txt` (WordPiece vocabulary), or RoBERTa's `vocab.json` (with `merges.txt` beside it).
    pub vocab: PathBuf,
    /// `model.safetensors` (or `rust_model.ot` for rust-bert hub models).
    pub weights: PathBuf,
    /// config.json, parsed once when the folder is resolved.
    pub config_json: serde_json::Value,
    /// The architecture config.json names.
    pub arch: crate::arch::Arch,
}

impl ModelFiles {
    /// The files of a model folder with its config.json read and parsed (the only read of
    /// it: everything after resolution takes the parsed value).
    pub fn new(dir: PathBuf, config: PathBuf, vocab: PathBuf, weights: PathBuf) -> Result<Self> {
        let config_json = crate::arch::read_json(&config)?;
        let arch = crate::arch::Arch::from_config(&config_json, &config)?;
        Ok(ModelFiles { dir, config, vocab, weights, config_json, arch })
    }

    /// Resolves a model given as a local folder, or a Hugging Face hub id such as
    /// `bert-large-uncased`: from the hub client's cache when it is there, else (with the
    /// `hub` feature) downloaded once into [`HubCache::mixout`]; see [`resolve_hub_with`].
    pub fn resolve(model: &str) -> Result<Self> {
        let dir = PathBuf::from(model);
        if dir.is_dir() {
            return Self::from_dir(&dir);
        }
        resolve_hub(model)
    }

    /// The files of a local model folder; every one must exist.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let need = |name: &str| -> Result<PathBuf> {
            let p = dir.join(name);
            if p.is_file() {
                Ok(p)
            } else {
                Err(Error::model(
                    dir,
                    format!("missing `{name}` (a model folder needs config.json, vocab.txt and model.safetensors)"),
                ))
            }
        };
        let weights = ["model.safetensors", "rust_model.ot"]
            .iter()
            .map(|n| dir.join(n))
            .find(|p| p.is_file())
            .ok_or_else(|| Error::model(dir, "missing `model.safetensors` (or rust-bert's `rust_model.ot`)"))?;
        let vocab = if !dir.join("vocab.txt").is_file() && dir.join("vocab.json").is_file() {
            need("merges.txt")?;
            dir.join("vocab.json")
        } else {
            need("vocab.txt")?
        };
        ModelFiles::new(dir.to_path_buf(), need("config.json")?, vocab, weights)
    }
}

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
/// `tokenizer.json`); the vocabulary the architecture reads (`vocab.txt`, or RoBERTa's
/// `vocab.json` + `merges.txt`); and the weights (`model.safetensors`, else rust-bert's
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
fn resolve_hub(model: &str) -> Result<ModelFiles> {
    if let Some(files) = resolve_cached(model) {
        return Ok(files);
    }
    let cache = HubCache::mixout()
        .ok_or_else(|| Error::model(Path::new(model), "no cache folder for hub downloads: set MIXOUT_HUB_CACHE"))?;
    resolve_hub_with(model, &Download { cache })
}

#[cfg(not(feature = "hub"))]
fn resolve_hub(model: &str) -> Result<ModelFiles> {
    resolve_cached(model).ok_or_else(|| {
        Error::model(
            Path::new(model),
            "no such folder, and no Hugging Face hub cache holds it. Give a local model folder (config.json, \
             vocab.txt, model.safetensors), or build with `cargo build --release --features hub` to download hub \
             ids such as `bert-large-uncased`",
        )
    })
}

/// Reads `config.json` into rust-bert's `BertConfig` (for RoBERTa, DistilBERT and ELECTRA:
/// their sizes and dropout in BERT's terms), with the label map set for `num_labels`
/// outputs (rust-bert 0.23 takes the label count from `id2label`).
pub fn read_config(files: &ModelFiles, labels: &[String]) -> Result<BertConfig> {
    let mut json = files.config_json.clone();
    let arch = files.arch;
    // Fields rust-bert does not know would be ignored anyway; the label maps we set ourselves.
    if let Some(obj) = json.as_object_mut() {
        obj.remove("id2label");
        obj.remove("label2id");
    }
    let mut config: BertConfig = crate::arch::bert_shape(&json, arch, &files.config)?;
    let names: Vec<String> = if labels.is_empty() { vec!["score".into()] } else { labels.to_vec() };
    config.id2label = Some(names.iter().enumerate().map(|(i, l)| (i as i64, l.clone())).collect());
    config.label2id = Some(names.iter().enumerate().map(|(i, l)| (l.clone(), i as i64)).collect());
    Ok(config)
}

/// Dropout probabilities applied inside the model during training.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DropoutSpec {
    /// Dropout on hidden states of the encoder (embeddings, attention output, FFN output).
    pub hidden: f64,
    /// Dropout on attention probabilities.
    pub attention: f64,
    /// Dropout on the pooled output before the classifier.
    pub head: f64,
}

pub use mixout_spec::EncoderImpl;

enum Encoder {
    RustBert(BertModel<BertEmbeddings>),
    Fused(crate::bert::FusedBert),
    /// RoBERTa, DistilBERT or ELECTRA with its own head.
    Other(crate::arch::ArchClassifier),
}

/// A BERT encoder with a sequence-classification (or regression) head.
pub struct SequenceClassifier {
    bert: Encoder,
    /// BERT's head (the other architectures carry their own).
    classifier: Option<nn::Linear>,
    head_dropout: f64,
    /// Number of outputs: label count, or 1 for regression.
    pub num_labels: i64,
}

/// Input tensors of one batch, already on the model's device.
pub struct BatchTensors {
    /// Token ids, `[batch, seq]`, int64.
    pub input_ids: Tensor,
    /// Segment ids, `[batch, seq]`, int64.
    pub token_type_ids: Tensor,
    /// 1 for real tokens, 0 for padding, `[batch, seq]`, int64 (rust-bert needs an integer mask).
    pub attention_mask: Tensor,
}

impl SequenceClassifier {
    /// Builds the model's variables under `root` (uninitialised values; see [`load_pretrained`]).
    pub fn new(root: &nn::Path, config: &BertConfig, dropout: DropoutSpec, encoder: EncoderImpl) -> Result<Self> {
        let mut config = config.clone();
        config.hidden_dropout_prob = dropout.hidden;
        config.attention_probs_dropout_prob = dropout.attention;
        let num_labels = config.id2label.as_ref().map(|m| m.len() as i64).unwrap_or(0);
        if num_labels < 1 {
            return Err(Error::Invalid("a classifier needs at least one output".into()));
        }
        let bert = match encoder {
            EncoderImpl::RustBert => Encoder::RustBert(BertModel::<BertEmbeddings>::new(root / "bert", &config)),
            EncoderImpl::Fused => Encoder::Fused(crate::bert::FusedBert::new(root / "bert", &config)),
        };
        let classifier = nn::linear(root / "classifier", config.hidden_size, num_labels, Default::default());
        Ok(SequenceClassifier { bert, classifier: Some(classifier), head_dropout: dropout.head, num_labels })
    }

    /// Chooses the kind of the encoder's matmuls and attention: fp32 and tf32 compute in fp32
    /// (TF32 is a global libtorch switch), bf16 in bf16 with fp32 weights, norms, head and loss.
    pub fn set_precision(&mut self, precision: crate::config::Precision) -> Result<()> {
        use crate::config::Precision;
        match (&mut self.bert, precision) {
            (Encoder::Fused(bert), Precision::Bf16) => bert.compute = Kind::BFloat16,
            (Encoder::Fused(bert), _) => bert.compute = Kind::Float,
            (Encoder::RustBert(_), Precision::Bf16) => {
                return Err(Error::Invalid("precision bf16 needs `encoder: fused` (rust-bert's encoder has no mixed-precision path)".into()))
            }
            (Encoder::Other(_), Precision::Bf16) => {
                return Err(Error::Invalid("precision bf16 is implemented for BERT checkpoints (our fused encoder); use fp32 or tf32 for RoBERTa, DistilBERT and ELECTRA".into()))
            }
            (Encoder::RustBert(_), _) | (Encoder::Other(_), _) => {}
        }
        Ok(())
    }

    /// Builds the classifier a model folder calls for: BERT (with `encoder`'s implementation)
    /// or the architecture config.json names, with its own Hugging Face head.
    pub fn build(
        root: &nn::Path,
        files: &ModelFiles,
        config: &BertConfig,
        dropout: DropoutSpec,
        encoder: EncoderImpl,
    ) -> Result<Self> {
        let json = &files.config_json;
        let arch = files.arch;
        if arch == crate::arch::Arch::Bert {
            return Self::new(root, config, dropout, encoder);
        }
        let num_labels = config.id2label.as_ref().map(|m| m.len() as i64).unwrap_or(0);
        let other = crate::arch::ArchClassifier::new(root, arch, json, &files.config, dropout, num_labels)?;
        Ok(SequenceClassifier { bert: Encoder::Other(other), classifier: None, head_dropout: dropout.head, num_labels })
    }

    /// Logits `[batch, num_labels]`; `train` switches dropout on.
    pub fn forward_t(&self, batch: &BatchTensors, train: bool) -> Result<Tensor> {
        let pooled = match &self.bert {
            Encoder::Fused(bert) => {
                bert.forward_t(&batch.input_ids, &batch.token_type_ids, &batch.attention_mask, train)
            }
            Encoder::RustBert(bert) => bert
                .forward_t(
                    Some(&batch.input_ids),
                    Some(&batch.attention_mask),
                    Some(&batch.token_type_ids),
                    None,
                    None,
                    None,
                    None,
                    train,
                )?
                .pooled_output
                .ok_or_else(|| Error::Invalid("BERT model built without a pooler".into()))?,
            Encoder::Other(m) => {
                return m.forward_t(&batch.input_ids, &batch.token_type_ids, &batch.attention_mask, train)
            }
        };
        let classifier =
            self.classifier.as_ref().ok_or_else(|| Error::Invalid("BERT classifier without its head".into()))?;
        Ok(pooled.dropout(self.head_dropout, train).apply(classifier))
    }
}

/// What loading a checkpoint found.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Model variables absent from the checkpoint (initialised fresh).
    pub missing: Vec<String>,
    /// Checkpoint tensors the model has no variable for (e.g. an MLM head).
    pub unused: Vec<String>,
    /// Variables loaded from the checkpoint.
    pub loaded: usize,
}

/// Maps a checkpoint tensor name onto our variable names: encoder checkpoints saved from
/// `BertModel` (`RobertaModel`, …) carry no `bert.` (`roberta.`, …) prefix; those from
/// `*For*` models do, and their heads (`classifier.*`, `pre_classifier.*`) none.
fn variable_name(name: &str, prefix: &str) -> String {
    if name.starts_with(&format!("{prefix}.")) || name.starts_with("classifier.") || name.starts_with("pre_classifier.")
    {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Copies a checkpoint into the VarStore, checks that only the new head and the pooler are
/// missing (anything else is an error naming the variables), and initialises the missing
/// layers as BERT does: N(0, initializer_range²) weights, zero biases, drawn from tch's RNG
/// (seed it first so the head follows the run's seed).
pub fn load_pretrained(vs: &nn::VarStore, files: &ModelFiles, initializer_range: f64) -> Result<LoadReport> {
    let tensors = if files.weights.extension().is_some_and(|e| e == "ot") {
        Tensor::load_multi(&files.weights)?
    } else {
        Tensor::read_safetensors(&files.weights)?
    };
    let prefix = files.arch.prefix();
    let mut vars = vs.variables();
    let mut report = LoadReport::default();
    let mut seen = BTreeSet::new();
    tch::no_grad(|| -> Result<()> {
        for (name, value) in &tensors {
            let key = variable_name(name, prefix);
            match vars.get_mut(&key) {
                Some(var) => {
                    if var.size() != value.size() {
                        return Err(Error::model(&files.weights, format!("`{name}` has shape {:?}, the model expects {:?} for `{key}` (does config.json belong to these weights?)", value.size(), var.size())));
                    }
                    var.f_copy_(&value.to_kind(var.kind()).to_device(var.device()))?;
                    seen.insert(key);
                    report.loaded += 1;
                }
                None => report.unused.push(name.clone()),
            }
        }
        Ok(())
    })?;
    let mut missing: Vec<String> = vars.keys().filter(|k| !seen.contains(*k)).cloned().collect();
    missing.sort();
    let unexpected: Vec<&String> =
        missing.iter().filter(|k| !NEW_LAYER_PREFIXES.iter().any(|p| k.starts_with(p))).collect();
    if !unexpected.is_empty() {
        return Err(Error::model(
            &files.weights,
            format!(
                "{} pretrained variable(s) missing from the checkpoint: {} (only the new head `classifier.*`/`pre_classifier.*` and BERT's pooler may be missing; do config.json and the weights belong together?)",
                unexpected.len(),
                unexpected.iter().take(8).map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    init_new_layers(&mut vars, &missing, initializer_range);
    report.missing = missing;
    report.unused.sort();
    Ok(report)
}

/// N(0, range²) for weights and zeros for biases of the freshly created layers, as Hugging
/// Face's `_init_weights` does (tch's default would be Kaiming-uniform).
fn init_new_layers(vars: &mut HashMap<String, Tensor>, names: &[String], range: f64) {
    tch::no_grad(|| {
        for name in names {
            if let Some(var) = vars.get_mut(name) {
                if name.ends_with(".bias") {
                    let _ = var.zero_();
                } else {
                    let _ = var.normal_(0.0, range);
                }
            }
        }
    });
}

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

/// Number of scalar parameters in a VarStore.
pub fn parameter_count(vs: &nn::VarStore) -> i64 {
    vs.variables().values().map(|t| t.numel() as i64).sum()
}

/// Size in bytes of a tensor's elements.
pub fn tensor_bytes(t: &Tensor) -> u64 {
    let per = match t.kind() {
        Kind::Double | Kind::Int64 => 8,
        Kind::Half | Kind::BFloat16 | Kind::Int16 => 2,
        Kind::Int8 | Kind::Uint8 | Kind::Bool => 1,
        _ => 4,
    };
    t.numel() as u64 * per
}
