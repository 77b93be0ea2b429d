//! A reply that asks what the clinic's message was about: "quem é?", "não entendi",
//! "do que se trata?", "who is this?", "what is this about?". After an outreach message
//! (a campaign's recall) the right answer is a short clarification of who writes and why,
//! not a hand-off to staff. Phrases are matched whole-word on the [`super::normalize`]d
//! text.

use super::normalize;

/// Said only in a short message: "quem é?" asks who writes, "quem é o dentista de
/// sábado?" asks something else.
const SHORT_PHRASES: &[&str] = &["quem e", "quem ta", "que clinica", "qual clinica", "confused"];
/// The most words a message may have for [`SHORT_PHRASES`] to count.
const SHORT: usize = 6;

const PHRASES: &[&str] = &[
    "quem fala",
    "quem esta falando",
    "quem ta falando",
    "nao entendi",
    "nao entendo",
    "nao compreendi",
    "do que se trata",
    "do que e isso",
    "o que e isso",
    "que mensagem e essa",
    "que mensagem",
    "quem sao voces",
    "nao conheco",
    "who is this",
    "who are you",
    "whos this",
    "what is this",
    "what s this",
    "whats this",
    "what is this about",
    "what clinic",
    "which clinic",
    "i dont understand",
    "i do not understand",
    "dont understand",
    "do not understand",
    "i m confused",
    "im confused",
    "do i know you",
];

/// Whether the message asks what this is about (and nothing more specific).
pub fn is_confused(text: &str) -> bool {
    let normalized = normalize(text);
    let t = format!(" {normalized} ");
    let has = |p: &&str| t.contains(&format!(" {p} "));
    PHRASES.iter().any(has)
        || (normalized.split_whitespace().count() <= SHORT && SHORT_PHRASES.iter().any(has))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_in_both_languages_and_not_otherwise() {
        for yes in [
            "Hã? Quem é? Não entendi essa mensagem",
            "quem é??",
            "do que se trata?",
            "Que clínica é essa?",
            "who is this?",
            "Sorry, what is this about?",
            "I don't understand",
        ] {
            assert!(is_confused(yes), "{yes}");
        }
        for no in [
            "Quero marcar",
            "Vocês atendem aos sábados?",
            "não, obrigada",
            "quem é o dentista que atende aos sábados?",
            "What time do you open?",
            "Entendi, obrigada",
        ] {
            assert!(!is_confused(no), "{no}");
        }
    }
}
