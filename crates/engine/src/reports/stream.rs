//! Runs an export: the store is read on the async side a page at a time, the file is
//! written on a blocking thread (the CSV, XLSX and PDF writers are synchronous), and a
//! bounded channel between them keeps at most two pages in flight. The HTTP handler gives a
//! [`ChunkSink`] that forwards the bytes to the response body as they are written; the
//! CLI gives a file.

use super::kinds::{Catalog, ReportLayout as _, Rows};
use super::{CURRENCY, ExportError, ReportPeriod, ReportRequest};
use crate::Ctx;
use frontdesk_reports::{Cell, Locale, ReportHeader, ReportWriter};
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Exports one report into `sink`, calling `progress` with the rows written so far after
/// every page. Returns the number of rows.
pub async fn export(
    ctx: &Ctx,
    req: &ReportRequest,
    sink: Box<dyn Write + Send>,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<u64, ExportError> {
    let tenant = ctx.store.tenant_by_id(req.tenant).await?.ok_or(ExportError::NoTenant)?;
    let locale = req.locale.unwrap_or(super::report_locale(tenant.locale));
    // Figures are kept by the clinic's days: the same dates, in its zone.
    let clinic_days = ReportPeriod::new(req.period.from, req.period.to, tenant.timezone.time_zone())
        .map_err(|_| ExportError::Stopped("the period cannot be read in the clinic's zone"))?;
    let (kpis, charts, overview) =
        super::figures::header_figures(ctx, req.tenant, req.kind, &clinic_days, locale).await?;
    let header = ReportHeader {
        locale,
        title: req.kind.title(locale).to_string(),
        clinic: tenant.name.clone(),
        period: period_words(&req.period, locale),
        generated: ctx.clock.now().to_zoned(req.period.tz.clone()).strftime("%Y-%m-%d %H:%M %Z").to_string(),
        kpis,
        charts,
    };
    let columns = req.kind.columns(locale, CURRENCY);
    let catalog = Catalog::load(ctx, req.tenant).await?;
    let mut rows = Rows::new(req.kind, req.tenant, req.period.clone(), catalog);

    let (tx, mut rx) = mpsc::channel::<Vec<Vec<Cell>>>(2);
    let format = req.format;
    let writer = tokio::task::spawn_blocking(move || -> Result<u64, frontdesk_reports::ReportError> {
        let mut w = ReportWriter::new(format, header, columns, sink)?;
        while let Some(page) = rx.blocking_recv() {
            for row in &page {
                w.push(row)?;
            }
            progress(w.rows());
        }
        let n = w.rows();
        w.finish()?;
        Ok(n)
    });
    let read = async {
        if req.kind == super::ReportKind::Overview {
            let _ = tx.send(super::figures::overview_rows(&overview, locale)).await;
        }
        while let Some(page) = rows.next_page(ctx).await? {
            if tx.send(page).await.is_err() {
                break; // the writer stopped: its own error says why
            }
        }
        Ok::<(), ExportError>(())
    }
    .await;
    drop(tx);
    let written = writer.await.map_err(|_| ExportError::Stopped("the file writer stopped unexpectedly"));
    read?;
    Ok(written??)
}

fn period_words(p: &super::ReportPeriod, l: Locale) -> String {
    let day = |d: jiff::civil::Date| match l {
        Locale::PtBr => d.strftime("%d/%m/%Y").to_string(),
        Locale::En => d.to_string(),
    };
    format!("{} – {} ({})", day(p.from), day(p.to), p.tz.iana_name().unwrap_or("UTC"))
}

/// A `Write` that hands what is written, in chunks, to an async receiver (an HTTP body).
/// Used from the writer's blocking thread only.
pub struct ChunkSink {
    tx: mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    buf: Vec<u8>,
}

const CHUNK: usize = 64 * 1024;

impl ChunkSink {
    pub fn new(tx: mpsc::Sender<Result<Vec<u8>, std::io::Error>>) -> ChunkSink {
        ChunkSink { tx, buf: Vec::with_capacity(CHUNK) }
    }

    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the download was closed"))
    }
}

impl Write for ChunkSink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
