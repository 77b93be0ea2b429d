//! No-show risk: what is known about an appointment before its day, and the probability
//! that the patient will not come.
//!
//! Two scorers share one shape ([`ScoresNoShow`]): a transparent fallback from the clinic's
//! base rate (used until a clinic has enough history) and a model trained on the clinic's
//! own appointments. Both are pure; the engine gathers the features and stores the model.

mod encode;
mod fallback;
mod features;
pub mod metrics;
mod model;
mod odds;
mod stored;
mod tested;
pub mod vitoria;

pub use fallback::{DEFAULT_RATE, Fallback};
pub use features::{
    AppointmentFeatures, Example, PatientHistory, ReminderState, Risk, RiskLevel, RiskReason,
};
pub use metrics::{CalibrationBin, Metrics};
pub use model::{Choice, MIN_EXAMPLES, MIN_NO_SHOWS, Scores, TrainError, TrainedModel, Validation, train};
pub use stored::{NoShowModelInfo, StoredNoShowModel};
pub use tested::{TEST_SHARE, Tested, TestedTrainError, train_and_test};

/// Anything that turns an appointment's features into a risk with its reasons.
pub trait ScoresNoShow {
    fn score(&self, features: &AppointmentFeatures) -> Risk;
}
