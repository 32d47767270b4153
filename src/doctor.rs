//! `mixout doctor`: one screen saying what this binary will train on and why, with a
//! concrete next step for every problem found. It exits non-zero when `device: cuda` would
//! fail, so a job script can run it first.

use crate::device::{available_cores, nvidia_driver, DriverInfo};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// tch crate version this binary is built with.
pub const TCH_VERSION: &str = "0.24.0";
/// libtorch version tch 0.24 binds (checked by torch-sys at build time).
pub const LIBTORCH_VERSION: &str = "2.11.0";

/// The libtorch this process actually loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct Libtorch {
    /// Folder of `libtorch_cpu.so` as mapped into this process (the build's folder if unknown).
    pub lib_dir: PathBuf,
    /// Version with its build tag, e.g. `2.11.0+cu130`, from `version.py` or `build-version`.
    pub version: String,
    /// CUDA version the build targets, e.g. `13.0`; None for a CPU build.
    pub cuda: Option<String>,
    /// Whether the folder holds `libtorch_cuda.so` (a CUDA build).
    pub cuda_build: bool,
    /// Whether `libtorch_cuda.so` is loaded into this process (linked by the binary).
    pub cuda_linked: bool,
}

/// Shared objects mapped into this process (from `/proc/self/maps`; empty elsewhere).
fn mapped_libraries() -> Vec<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let mut libs: Vec<PathBuf> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.contains(".so"))
        .map(PathBuf::from)
        .collect();
    libs.sort();
    libs.dedup();
    libs
}

/// Reads `__version__` and `cuda` from torch's `version.py` (a pip install), else the first
/// line of `build-version` (a standalone libtorch archive).
fn read_version(lib_dir: &Path) -> (String, Option<String>) {
    let root = lib_dir.parent().unwrap_or(lib_dir);
    if let Ok(text) = std::fs::read_to_string(root.join("version.py")) {
        let field = |key: &str| {
            text.lines().find_map(|l| {
                // `cuda: Optional[str] = '13.0'`: skip an optional type annotation.
                let rest = l.strip_prefix(key)?;
                if !rest.starts_with([' ', ':', '=']) {
                    return None;
                }
                let rest = rest.split_once('=')?.1.trim();
                let v = rest.trim_matches(|c| c == '\'' || c == '"');
                (rest != "None" && !v.is_empty()).then(|| v.to_string())
            })
        };
        if let Some(v) = field("__version__") {
            return (v, field("cuda"));
        }
    }
    if let Ok(text) = std::fs::read_to_string(root.join("build-version")) {
        let v = text.lines().next().unwrap_or_default().trim().to_string();
        let cuda = v.split_once("+cu").map(|(_, c)| match c.len() {
            3 => format!("{}.{}", &c[..2], &c[2..]),
            _ => c.to_string(),
        });
        return (v, cuda);
    }
    (format!("{LIBTORCH_VERSION} (version file not found)"), None)
}

/// Finds and describes the libtorch in use.
pub fn libtorch() -> Libtorch {
    let libs = mapped_libraries();
    let loaded =
        |name: &str| libs.iter().find(|p| p.file_name().is_some_and(|f| f.to_string_lossy().starts_with(name)));
    let lib_dir = loaded("libtorch_cpu.so")
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .or_else(|| option_env!("MIXOUT_LIBTORCH_LIB").map(PathBuf::from))
        .unwrap_or_default();
    let (version, cuda) = read_version(&lib_dir);
    Libtorch {
        cuda_build: lib_dir.join("libtorch_cuda.so").exists(),
        cuda_linked: loaded("libtorch_cuda.so").is_some(),
        lib_dir,
        version,
        cuda,
    }
}

/// Parses `13.0` or `12.8` into (major, minor).
fn parse_cuda(v: &str) -> Option<(i32, i32)> {
    let (a, b) = v.split_once('.')?;
    Some((a.parse().ok()?, b.split('.').next()?.parse().ok()?))
}

/// Everything `doctor` found, and the verdict.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    /// The screen to print.
    pub text: String,
    /// Whether `device: cuda` would work.
    pub cuda_ok: bool,
}

/// Gathers the facts and renders the screen; `study`, when given, adds where each of its
/// assets would come from.
pub fn diagnose_study(study: Option<&Path>) -> Diagnosis {
    let mut d = diagnose();
    let mut extra = String::new();
    let _ = writeln!(extra, "browser    {}", browser_line());
    if let Some(path) = study {
        let _ = writeln!(extra, "study      {}", path.display());
        match mixout_spec::Experiment::load(path) {
            Ok(exp) => {
                let mut seen = std::collections::BTreeSet::new();
                for s in &exp.settings {
                    if seen.insert(format!("model {}", s.model)) {
                        let origin = crate::assets::describe_model(&s.model, Some(path));
                        let _ = writeln!(extra, "  model {}: {origin}", s.model);
                    }
                    if s.custom_task.is_some() {
                        continue;
                    }
                    let task = s.task.as_deref().unwrap_or("RTE");
                    if seen.insert(format!("task {task} {:?}", s.data_dir)) {
                        let origin = crate::assets::describe_glue(task, s.data_dir.as_deref(), Some(path));
                        let _ = writeln!(extra, "  task {task}: {origin}");
                    }
                }
            }
            Err(e) => {
                let _ = writeln!(extra, "  cannot read it: {e}");
            }
        }
    }
    // Before the verdict, which stays the screen's last lines.
    let at = d.text.find("\nverdict").map(|i| i + 1).unwrap_or(d.text.len());
    d.text.insert_str(at, &extra);
    d
}

/// Whether the report's browser test can run: Chromium found (where), or how to get it.
fn browser_line() -> String {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::var_os("CHROMIUM").map(PathBuf::from).filter(|p| p.is_file()).or_else(|| {
        ["chromium", "chromium-browser", "google-chrome", "chrome"]
            .iter()
            .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => format!("{} (for the report's browser test; reports themselves need no browser)", p.display()),
        None => "Chromium not found: only the report's browser test needs it, and `make test` installs it \
                 (Debian package `chromium`)"
            .into(),
    }
}

/// Gathers the facts and renders the screen.
pub fn diagnose() -> Diagnosis {
    let lt = libtorch();
    let visible = tch::Cuda::device_count();
    let driver = nvidia_driver();
    let mut problems: Vec<String> = vec![];
    let mut out = String::new();
    let git = option_env!("MIXOUT_GIT_DESCRIBE").filter(|s| !s.is_empty()).unwrap_or("unknown");
    let _ = writeln!(out, "mixout {} (git {git}), tch {TCH_VERSION}", env!("CARGO_PKG_VERSION"));
    libtorch_lines(&lt, &mut out, &mut problems);
    let _ = writeln!(
        out,
        "threads    {} libtorch intra-op threads on {} cores (MKL {}, OpenMP {})",
        tch::get_num_threads(),
        available_cores(),
        yes_no(tch::utils::has_mkl()),
        yes_no(tch::utils::has_openmp())
    );
    let cudnn = if visible > 0 && tch::Cuda::cudnn_is_available() {
        format!(", cuDNN {}", tch::utils::version_cudnn())
    } else {
        String::new()
    };
    let _ = writeln!(out, "CUDA       libtorch sees {visible} CUDA device(s){cudnn}");
    driver_lines(&lt, visible, &driver, &mut out, &mut problems);
    let _ = writeln!(out, "assets     {}", assets_line());
    let cuda_ok = visible > 0;
    verdict_lines(visible, &problems, &mut out);
    Diagnosis { text: out, cuda_ok }
}

/// The libtorch lines: version, build, where it was loaded from, the CUDA link.
fn libtorch_lines(lt: &Libtorch, out: &mut String, problems: &mut Vec<String>) {
    let build = match (&lt.cuda, lt.cuda_build) {
        (Some(c), _) => format!("CUDA {c} build"),
        (None, true) => "CUDA build".to_string(),
        (None, false) => "CPU-only build".to_string(),
    };
    let _ = writeln!(out, "libtorch   {} ({build})", lt.version);
    let _ = writeln!(out, "           from {}", lt.lib_dir.display());
    if !lt.version.starts_with(LIBTORCH_VERSION) {
        problems.push(format!(
            "this binary was built for libtorch {LIBTORCH_VERSION} but loaded {}: rebuild with `make build` (or point LIBTORCH / MIXOUT_VENV at a {LIBTORCH_VERSION} install)",
            lt.version
        ));
    }
    if lt.cuda_build {
        let _ = writeln!(
            out,
            "           libtorch_cuda.so linked into this binary: {}",
            if lt.cuda_linked { "yes" } else { "NO" }
        );
        if !lt.cuda_linked {
            problems.push(
                "libtorch is a CUDA build but this binary does not link libtorch_cuda.so, so CUDA is invisible to it: \
                 rebuild with `make build` (build.rs forces the link; `cargo test --test link_guard` checks it)"
                    .into(),
            );
        }
    }
}

/// The driver lines: NVIDIA driver, CUDA version, each GPU, and what does not match.
fn driver_lines(
    lt: &Libtorch,
    visible: i64,
    driver: &std::result::Result<DriverInfo, String>,
    out: &mut String,
    problems: &mut Vec<String>,
) {
    match &driver {
        Ok(DriverInfo { driver_version, cuda_version, gpus }) => {
            let cv = cuda_version.map(|(a, b)| format!("{a}.{b}")).unwrap_or_else(|| "?".into());
            let _ =
                writeln!(out, "driver     NVIDIA {driver_version}, supports CUDA up to {cv}, {} GPU(s)", gpus.len());
            for g in gpus {
                let cc = g.compute_capability.map(|(a, b)| format!("sm_{a}{b}")).unwrap_or_else(|| "sm_?".into());
                let _ = writeln!(
                    out,
                    "  gpu {}    {}, {:.1} GiB ({:.1} GiB free), compute capability {cc}",
                    g.index,
                    g.name,
                    gib(g.total_bytes),
                    gib(g.free_bytes)
                );
                if let (Some((major, minor)), Some(c)) = (g.compute_capability, lt.cuda.as_deref().and_then(parse_cuda))
                {
                    // CUDA 13 dropped Maxwell, Pascal and Volta (below sm_75).
                    if c.0 >= 13 && (major, minor) < (7, 5) {
                        problems.push(format!(
                            "gpu {} ({}) is sm_{major}{minor}, which CUDA {}.{} builds no longer support: use a CUDA 12.x build of torch {LIBTORCH_VERSION} (`make setup TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126` with a fresh MIXOUT_VENV)",
                            g.index, g.name, c.0, c.1
                        ));
                    }
                }
            }
            if let (Some(need), Some(have)) = (lt.cuda.as_deref().and_then(parse_cuda), *cuda_version) {
                if have < need {
                    problems.push(format!(
                        "libtorch needs CUDA {}.{} but driver {driver_version} supports only up to {}.{}: install an NVIDIA driver >= {} or use a torch build for your driver (`make setup TORCH_INDEX_URL=https://download.pytorch.org/whl/cu{}{}` with a fresh MIXOUT_VENV; see README, GPU users)",
                        need.0, need.1, have.0, have.1, min_driver(need), have.0, if have.0 == 12 { have.1.min(8) } else { have.1 }
                    ));
                }
            }
            if !gpus.is_empty() && visible == 0 && lt.cuda_build && lt.cuda_linked {
                problems.push(
                    "the driver lists GPUs but libtorch sees none: check CUDA_VISIBLE_DEVICES and that the driver matches the CUDA version above".into(),
                );
            }
            if !lt.cuda_build && !gpus.is_empty() {
                problems.push("this libtorch is a CPU-only build, so the GPUs above go unused: set up the PyPI wheel (CUDA 13) or a CUDA 12.x build with `make setup TORCH_INDEX_URL=...`".into());
            }
        }
        Err(why) => {
            let _ = writeln!(out, "driver     no NVIDIA driver found ({why})");
            if lt.cuda_build {
                problems.push(
                    "libtorch is a CUDA build but no device is visible: is the NVIDIA driver loaded? try `nvidia-smi`"
                        .into(),
                );
            }
        }
    }
}

/// The verdict and the problems, each with its next step.
fn verdict_lines(visible: i64, problems: &[String], out: &mut String) {
    let _ = writeln!(out);
    if visible > 0 {
        let _ = writeln!(
            out,
            "verdict    CUDA ready: `device: auto` trains on cuda:0 ({visible} device(s) usable as cuda:0..{})",
            visible - 1
        );
    } else {
        let _ = writeln!(out, "verdict    CPU only: `device: auto` trains on the CPU; `device: cuda` would fail");
    }
    if problems.is_empty() {
        let _ = writeln!(out, "problems   none found");
    } else {
        let _ = writeln!(out, "problems   {}", problems.len());
        for p in problems {
            let _ = writeln!(out, "  - {p}");
        }
    }
}

/// The lowest NVIDIA driver branch that runs a CUDA version (NVIDIA's compatibility table).
fn min_driver(cuda: (i32, i32)) -> &'static str {
    match cuda {
        (13, _) => "580",
        (12, m) if m >= 8 => "570",
        (12, m) if m >= 6 => "560",
        _ => "525",
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn gib(b: u64) -> f64 {
    b as f64 / (1u64 << 30) as f64
}

/// Where the shared data and models were found, and what they hold.
fn assets_line() -> String {
    let Some(shared) = crate::assets::find_shared(None) else {
        return "no shared/ folder found beside the checkout and MIXOUT_SHARED unset: experiments must name model folders and `data_dir:` themselves".into();
    };
    let list = |dir: PathBuf| -> String {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        if names.is_empty() {
            "none".into()
        } else {
            names.join(", ")
        }
    };
    let how =
        if std::env::var_os("MIXOUT_SHARED").is_some() { "from MIXOUT_SHARED" } else { "found beside the checkout" };
    format!(
        "{} ({how})\n           GLUE tasks: {}\n           models: {}",
        shared.display(),
        list(shared.join("data/glue")),
        list(shared.join("models"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuda_versions_and_driver_floors() {
        assert_eq!(parse_cuda("13.0"), Some((13, 0)));
        assert_eq!(parse_cuda("12.8"), Some((12, 8)));
        assert_eq!(parse_cuda("x"), None);
        assert_eq!(min_driver((13, 0)), "580");
        assert_eq!(min_driver((12, 8)), "570");
        assert_eq!(min_driver((12, 6)), "560");
    }

    #[test]
    fn reads_version_files_of_both_layouts() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("lib");
        std::fs::create_dir_all(&lib).unwrap();
        std::fs::write(dir.path().join("build-version"), "2.11.0+cu128\n").unwrap();
        assert_eq!(read_version(&lib), ("2.11.0+cu128".into(), Some("12.8".into())));
        std::fs::write(
            dir.path().join("version.py"),
            "__version__ = '2.11.0+cu130'\ndebug = False\ncuda: Optional[str] = '13.0'\n",
        )
        .unwrap();
        // `cuda: Optional[str] = ...` is how torch writes it; the annotation must not hide it.
        assert_eq!(read_version(&lib), ("2.11.0+cu130".into(), Some("13.0".into())));
        std::fs::write(dir.path().join("version.py"), "__version__ = '2.11.0+cpu'\ncuda: Optional[str] = None\n")
            .unwrap();
        assert_eq!(read_version(&lib), ("2.11.0+cpu".into(), None));
    }

    #[test]
    fn this_process_reports_its_libtorch() {
        let lt = libtorch();
        assert!(lt.version.starts_with(LIBTORCH_VERSION), "{lt:?}");
        assert!(lt.lib_dir.join("libtorch_cpu.so").exists(), "{lt:?}");
    }
}
