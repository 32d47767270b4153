//! The `mixout` binary: parse, run, print the error chain, exit non-zero on failure.

mod cli;
mod commands;

fn main() {
    // Like other Unix tools, end quietly when the reader of our output goes away (`| head`).
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // Number CUDA devices in PCI bus order, as the driver (NVML) does, so `cuda:N` and the
    // memory figures of GPU N agree. Set before libtorch initialises CUDA; a user's choice wins.
    if std::env::var_os("CUDA_DEVICE_ORDER").is_none() {
        std::env::set_var("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
    }
    let cli = match cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = cli::run(cli) {
        let interrupted = e.downcast_ref::<mixout::Error>().is_some_and(|e| matches!(e, mixout::Error::Interrupted));
        eprintln!("error: {e:#}");
        std::process::exit(if interrupted { 130 } else { 1 });
    }
}
