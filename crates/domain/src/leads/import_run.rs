//! A CSV import started from the app: it runs as a durable job, and people watch its
//! progress and read its report on a page. This is its record.

use crate::TenantId;
use jiff::Timestamp;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStatus {
    Queued,
    Running,
    Done,
    /// The file could not be imported at all (the reason is kept; rows done stay done).
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "done" => Self::Done,
            "failed" => Self::Failed,
            _ => return None,
        })
    }

    pub fn finished(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeadImport {
    pub id: Uuid,
    pub tenant_id: TenantId,
    /// Who started it (`user:<id>`).
    pub actor: String,
    pub status: ImportStatus,
    /// Data rows in the file.
    pub rows: u64,
    /// Rows handled so far.
    pub done: u64,
    /// The report (the engine's import summary as JSON) once done.
    pub summary: Option<serde_json::Value>,
    /// Why it failed, naming no cell's value.
    pub error: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl LeadImport {
    pub fn new(tenant_id: TenantId, actor: String, rows: u64, now: Timestamp) -> Self {
        Self {
            id: Uuid::new_v4(),
            tenant_id,
            actor,
            status: ImportStatus::Queued,
            rows,
            done: 0,
            summary: None,
            error: None,
            created_at: now,
            updated_at: now,
        }
    }

    /// Whole percent done, 0..=100 (an empty file is done when finished).
    pub fn percent(&self) -> u64 {
        match (self.rows, self.status.finished()) {
            (_, true) => 100,
            (0, false) => 0,
            (rows, false) => (self.done.min(rows) * 100) / rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_and_status() {
        let mut run = LeadImport::new(TenantId::new(), "user:x".into(), 8, Timestamp::UNIX_EPOCH);
        assert_eq!(run.percent(), 0);
        run.done = 2;
        assert_eq!(run.percent(), 25);
        run.status = ImportStatus::Done;
        assert_eq!(run.percent(), 100);
        for s in [ImportStatus::Queued, ImportStatus::Running, ImportStatus::Done, ImportStatus::Failed] {
            assert_eq!(ImportStatus::parse(s.as_str()), Some(s));
        }
    }
}
