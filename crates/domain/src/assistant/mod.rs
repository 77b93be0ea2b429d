//! The assistant's deterministic half (docs/assistant.md): a question about the clinic's
//! figures ("quantos no-shows tivemos semana passada com a Dra. Ana?") read into a query
//! over the metrics, and the answer written back in the asker's language. Pure: the engine
//! runs the query against the rollups.

pub mod answer;
pub mod eval;
pub mod measure;
pub mod period_words;
pub mod question;

pub use answer::{Found, Row};
pub use measure::{MEASURES, Measure};
pub use question::{Catalogue, Filter, Query, Split, Unmapped, read};
