//! Optional OpenTelemetry traces: with `otlp_endpoint` set, every `tracing` span (a
//! request, a job) is also exported over OTLP http/protobuf to a collector. Off by
//! default. Spans carry the same fields as log lines, so no personal data either.

use anyhow::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_subscriber::registry::LookupSpan;

/// Keeps the exporter alive; dropping it flushes the spans not yet sent (at shutdown).
#[must_use = "dropping the guard stops the trace exporter"]
#[derive(Default)]
pub struct TracingGuard {
    provider: Option<SdkTracerProvider>,
}

impl Drop for TracingGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("OpenTelemetry: the last spans could not be exported: {e}");
        }
    }
}

/// The `/v1/traces` URL for an OTLP/HTTP base endpoint (as OTEL_EXPORTER_OTLP_ENDPOINT),
/// e.g. `http://otel-collector:4318`.
pub fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with("/v1/traces") { base.to_owned() } else { format!("{base}/v1/traces") }
}

/// A layer exporting spans to `endpoint`, and the guard that flushes it.
pub fn layer<S>(
    endpoint: &str,
) -> anyhow::Result<(tracing_opentelemetry::OpenTelemetryLayer<S, SdkTracer>, TracingGuard)>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(traces_url(endpoint))
        .build()
        .context("configuring the OTLP trace exporter")?;
    let resource = Resource::builder()
        .with_service_name("frontdesk")
        .with_attribute(opentelemetry::KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
        .build();
    let provider = SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build();
    let tracer = provider.tracer("frontdesk");
    Ok((tracing_opentelemetry::layer().with_tracer(tracer), TracingGuard { provider: Some(provider) }))
}
