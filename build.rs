//! Bakes the libtorch library folder into the binaries' run path, so `mixout` and
//! the test binaries find libtorch without LD_LIBRARY_PATH (which cargo's `[env]`
//! cannot provide for the dynamic loader).

fn main() {
    // torch-sys announces where it found libtorch to crates that depend on it directly.
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        let lib = std::fs::canonicalize(&lib).unwrap_or_else(|_| lib.clone().into());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
        // tch >= 0.18 lists torch_cuda as an ordinary library, and with the default
        // `--as-needed` the linker drops it (no symbol of ours refers to it): the binary then
        // never loads libtorch's CUDA backend and sees 0 devices on a GPU machine. Force the
        // link whenever the libtorch in use is a CUDA build; tests/link_guard.rs checks it.
        if lib.join("libtorch_cuda.so").exists() {
            println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-ltorch_cuda,--as-needed");
        }
        // Where the build found libtorch, for `mixout doctor` and the link-guard test.
        println!("cargo:rustc-env=MIXOUT_LIBTORCH_LIB={}", lib.display());
        // The TF32 switch (csrc/tf32.cpp), against the same headers torch-sys compiled with.
        let include = lib.parent().map(|p| p.join("include")).unwrap_or_default();
        cc::Build::new()
            .cpp(true)
            .pic(true)
            .warnings(false)
            .include(&include)
            .include(include.join("torch/csrc/api/include"))
            .flag("-std=c++17")
            .flag(format!(
                "-D_GLIBCXX_USE_CXX11_ABI={}",
                std::env::var("LIBTORCH_CXX11_ABI").unwrap_or_else(|_| "1".into())
            ))
            .file("csrc/tf32.cpp")
            .compile("mixout_tf32");
        println!("cargo:rerun-if-changed=csrc/tf32.cpp");
    }
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs");
    // Recorded in result files so a run says which checkout produced it.
    let git = std::process::Command::new("git")
        .args(["describe", "--always", "--dirty", "--tags"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    println!("cargo:rustc-env=MIXOUT_GIT_DESCRIBE={git}");
}
