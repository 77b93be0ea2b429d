//! Log lines go to stderr (stdout is for command output such as a new API key).

use crate::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

/// Installs the global subscriber; `writer` is stderr in the binary, a buffer in tests.
pub fn init<W>(config: &Config, writer: W)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    let _ = match config.log_format {
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}

/// Installs the global subscriber with log lines written by a background thread, so a
/// request never waits on the terminal, pipe or journal behind `writer` (under load a
/// blocked stderr write stalled a runtime worker and every request queued on it). Nothing
/// is dropped: when the 128k-line buffer is full, callers wait as they would without it.
/// Keep the guard until exit; dropping it flushes what is buffered.
pub fn init_background<W>(config: &Config, writer: W) -> tracing_appender::non_blocking::WorkerGuard
where
    W: std::io::Write + Send + 'static,
{
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("frontdesk-log")
        .finish(writer);
    init(config, writer);
    guard
}
