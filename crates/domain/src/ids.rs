//! Typed identifiers. Every id is a UUIDv7 so that ids sort by creation time, which
//! keeps b-tree inserts local and lets pagination cursors be plain ids.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! uuid_id {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }
        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }
        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

uuid_id! {
    /// A clinic (or clinic group) using Frontdesk; every row belongs to one.
    TenantId;
    /// An API key's row id (not the secret).
    ApiKeyId;
    /// A durable background job.
    JobId;
    /// A raw provider event as received by a webhook.
    EventId;
    /// One entry of the audit log.
    AuditId;
    /// A patient of a tenant.
    PatientId;
    /// A place where a tenant sees patients (its own time zone and address).
    LocationId;
    /// A doctor, dentist or therapist who can be booked.
    PractitionerId;
    /// A bookable kind of appointment (consultation, cleaning...) with its duration.
    ServiceId;
    /// A booked appointment.
    AppointmentId;
    /// One thread with a patient on one channel (WhatsApp, SMS).
    ConversationId;
    /// One message, inbound or outbound, in a conversation.
    MessageId;
    /// One voice call, outbound or inbound.
    CallId;
    /// One acquisition attempt for a patient (an ad form, a CRM card, a first message).
    LeadId;
    /// A person of the clinic's staff who signs into the app.
    UserId;
    /// One signed-in browser of a user.
    SessionId;
}
