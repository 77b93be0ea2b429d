//! Durable background jobs: handlers by kind, and the runner that claims, runs, retries
//! and buries them.

mod runner;

pub use runner::{JobRunner, RunnerConfig};

use async_trait::async_trait;
use frontdesk_domain::jobs::Job;
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;

/// What made a job fail: kept as an error (not flattened to text) so callers can inspect
/// it, and printed into the job's `last_error` without PII (causes carry ids, not text).
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// How a job failed. The runner decides between another attempt and `dead` from the
/// variant alone: nothing is ever decided by matching error text.
#[derive(Debug, Error)]
pub enum JobError {
    /// Worth another attempt later (network error, provider 5xx/429, store unreachable...).
    #[error("{0}")]
    Retryable(#[source] Cause),
    /// No later attempt can succeed (bad payload, provider 4xx...): straight to `dead`.
    #[error("{0}")]
    Permanent(#[source] Cause),
}

impl JobError {
    pub fn retryable(cause: impl Into<Cause>) -> Self {
        Self::Retryable(cause.into())
    }

    pub fn permanent(cause: impl Into<Cause>) -> Self {
        Self::Permanent(cause.into())
    }

    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Permanent(_))
    }
}

/// The store failing is worth a retry; a missing row or a broken rule is not going to fix
/// itself.
impl From<frontdesk_store::StoreError> for JobError {
    fn from(e: frontdesk_store::StoreError) -> Self {
        match e {
            frontdesk_store::StoreError::Backend(_) => Self::retryable(e),
            // A conflict is usually a race with another worker: the next attempt sees the winner.
            frontdesk_store::StoreError::Conflict(_) => Self::retryable(e),
            frontdesk_store::StoreError::NotFound => Self::permanent(e),
        }
    }
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    async fn run(&self, job: &Job) -> Result<(), JobError>;
}

/// Handlers by job kind.
#[derive(Clone, Default)]
pub struct JobRegistry {
    handlers: HashMap<String, Arc<dyn JobHandler>>,
}

impl JobRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn register(&mut self, kind: impl Into<String>, handler: impl JobHandler) -> &mut Self {
        self.handlers.insert(kind.into(), Arc::new(handler));
        self
    }

    /// Adds every handler of `other`, replacing same-kind ones.
    pub fn extend(&mut self, other: JobRegistry) -> &mut Self {
        self.handlers.extend(other.handlers);
        self
    }

    pub fn get(&self, kind: &str) -> Option<&Arc<dyn JobHandler>> {
        self.handlers.get(kind)
    }
}

/// Adapts an async closure into a handler (tests and small jobs).
pub struct FnHandler<F>(pub F);

#[async_trait]
impl<F, Fut> JobHandler for FnHandler<F>
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), JobError>> + Send,
{
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        (self.0)(job.clone()).await
    }
}
