//! Leads as pure rules: where a lead came from, how it moves through the funnel
//! (new → contacted → qualified → booked → showed, or lost / no-show), how hot it is, its
//! timeline, the tenant's lead settings (dedupe window, scoring, follow-up cadence), and the
//! persisted state of the WhatsApp booking dialogue.
//!
//! Nothing here stores a lead, sends a message or reads a clock.

mod dialogue;
mod edit;
pub mod faq;
mod import_run;
mod lead;
mod scoring;
mod settings;

pub use dialogue::{Dialogue, DialogueSettings, ModelEndpoint};
pub use edit::{LeadEdit, LeadEditError, apply_edit};
pub use import_run::{ImportStatus, LeadImport};
pub use lead::{Lead, LeadEvent, LeadSource, LeadStage, Temperature};
pub use scoring::{LeadScoring, ScoreInput, SourcePoints, score};
pub use settings::{FirstReach, FollowUpStep, LeadSettings, LeadSettingsError};
