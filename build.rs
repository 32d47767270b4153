//! Bakes the libtorch library folder into the binaries' run path, so `mixout` and
//! the test binaries find libtorch without LD_LIBRARY_PATH (which cargo's `[env]`
//! cannot provide for the dynamic loader).

fn main() {
    // torch-sys announces where it found libtorch to crates that depend on it directly.
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        let lib = std::fs::canonicalize(&lib).unwrap_or_else(|_| lib.clone().into());
        println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
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
