use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use webhook_admin::server::cli::{run, Cli};
use webhook_admin::server::config::{LogFormat, COMMAND_LOG, SERVE_LOG};

/// Page rendering allocates many small strings from both worker threads;
/// glibc's allocator spent much of a page's time in arena locks and
/// consolidation (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Every file this process creates (the SQLite database and its -wal and
    // -shm, the lock file, the first start's secrets) is its owner's only.
    // SAFETY: umask only sets the process's file creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    let cli = Cli::parse();
    let default_filter = if cli.serves() { SERVE_LOG } else { COMMAND_LOG };
    let filter = cli.config.log.as_deref().unwrap_or(default_filter);
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new(default_filter)),
        )
        .with_writer(std::io::stderr);
    match cli.config.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().init(),
    }
    run(cli).await
}
