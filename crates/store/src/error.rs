use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or state precondition was violated; the text names which.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend failed (connection, I/O, corrupt row). Never shown to API clients.
    #[error("storage backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(err))
    }
    /// A row that cannot be turned back into a domain value.
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Backend(what.into().into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
