//! Guard against a silent CPU fallback on GPU machines. tch >= 0.18 lists `torch_cuda` as an
//! ordinary library, and with the linker's default `--as-needed` it is dropped from the
//! binary (no symbol of ours refers to it). Such a binary never loads libtorch's CUDA
//! backend, sees 0 devices, and `device: auto` quietly trains on the CPU. build.rs forces
//! the link; these tests fail if that ever stops working, on any machine (no GPU needed):
//! they compare the DT_NEEDED entries of the built binaries with the libtorch in use.

use std::path::{Path, PathBuf};

/// The libtorch folder the build linked against (set by build.rs).
fn libtorch_lib() -> PathBuf {
    PathBuf::from(env!("MIXOUT_LIBTORCH_LIB"))
}

/// The DT_NEEDED entries of `binary`, and its run path (DT_RUNPATH and DT_RPATH folders).
fn needed(binary: &Path) -> (Vec<String>, Vec<String>) {
    let bytes = std::fs::read(binary).unwrap_or_else(|e| panic!("reading {}: {e}", binary.display()));
    let elf =
        goblin::elf::Elf::parse(&bytes).unwrap_or_else(|e| panic!("{} is not an ELF file: {e}", binary.display()));
    let run_path = elf.runpaths.iter().chain(&elf.rpaths).flat_map(|p| p.split(':')).map(str::to_string).collect();
    (elf.libraries.iter().map(|s| s.to_string()).collect(), run_path)
}

fn check(binary: &Path) {
    let lib = libtorch_lib();
    assert!(
        lib.join("libtorch_cpu.so").exists(),
        "build.rs recorded libtorch at {}, which holds no libtorch_cpu.so",
        lib.display()
    );
    let (libs, run_path) = needed(binary);
    assert!(
        libs.iter().any(|l| l == "libtorch_cpu.so"),
        "{} does not link libtorch_cpu.so: {libs:?}",
        binary.display()
    );
    // README: no LD_LIBRARY_PATH needed, because build.rs bakes libtorch's folder in.
    assert!(
        run_path.iter().any(|p| Path::new(p) == lib),
        "{}'s run path {run_path:?} lacks the libtorch folder {}",
        binary.display(),
        lib.display()
    );
    if lib.join("libtorch_cuda.so").exists() {
        assert!(
            libs.iter().any(|l| l == "libtorch_cuda.so"),
            "libtorch at {} is a CUDA build, but {} does not link libtorch_cuda.so (DT_NEEDED: {libs:?}): \
             on a GPU machine it would see no CUDA device. build.rs must pass -Wl,--no-as-needed,-ltorch_cuda",
            lib.display(),
            binary.display()
        );
    } else {
        eprintln!("libtorch at {} is a CPU-only build: nothing to guard", lib.display());
    }
}

#[test]
fn mixout_binary_links_libtorch_cuda_when_libtorch_has_it() {
    check(Path::new(env!("CARGO_BIN_EXE_mixout")));
}

#[test]
fn test_binaries_link_libtorch_cuda_too() {
    // The test suite runs on GPUs as well; its binaries get the same link arguments.
    check(&std::env::current_exe().expect("own test binary"));
}

/// Paths of the shared objects mapped into this process.
fn loaded_objects() -> Vec<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("read /proc/self/maps");
    let mut paths: Vec<PathBuf> = maps
        .lines()
        .filter_map(|l| l.split_whitespace().nth(5))
        .filter(|p| p.starts_with('/') && p.contains(".so"))
        .map(PathBuf::from)
        .collect();
    paths.dedup();
    paths
}

#[test]
fn the_recorded_libtorch_is_the_one_loaded_at_run_time() {
    // Using libtorch makes this test binary need it, like the other test binaries; on a
    // CPU-only libtorch there can be no device at all.
    let devices = tch::Cuda::device_count();
    let lib = libtorch_lib();
    let cuda_build = lib.join("libtorch_cuda.so").exists();
    if !cuda_build {
        assert_eq!(devices, 0, "a CPU-only libtorch at {} reports CUDA devices", lib.display());
    }
    let loaded = loaded_objects();
    let torch: Vec<&PathBuf> = loaded
        .iter()
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libtorch")))
        .collect();
    let same = |p: &Path, name: &str| std::fs::canonicalize(p).ok() == std::fs::canonicalize(lib.join(name)).ok();
    // The loader found libtorch where the build linked it, not another copy on the system.
    assert!(
        torch.iter().any(|p| same(p, "libtorch_cpu.so")),
        "libtorch_cpu.so from {} is not loaded; libtorch objects mapped: {torch:?}",
        lib.display()
    );
    assert!(
        torch
            .iter()
            .all(|p| p.parent().and_then(|d| std::fs::canonicalize(d).ok()) == std::fs::canonicalize(&lib).ok()),
        "libtorch objects loaded from outside {}: {torch:?}",
        lib.display()
    );
    // What the link guard is for: the CUDA backend is in the process, so CUDA can be found.
    if cuda_build {
        assert!(
            torch.iter().any(|p| same(p, "libtorch_cuda.so")),
            "libtorch at {} is a CUDA build, but libtorch_cuda.so was not loaded: {torch:?}",
            lib.display()
        );
    }
}

#[test]
fn doctor_reports_the_loaded_libtorch_and_cuda_link() {
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_mixout")).arg("doctor").output().expect("run mixout doctor");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("libtorch   2.11.0"), "{text}");
    if libtorch_lib().join("libtorch_cuda.so").exists() {
        assert!(text.contains("libtorch_cuda.so linked into this binary: yes"), "{text}");
    }
    // Exit status follows whether `device: cuda` would work.
    let cuda = text.contains("verdict    CUDA ready");
    assert_eq!(out.status.success(), cuda, "{text}");
    if !cuda {
        assert!(text.contains("CPU only") && text.contains("device: cuda` would fail"), "{text}");
    }
}
