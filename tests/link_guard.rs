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

fn needed(binary: &Path) -> Vec<String> {
    let bytes = std::fs::read(binary).unwrap_or_else(|e| panic!("reading {}: {e}", binary.display()));
    let elf =
        goblin::elf::Elf::parse(&bytes).unwrap_or_else(|e| panic!("{} is not an ELF file: {e}", binary.display()));
    elf.libraries.iter().map(|s| s.to_string()).collect()
}

fn check(binary: &Path) {
    let lib = libtorch_lib();
    assert!(
        lib.join("libtorch_cpu.so").exists(),
        "build.rs recorded libtorch at {}, which holds no libtorch_cpu.so",
        lib.display()
    );
    let libs = needed(binary);
    assert!(
        libs.iter().any(|l| l == "libtorch_cpu.so"),
        "{} does not link libtorch_cpu.so: {libs:?}",
        binary.display()
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
    // The test suite runs on GPUs as well; its binaries get the same link arguments. Using
    // libtorch here makes this test binary one that needs it, like the other test binaries.
    let n = tch::Cuda::device_count();
    assert!(n >= 0);
    check(&std::env::current_exe().expect("own test binary"));
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
