use frontdesk_domain::jobs::JobStatus;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule or state precondition was violated; the value says which, the
    /// same on every backend.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The backend failed (connection, I/O, corrupt row). Never shown to API clients.
    #[error("storage backend error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What collided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Conflict {
    /// Another live appointment of the practitioner overlaps the blocked range.
    #[error("the time slot is taken")]
    SlotTaken,
    /// A record with the same identity (id, or a unique field such as a slug or phone)
    /// is stored already.
    #[error("{what} already exists")]
    Duplicate { what: Record },
    /// The record changed since it was read (its version moved on).
    #[error("the record changed since it was read")]
    Stale,
    /// The idempotency key was used before with a different request.
    #[error("the idempotency key was used with a different request")]
    IdempotencyKeyReused,
    /// Only a dead job can be retried; this one is in another state.
    #[error("the job is {status}; only dead jobs can be retried")]
    JobNotDead { status: JobStatus },
}

/// The kind of record a `Conflict::Duplicate` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Tenant,
    ApiKey,
    Job,
    InboundEvent,
    Location,
    Practitioner,
    Service,
    WeeklyHours,
    Exception,
    Patient,
    Appointment,
    ExternalId,
    Conversation,
    Message,
    Call,
    TranscriptTurn,
    Lead,
    Dialogue,
    User,
    Session,
    /// A row the mapping does not know (a new table): still a conflict, named generically.
    Other,
}

impl Record {
    /// A stable name, for API error codes and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tenant => "tenant",
            Self::ApiKey => "api_key",
            Self::Job => "job",
            Self::InboundEvent => "inbound_event",
            Self::Location => "location",
            Self::Practitioner => "practitioner",
            Self::Service => "service",
            Self::WeeklyHours => "weekly_hours",
            Self::Exception => "exception",
            Self::Patient => "patient",
            Self::Appointment => "appointment",
            Self::ExternalId => "external_id",
            Self::Conversation => "conversation",
            Self::Message => "message",
            Self::Call => "call",
            Self::TranscriptTurn => "transcript_turn",
            Self::Lead => "lead",
            Self::Dialogue => "dialogue",
            Self::User => "user",
            Self::Session => "session",
            Self::Other => "record",
        }
    }

    /// The record a table holds (for mapping a database's uniqueness violation).
    pub fn of_table(table: &str) -> Self {
        match table {
            "tenants" => Self::Tenant,
            "api_keys" => Self::ApiKey,
            "jobs" => Self::Job,
            "inbound_events" => Self::InboundEvent,
            "locations" => Self::Location,
            "practitioners" => Self::Practitioner,
            "services" => Self::Service,
            "weekly_hours" => Self::WeeklyHours,
            "schedule_exceptions" => Self::Exception,
            "patients" => Self::Patient,
            "appointments" => Self::Appointment,
            "external_ids" => Self::ExternalId,
            "conversations" => Self::Conversation,
            "messages" => Self::Message,
            "calls" => Self::Call,
            "call_transcript_turns" => Self::TranscriptTurn,
            "leads" => Self::Lead,
            "dialogues" => Self::Dialogue,
            "users" => Self::User,
            "sessions" => Self::Session,
            _ => Self::Other,
        }
    }
}

impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl StoreError {
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Box::new(err))
    }
    /// A row that cannot be turned back into a domain value.
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Backend(what.into().into())
    }
    pub fn duplicate(what: Record) -> Self {
        Self::Conflict(Conflict::Duplicate { what })
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
