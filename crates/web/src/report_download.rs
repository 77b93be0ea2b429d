//! A report file as an HTTP response whose body is written while it downloads, for the
//! API (`routes::reports`) and the staff app (`app::dashboard`) alike. A failure after the
//! first bytes cuts the download short: once the status line has gone out, that is how a
//! client learns of it.

use crate::AppState;
use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use frontdesk_engine::reports::{self, ChunkSink, ReportRequest};
use std::sync::Arc;

/// The response whose body is written as the export runs.
pub fn stream_report(state: AppState, req: ReportRequest) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let failed = tx.clone();
    let filename = format!(
        "attachment; filename=\"{}-{}-{}.{}\"",
        req.kind.as_str(),
        req.period.from,
        req.period.to,
        req.format.as_str()
    );
    let content_type = req.format.content_type();
    tokio::spawn(async move {
        let sink = Box::new(ChunkSink::new(tx));
        if let Err(e) = reports::export(&state.ctx, &req, sink, Arc::new(|_| {})).await {
            tracing::error!(error = %e, kind = req.kind.as_str(), "report export failed");
            let _ = failed.send(Err(std::io::Error::other("report export failed"))).await;
        }
    });
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
