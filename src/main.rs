//! The `mixout` binary: parse, run, print the error chain, exit non-zero on failure.

fn main() {
    // Like other Unix tools, end quietly when the reader of our output goes away (`| head`).
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match mixout::cli::parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Err(e) = mixout::cli::run(cli) {
        let interrupted = e.downcast_ref::<mixout::Error>().is_some_and(|e| matches!(e, mixout::Error::Interrupted));
        eprintln!("error: {e:#}");
        std::process::exit(if interrupted { 130 } else { 1 });
    }
}
