//! Which language a patient writes in (pt-BR or English), and when a conversation follows
//! them into another one.
//!
//! # Why word lists and not a language-identification crate
//! `whatlang` and `lingua` identify languages from letter statistics. Both are good on a
//! sentence, but WhatsApp messages are mostly a few words ("ok", "sim", "10h", "yes please"),
//! where letter statistics guess: `whatlang` reports low reliability below ~20 characters, and
//! `lingua`'s accurate mode needs tens of megabytes of n-gram models for a decision our
//! lexicon makes from the same handful of words. What decides a short message is whether it
//! contains words that only one of the clinic's languages uses ("quero", "amanhã" vs "want",
//! "tomorrow"), and these are exactly the words the NLU already knows. So each language has a
//! list of marker words (function words and the booking vocabulary of the lexicon) that do
//! not exist in the other; words both use ("ok", "no", "me", "a", names, numbers, times,
//! emojis) are in no list and carry no evidence. Portuguese diacritics (ã, ç, õ, ê...) count
//! as one more marker.
//!
//! Adding Spanish means a `Locale` variant and one more row in [`MARKERS`]; the scoring and
//! the hysteresis below are per language, not a two-way switch.
//!
//! # Hysteresis
//! A conversation switches language only on clear evidence ([`LanguageMemory::follow`]): one
//! [`Strength::Strong`] message (three marker words or more, well ahead of any other
//! language), or two [`Strength::Weak`] ones in a row in the same new language. Messages with
//! no evidence neither count nor break a streak; a message in the current language does.
//! So a Portuguese patient's one "ok thanks" leaves the conversation in Portuguese.

use crate::tenant::Locale;
use serde::{Deserialize, Serialize};

/// Words only this language uses (lower case, as written; accents both with and without,
/// since patients drop them).
const MARKERS: &[(Locale, &[&str])] = &[
    (
        Locale::PtBr,
        &[
            "eu",
            "você",
            "voce",
            "vc",
            "vcs",
            "quero",
            "queria",
            "gostaria",
            "marcar",
            "agendar",
            "agenda",
            "consulta",
            "consultas",
            "obrigado",
            "obrigada",
            "obg",
            "brigado",
            "sim",
            "não",
            "nao",
            "tem",
            "têm",
            "horário",
            "horario",
            "horários",
            "horarios",
            "amanhã",
            "amanha",
            "hoje",
            "manhã",
            "manha",
            "tarde",
            "noite",
            "pode",
            "podem",
            "ser",
            "para",
            "pra",
            "com",
            "uma",
            "um",
            "de",
            "da",
            "dos",
            "das",
            "que",
            "meu",
            "minha",
            "bom",
            "boa",
            "dia",
            "olá",
            "ola",
            "oi",
            "tudo",
            "bem",
            "semana",
            "segunda",
            "terça",
            "terca",
            "quarta",
            "quinta",
            "sexta",
            "sábado",
            "sabado",
            "domingo",
            "próxima",
            "proxima",
            "cancelar",
            "remarcar",
            "desmarcar",
            "preciso",
            "médico",
            "medico",
            "médica",
            "quanto",
            "custa",
            "onde",
            "fica",
            "aceita",
            "aceitam",
            "convênio",
            "convenio",
            "está",
            "esta",
            "estou",
            "é",
            "o",
            "os",
            "ao",
            "na",
            "nas",
            "nos",
            "mas",
            "também",
            "tambem",
            "tchau",
            "valeu",
            "beleza",
            "blz",
            "certo",
            "isso",
            "às",
            "horas",
            "pfv",
            "por",
            "favor",
            "qual",
            "quais",
            "quando",
            "sou",
            "já",
            "ja",
            "ainda",
            "muito",
            "mais",
            "vou",
            "posso",
            "seu",
            "sua",
            "esse",
            "essa",
            "ter",
            "fazer",
            "falar",
            "pessoa",
            "atendente",
            "nenhum",
            "nenhuma",
            "outro",
            "outra",
            "opção",
            "opcao",
            "primeiro",
            "primeira",
            "último",
            "ultimo",
            "consigo",
            "ir",
            "e",
            "ou",
            "mim",
            "aí",
            "ai",
            "então",
            "entao",
            "obrigadão",
            "perfeito",
            "ótimo",
            "otimo",
            "combinado",
            "claro",
            "exame",
            "dor",
            "dentista",
            "clínica",
            "clinica",
            "nome",
            "chamo",
            "receber",
            "mensagens",
            "parar",
            "tá",
            "ta",
            "ne",
            "né",
            "pois",
            "depois",
            "antes",
            "cedo",
            "próximo",
            "proximo",
            "disponível",
            "disponivel",
            "vaga",
            "vagas",
        ],
    ),
    (
        Locale::En,
        &[
            "i",
            "i'm",
            "im",
            "i'd",
            "you",
            "your",
            "want",
            "would",
            "like",
            "book",
            "booking",
            "appointment",
            "appointments",
            "please",
            "pls",
            "plz",
            "thanks",
            "thank",
            "thx",
            "yes",
            "yeah",
            "yep",
            "not",
            "the",
            "to",
            "is",
            "are",
            "can",
            "could",
            "my",
            "have",
            "has",
            "tomorrow",
            "today",
            "morning",
            "afternoon",
            "evening",
            "next",
            "week",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "cancel",
            "reschedule",
            "need",
            "doctor",
            "how",
            "much",
            "where",
            "what",
            "when",
            "which",
            "hello",
            "hey",
            "hi",
            "good",
            "time",
            "times",
            "slot",
            "slots",
            "works",
            "for",
            "and",
            "with",
            "at",
            "on",
            "in",
            "of",
            "it",
            "this",
            "that",
            "there",
            "am",
            "will",
            "won't",
            "can't",
            "cant",
            "make",
            "see",
            "sure",
            "great",
            "sorry",
            "hours",
            "open",
            "price",
            "cost",
            "does",
            "accept",
            "insurance",
            "u",
            "ur",
            "one",
            "first",
            "second",
            "none",
            "other",
            "another",
            "any",
            "just",
            "also",
            "still",
            "already",
            "found",
            "clinic",
            "call",
            "stop",
            "speak",
            "person",
            "human",
            "was",
            "be",
            "get",
            "go",
            "confirm",
            "perfect",
            "name",
            "is",
            "it's",
            "its",
            "okay",
            "alright",
            "fine",
            "thanks!",
            "after",
            "before",
            "earlier",
            "later",
            "available",
            "day",
            "days",
            "messages",
            "texting",
            "nope",
            "we",
            "our",
            "me?",
            "do",
            "don't",
            "dont",
            "an",
            "some",
            "here",
            "there's",
            "lunch",
            "noon",
            "tonight",
        ],
    ),
];

/// Letters only Portuguese (of the languages here) writes.
const PT_LETTERS: &[char] = &['ã', 'õ', 'ç', 'ê', 'ô', 'â', 'à'];

/// How sure a message's language is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strength {
    /// One or two marker words ahead ("ok thanks", "sim, pode ser").
    Weak,
    /// Three marker words or more, at least twice any other language's.
    Strong,
}

/// What a message says about its language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evidence {
    pub locale: Locale,
    pub strength: Strength,
}

/// Marker words per language found in `text`, in the order of [`MARKERS`].
pub fn scores(text: &str) -> Vec<(Locale, u32)> {
    // Only the first 4096 characters are read, like `understand`.
    let text: String = text.chars().take(4096).collect::<String>().to_lowercase();
    let words: Vec<&str> =
        text.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).collect();
    MARKERS
        .iter()
        .map(|(locale, markers)| {
            let mut n =
                u32::try_from(words.iter().filter(|w| markers.contains(w)).count()).unwrap_or(u32::MAX);
            if *locale == Locale::PtBr && text.chars().any(|c| PT_LETTERS.contains(&c)) {
                n += 1;
            }
            (*locale, n)
        })
        .collect()
}

/// The language of one message, or `None` when it carries no evidence ("ok", "2", "👍",
/// "Maria", "10h") or is as much one language as another.
pub fn detect(text: &str) -> Option<Evidence> {
    let mut s = scores(text);
    s.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    let (locale, best) = *s.first()?;
    let runner_up = s.get(1).map_or(0, |r| r.1);
    if best == 0 || best <= runner_up {
        return None;
    }
    let strength = if best >= 3 && best > runner_up * 2 { Strength::Strong } else { Strength::Weak };
    Some(Evidence { locale, strength })
}

/// A conversation's language between messages: kept with the dialogue's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LanguageMemory {
    /// A weak message in another language than the conversation's, waiting for a second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Locale>,
}

impl LanguageMemory {
    /// The conversation's language after a message with `evidence`, given its language so far
    /// (the patient's stored one).
    pub fn follow(&mut self, current: Locale, evidence: Option<Evidence>) -> Locale {
        let Some(e) = evidence else { return current };
        if e.locale == current {
            self.pending = None;
            return current;
        }
        match e.strength {
            Strength::Strong => {
                self.pending = None;
                e.locale
            }
            Strength::Weak if self.pending == Some(e.locale) => {
                self.pending = None;
                e.locale
            }
            Strength::Weak => {
                self.pending = Some(e.locale);
                current
            }
        }
    }
}

/// Detection scored on labelled messages.
#[derive(Debug, Clone, PartialEq)]
pub struct LanguageEvaluation {
    pub total: usize,
    pub correct: usize,
    pub accuracy: f64,
    /// Labelled messages whose detection was wrong: `(text, expected, got)`.
    pub misses: Vec<(String, Option<Locale>, Option<Locale>)>,
}

/// Scores [`detect`] on lines `label<TAB>message`, where label is `pt-BR`, `en` or `-` (a
/// message without evidence). Blank lines and `#` comments are skipped.
pub fn evaluate_languages(labelled: &str) -> LanguageEvaluation {
    let mut total = 0;
    let mut correct = 0;
    let mut misses = Vec::new();
    for line in labelled.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((label, text)) = line.split_once('\t') else { continue };
        let expected = match label.trim() {
            "-" => None,
            other => match Locale::parse(other) {
                Ok(l) => Some(l),
                Err(_) => continue,
            },
        };
        let got = detect(text).map(|e| e.locale);
        total += 1;
        if got == expected {
            correct += 1;
        } else {
            misses.push((text.to_owned(), expected, got));
        }
    }
    let accuracy = if total == 0 { 0.0 } else { correct as f64 / total as f64 };
    LanguageEvaluation { total, correct, accuracy, misses }
}

/// The labelled evaluation set kept in the repository.
pub const LANGUAGE_EVAL: &str = include_str!("language_eval.tsv");

#[cfg(test)]
mod tests {
    use super::*;

    fn strong(l: Locale) -> Option<Evidence> {
        Some(Evidence { locale: l, strength: Strength::Strong })
    }

    #[test]
    fn short_ambiguous_messages_carry_no_evidence() {
        for t in ["ok", "2", "👍", "Maria", "10h", "ok!", "14:30", "Maria Silva", "", "kkkk"] {
            assert_eq!(detect(t), None, "{t}");
        }
    }

    #[test]
    fn clear_messages_are_strong() {
        assert_eq!(detect("Hi, I would like to book an appointment for tomorrow"), strong(Locale::En));
        assert_eq!(detect("Oi, quero marcar uma consulta para amanhã"), strong(Locale::PtBr));
    }

    #[test]
    fn short_messages_are_weak() {
        assert_eq!(detect("ok thanks").map(|e| e.strength), Some(Strength::Weak));
        assert_eq!(detect("ok thanks").map(|e| e.locale), Some(Locale::En));
        assert_eq!(detect("sim").map(|e| (e.locale, e.strength)), Some((Locale::PtBr, Strength::Weak)));
    }

    #[test]
    fn one_weak_message_does_not_switch() {
        let mut m = LanguageMemory::default();
        assert_eq!(m.follow(Locale::PtBr, detect("ok thanks")), Locale::PtBr);
        assert_eq!(m.follow(Locale::PtBr, detect("sim, pode ser")), Locale::PtBr);
        assert_eq!(m.pending, None, "a Portuguese message breaks the streak");
        assert_eq!(m.follow(Locale::PtBr, detect("thanks")), Locale::PtBr);
    }

    #[test]
    fn two_weak_messages_in_a_row_switch_and_neutral_ones_do_not_break_the_streak() {
        let mut m = LanguageMemory::default();
        assert_eq!(m.follow(Locale::PtBr, detect("yes please")), Locale::PtBr);
        assert_eq!(m.follow(Locale::PtBr, detect("2")), Locale::PtBr);
        assert_eq!(m.follow(Locale::PtBr, detect("thanks")), Locale::En);
    }

    #[test]
    fn one_strong_message_switches() {
        let mut m = LanguageMemory::default();
        assert_eq!(m.follow(Locale::PtBr, detect("I need to reschedule my appointment please")), Locale::En);
        assert_eq!(
            m.follow(Locale::En, detect("Na verdade prefiro falar em português, pode ser?")),
            Locale::PtBr
        );
    }

    #[test]
    fn labelled_set_accuracy_floor() {
        let e = evaluate_languages(LANGUAGE_EVAL);
        eprintln!(
            "language detection: {}/{} ({:.1}%), misses: {:?}",
            e.correct,
            e.total,
            e.accuracy * 100.0,
            e.misses
        );
        assert!(e.total >= 150, "only {} labelled messages", e.total);
        assert!(e.accuracy >= 0.95, "accuracy {:.3}; misses: {:#?}", e.accuracy, e.misses);
    }
}
