//! The Hugging Face hub, offline and for real: `scripts/fake-hub.py` serves the shipped L3
//! model and parquet files written from the shipped RTE TSVs (`scripts/glue-to-parquet.py`)
//! at the hub's addresses, `HF_ENDPOINT` points at it and `MIXOUT_SHARED` at an empty folder.
//! `mixout run` must leave the files in the hub cache layout, ask nothing on a second run, and
//! score bit for bit as on the TSVs and the model folder; a hub that answers 404 or 500, or
//! cuts a file short, gives a clear error and leaves nothing partial in the cache.

mod common;

use mixout_report::read_results_dir;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

const L3: &str = "sentence-transformers/paraphrase-MiniLM-L3-v2";
/// The revision fake-hub.py names in X-Repo-Commit.
const COMMIT: &str = "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed";

/// A folder laid out for fake-hub.py: the shipped L3 model and RTE as the hub keeps them.
fn hub_root(dir: &Path) -> PathBuf {
    let root = dir.join("hub-root");
    let model = root.join("models").join(L3);
    std::fs::create_dir_all(&model).unwrap();
    for f in std::fs::read_dir(common::l3()).unwrap() {
        let f = f.unwrap().path();
        std::os::unix::fs::symlink(&f, model.join(f.file_name().unwrap())).unwrap();
    }
    let glue = root.join("datasets/nyu-mll/glue");
    let out = Command::new(common::venv_python())
        .arg(common::scripts().join("glue-to-parquet.py"))
        .arg(common::glue())
        .arg(&glue)
        .arg("RTE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    root
}

/// fake-hub.py on a free port; killed when dropped.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Server {
    fn start(root: &Path, log: &Path, fail: &[&str]) -> Server {
        let mut child = Command::new(common::venv_python())
            .arg(common::scripts().join("fake-hub.py"))
            .arg("--root")
            .arg(root)
            .arg("--log")
            .arg(log)
            .args(fail)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut port = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut port).unwrap();
        Server { child, url: format!("http://127.0.0.1:{}", port.trim()), log: log.to_path_buf() }
    }

    fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log).unwrap_or_default().lines().map(String::from).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The mixout binary with the hub at `endpoint`, its cache at `cache`, and no shared folder.
fn mixout_hub(endpoint: &str, cache: &Path, empty_shared: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mixout"));
    c.env("MIXOUT_SHARED", empty_shared)
        .env("HF_ENDPOINT", endpoint)
        .env("HF_HUB_CACHE", cache)
        .env_remove("HF_HOME")
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("MIXOUT_GLUE_DIR")
        .env("NO_COLOR", "1");
    c
}

const STUDY: &str = "name: hub\ntask: RTE\nmodel: paraphrase-MiniLM-L3-v2\ntrain_subset: 32\nbatch_size: 16\n\
    max_seq_len: 64\nepochs: 1\nrestarts: 2\ndevice: cpu\nthreads: 1\nsettings:\n  - {label: dropout}\n  - {label: mixout, mixout: {p: 0.9}}\n";

/// A run's setting, seed, headline score and every dev metric.
type Scores = (String, u64, Option<f64>, Vec<(String, f64)>);

fn scores(results: &Path) -> Vec<Scores> {
    let runs = read_results_dir(&results.join("hub")).unwrap();
    let mut v: Vec<_> = runs
        .into_iter()
        .map(|r| (r.setting.clone(), r.seed, r.score, r.final_dev.clone().into_iter().collect::<Vec<_>>()))
        .collect();
    v.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    v
}

#[test]
fn a_study_without_shared_runs_from_the_hub_and_scores_as_on_the_shipped_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = hub_root(tmp.path());
    let (cache, empty) = (tmp.path().join("hf-cache"), tmp.path().join("empty-shared"));
    std::fs::create_dir_all(&empty).unwrap();
    let yaml = tmp.path().join("hub.yaml");
    std::fs::write(&yaml, STUDY).unwrap();
    let server = Server::start(&root, &tmp.path().join("requests.log"), &[]);

    let run = |results: &str| {
        let out = mixout_hub(&server.url, &cache, &empty)
            .arg("run")
            .arg(&yaml)
            .arg("--results")
            .arg(tmp.path().join(results))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run("first");
    let asked = server.requests();
    for file in ["config.json", "vocab.txt", "model.safetensors"] {
        assert!(
            asked.iter().any(|r| r.contains(&format!("/{L3}/resolve/main/{file}"))),
            "{file} never asked: {asked:?}"
        );
    }
    for split in ["train", "validation"] {
        let want = format!("/datasets/nyu-mll/glue/resolve/main/rte/{split}-00000-of-00001.parquet");
        assert!(asked.iter().any(|r| r.contains(&want)), "{want} never asked: {asked:?}");
    }

    // The hub cache layout Python's huggingface_hub shares: refs, snapshots linking into blobs.
    let model = cache.join("models--sentence-transformers--paraphrase-MiniLM-L3-v2");
    assert_eq!(std::fs::read_to_string(model.join("refs/main")).unwrap().trim(), COMMIT);
    let weights = model.join("snapshots").join(COMMIT).join("model.safetensors");
    assert!(weights.symlink_metadata().unwrap().file_type().is_symlink(), "{}", weights.display());
    let blob = std::fs::canonicalize(&weights).unwrap();
    assert_eq!(blob.parent().unwrap(), std::fs::canonicalize(model.join("blobs")).unwrap());
    assert_eq!(std::fs::read(&blob).unwrap(), std::fs::read(common::l3().join("model.safetensors")).unwrap());
    let glue = cache.join("datasets--nyu-mll--glue/snapshots").join(COMMIT).join("rte");
    for split in ["train", "validation"] {
        assert!(glue.join(format!("{split}-00000-of-00001.parquet")).is_file());
    }

    // A second study on the same cache asks the hub nothing.
    run("second");
    assert_eq!(server.requests().len(), asked.len(), "new requests: {:?}", &server.requests()[asked.len()..]);
    // Even with the hub gone, and offline declared.
    drop(server);
    let out = mixout_hub("http://127.0.0.1:9", &cache, &empty)
        .env("HF_HUB_OFFLINE", "1")
        .arg("run")
        .arg(&yaml)
        .arg("--results")
        .arg(tmp.path().join("third"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The same study on the shipped TSVs and model folder: the same scores, bit for bit.
    let out = Command::new(env!("CARGO_BIN_EXE_mixout"))
        .env("MIXOUT_SHARED", common::shared())
        .env("HF_HUB_CACHE", tmp.path().join("unused-cache"))
        .env("HF_ENDPOINT", "http://127.0.0.1:9")
        .arg("run")
        .arg(&yaml)
        .arg("--results")
        .arg(tmp.path().join("local"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (hub, local) = (scores(&tmp.path().join("first")), scores(&tmp.path().join("local")));
    assert_eq!(hub.len(), 4);
    assert!(hub.iter().all(|r| r.2.is_some()), "{hub:?}");
    assert_eq!(hub, local);
    assert_eq!(scores(&tmp.path().join("second")), local);
    assert_eq!(scores(&tmp.path().join("third")), local);
    assert!(!tmp.path().join("unused-cache").exists(), "the shipped files need no hub cache");
}

/// Every file under `dir` (links included), relative.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.symlink_metadata().unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_failing_hub_gives_a_clear_error_and_leaves_nothing_partial() {
    let tmp = tempfile::tempdir().unwrap();
    let root = hub_root(tmp.path());
    let empty = tmp.path().join("empty-shared");
    std::fs::create_dir_all(&empty).unwrap();
    let yaml = tmp.path().join("hub.yaml");
    std::fs::write(&yaml, STUDY).unwrap();
    for (fail, want) in [
        ("404", "the hub repository has neither `model.safetensors`"),
        ("500", "500"),
        ("truncate", "model.safetensors"),
    ] {
        let cache = tmp.path().join(format!("cache-{fail}"));
        let server = Server::start(
            &root,
            &tmp.path().join(format!("{fail}.log")),
            &["--fail", fail, "--fail-match", "model.safetensors"],
        );
        let results = tmp.path().join(format!("results-{fail}"));
        let out = mixout_hub(&server.url, &cache, &empty)
            .arg("run")
            .arg(&yaml)
            .arg("--results")
            .arg(&results)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{fail}: the study ran");
        assert!(err.contains(want) && err.contains(L3), "{fail}: {err}");
        if fail != "404" {
            assert!(err.contains(&cache.display().to_string()), "{fail}: the cache is not named: {err}");
        }
        let files = files_under(&cache);
        assert!(files.iter().any(|f| f.ends_with("snapshots/f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed/config.json")));
        assert!(
            !files.iter().any(|f| f.ends_with(".part") || f.contains("snapshots/") && f.ends_with("model.safetensors")),
            "{fail}: partial files left: {files:?}"
        );
        // The weights' blob (the model's only one named by a sha256) never landed.
        let model_blobs: Vec<_> = files
            .iter()
            .filter(|f| f.starts_with("models--") && f.contains("/blobs/") && !f.ends_with(".lock"))
            .collect();
        assert!(model_blobs.iter().all(|b| b.rsplit('/').next().unwrap().len() == 40), "{fail}: {model_blobs:?}");
    }
}

#[test]
fn offline_and_not_cached_names_the_repository_the_file_and_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty-shared");
    std::fs::create_dir_all(&empty).unwrap();
    let yaml = tmp.path().join("hub.yaml");
    std::fs::write(&yaml, STUDY).unwrap();
    let cache = tmp.path().join("cache");
    let out = mixout_hub("http://127.0.0.1:9", &cache, &empty)
        .env("HF_HUB_OFFLINE", "1")
        .arg("run")
        .arg(&yaml)
        .arg("--results")
        .arg(tmp.path().join("results"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    for want in [L3, "config.json", &cache.display().to_string(), "HF_HUB_OFFLINE", "local folder"] {
        assert!(err.contains(want), "missing `{want}`: {err}");
    }
    // doctor says, without a request, where each asset would come from.
    let out = mixout_hub("http://127.0.0.1:9", &cache, &empty).arg("doctor").arg(&yaml).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("model paraphrase-MiniLM-L3-v2: download from http://127.0.0.1:9 (model {L3})")),
        "{text}"
    );
    assert!(text.contains("task RTE: download from http://127.0.0.1:9 (dataset nyu-mll/glue (rte))"), "{text}");
    assert!(text.contains("browser "), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_mixout"))
        .env("MIXOUT_SHARED", common::shared())
        .arg("doctor")
        .arg(&yaml)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("model paraphrase-MiniLM-L3-v2: local folder"), "{text}");
    assert!(text.contains("task RTE: local folder"), "{text}");
}
