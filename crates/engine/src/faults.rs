//! Fault points: named places in a job's path where a test can make the job fail, to
//! prove that running it again ends in the same state (nothing doubled, nothing lost).
//! Production never arms one; an unarmed registry costs one atomic load per point.

use crate::jobs::JobError;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub struct Faults {
    armed: AtomicBool,
    /// Point -> how many more times it fails.
    remaining: Mutex<HashMap<&'static str, u32>>,
}

#[derive(Debug, thiserror::Error)]
#[error("injected fault at {0}")]
pub struct InjectedFault(pub &'static str);

impl Faults {
    /// Makes the next `times` passes through `point` fail (as a crash would: retryable).
    pub fn arm(&self, point: &'static str, times: u32) {
        self.remaining.lock().unwrap_or_else(|p| p.into_inner()).insert(point, times);
        self.armed.store(true, Ordering::Release);
    }

    /// Fails when `point` is armed; called by the engine at each step worth testing.
    pub fn check(&self, point: &'static str) -> Result<(), JobError> {
        if !self.armed.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut remaining = self.remaining.lock().unwrap_or_else(|p| p.into_inner());
        match remaining.get_mut(point) {
            Some(n) if *n > 0 => {
                *n -= 1;
                Err(JobError::retryable(InjectedFault(point)))
            }
            _ => Ok(()),
        }
    }

    /// `check` for code that fails with store errors: the fault looks like the store
    /// going away mid-way (retryable everywhere).
    pub fn interrupt(&self, point: &'static str) -> Result<(), frontdesk_store::StoreError> {
        self.check(point).map_err(|_| frontdesk_store::StoreError::backend(InjectedFault(point)))
    }

    /// How many armed failures of `point` have not fired yet (tests check each fired).
    pub fn pending(&self, point: &'static str) -> u32 {
        self.remaining.lock().unwrap_or_else(|p| p.into_inner()).get(point).copied().unwrap_or(0)
    }
}

/// A time-ordered (v7-shaped) id derived from what it identifies: it sorts `after_ms`
/// milliseconds after `anchor` (itself a v7 id, e.g. the message being answered), so
/// messages keep their order in a conversation, and a retried step derives the same id.
pub fn derived_after(
    tenant: frontdesk_domain::TenantId,
    anchor: uuid::Uuid,
    after_ms: u64,
    key: &str,
) -> uuid::Uuid {
    let hashed = derived_id(tenant, &format!("{anchor}:{after_ms}:{key}"));
    let anchor_bytes = anchor.as_bytes();
    let mut ms = [0u8; 8];
    ms[2..].copy_from_slice(&anchor_bytes[..6]);
    let at = u64::from_be_bytes(ms).saturating_add(after_ms);
    let mut bytes = *hashed.as_bytes();
    bytes[..6].copy_from_slice(&at.to_be_bytes()[2..]);
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    uuid::Uuid::from_bytes(bytes)
}

/// An id derived from what it identifies (a send's key, the patient a message registers):
/// a retried step computes the same id and finds its own earlier work.
pub fn derived_id(tenant: frontdesk_domain::TenantId, key: &str) -> uuid::Uuid {
    use sha2::{Digest, Sha256};
    let digest =
        Sha256::new().chain_update(tenant.as_uuid().as_bytes()).chain_update(key.as_bytes()).finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    // Version 8 (custom), RFC 4122 variant.
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes)
}
