//! Frontdesk's outside world: one module per provider.
//!
//! Each module speaks its provider's real wire format (see `PROVIDERS.md`), keeps the wire
//! types private, and exposes an outbound client behind a trait with provider-neutral types,
//! so the engine can be tested against a fake and the server can point base URLs at a local
//! mock. Nothing here knows about the database.

pub mod egress;
pub mod email;
pub mod helena;
pub mod media;
pub mod n8n;
pub mod ninsaude;
pub mod openai;
pub mod outbound_webhook;
pub mod twilio;
pub mod vapi;

mod redact;
