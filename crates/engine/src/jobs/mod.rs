//! Durable background jobs: handlers by kind, and the runner that claims, runs, retries
//! and buries them.

mod runner;

pub use runner::{JobRunner, RunnerConfig};

use async_trait::async_trait;
use frontdesk_domain::jobs::Job;
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum JobError {
    /// Worth another attempt later (network error, provider 5xx/429...).
    #[error("{0}")]
    Retry(String),
    /// No later attempt can succeed (bad payload, provider 4xx...): straight to `dead`.
    #[error("{0}")]
    Permanent(String),
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
