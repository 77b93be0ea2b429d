//! Log lines go to stderr (stdout is for command output such as a new API key); spans go
//! to an OpenTelemetry collector too when `otlp_endpoint` is set.

use crate::config::{Config, LogFormat};
use crate::otel::TracingGuard;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// Installs the global subscriber; `writer` is stderr in the binary, a buffer in tests.
/// Keep the guard until the process ends: dropping it flushes the trace exporter.
pub fn init<W>(config: &Config, writer: W) -> TracingGuard
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = Vec::new();
    let lines = tracing_subscriber::fmt::layer().with_writer(writer);
    layers.push(match config.log_format {
        LogFormat::Json => lines.json().with_current_span(true).with_span_list(false).boxed(),
        LogFormat::Pretty => lines.boxed(),
    });
    let mut guard = TracingGuard::default();
    let mut otlp_failure = None;
    if let Some(endpoint) = config.otlp_endpoint.as_deref().filter(|e| !e.trim().is_empty()) {
        match crate::otel::layer::<Registry>(endpoint) {
            Ok((layer, g)) => {
                layers.push(layer.boxed());
                guard = g;
            }
            // Tracing is optional: a bad endpoint is reported, it does not stop the server.
            Err(e) => otlp_failure = Some(format!("{e:#}")),
        }
    }
    let _ = tracing_subscriber::registry().with(layers).with(filter).try_init();
    if let Some(error) = otlp_failure {
        tracing::error!(error, "OpenTelemetry traces are off");
    }
    guard
}

/// Installs the global subscriber with log lines written by a background thread, so a
/// request never waits on the terminal, pipe or journal behind `writer` (under load a
/// blocked stderr write stalled a runtime worker and every request queued on it). Nothing
/// is dropped: when the 128k-line buffer is full, callers wait as they would without it.
/// Lines queued together reach `writer` in one write; an idle server's line is written at
/// once, since the worker flushes whenever the queue runs dry.
/// Keep the guards until exit; dropping them flushes what is buffered.
pub fn init_background<W>(config: &Config, writer: W) -> BackgroundGuards
where
    W: std::io::Write + Send + 'static,
{
    let (writer, lines) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("frontdesk-log")
        // The worker writes every line it finds queued and then flushes: buffered, a burst
        // of lines under load costs one write call instead of one per line.
        .finish(std::io::BufWriter::with_capacity(64 * 1024, writer));
    let traces = init(config, writer);
    BackgroundGuards { _traces: traces, _lines: lines }
}

/// What `init_background` needs kept alive: the trace exporter, then the line writer
/// (fields drop in order, so spans flushed at exit can still log).
pub struct BackgroundGuards {
    _traces: TracingGuard,
    _lines: tracing_appender::non_blocking::WorkerGuard,
}
