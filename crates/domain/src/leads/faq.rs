//! The clinic's answers to common questions (opening hours, address, prices, insurance,
//! preparation), and which one a patient's question is asking for: a BM25-style match of
//! the question's words against each entry's question and keywords, accent- and
//! case-insensitive. No entry scoring enough means "ask a person".

use crate::tenant::Locale;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    /// A typical phrasing ("Qual o endereço da clínica?").
    pub question: String,
    pub answer: String,
    /// Extra words that point here ("endereco", "onde", "localizacao").
    #[serde(default)]
    pub keywords: Vec<String>,
    /// `pt-BR` or `en`; an entry without one answers in every language.
    #[serde(default)]
    pub locale: Option<String>,
}

/// Words too common to tell entries apart.
const STOP: &[&str] = &[
    "que", "qual", "quais", "como", "para", "com", "uma", "um", "voces", "voce", "vcs", "vc", "tem", "the",
    "and", "you", "your", "what", "how", "are", "for", "does", "can", "meu", "minha", "por", "favor", "ola",
    "boa", "bom", "dia", "tarde", "noite", "hello",
];

fn words(text: &str) -> HashSet<String> {
    let folded: String =
        text.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !STOP.contains(w))
        .map(|w| w.to_owned())
        .collect()
}

/// The best entry's answer for `question`, if one matches well enough.
pub fn best_answer<'a>(faq: &'a [FaqEntry], question: &str, locale: Locale) -> Option<&'a str> {
    let entries: Vec<(&FaqEntry, HashSet<String>)> = faq
        .iter()
        .filter(|e| e.locale.as_deref().is_none_or(|l| l.eq_ignore_ascii_case(locale.as_str())))
        .map(|e| {
            let mut terms = words(&e.question);
            for k in &e.keywords {
                terms.extend(words(k));
            }
            (e, terms)
        })
        .collect();
    let asked = words(question);
    let n = entries.len() as f64;
    let mut best: Option<(f64, &FaqEntry)> = None;
    for (entry, terms) in &entries {
        let score: f64 = asked
            .iter()
            .filter(|w| terms.contains(*w))
            .map(|w| {
                let df = entries.iter().filter(|(_, t)| t.contains(w)).count() as f64;
                ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
            })
            .sum();
        if score > 0.0 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, entry));
        }
    }
    // One distinctive shared word is enough; words every entry shares score near zero.
    best.filter(|(s, _)| *s >= 0.4).map(|(_, e)| e.answer.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faq() -> Vec<FaqEntry> {
        let e = |q: &str, a: &str, k: &[&str]| FaqEntry {
            question: q.into(),
            answer: a.into(),
            keywords: k.iter().map(|s| s.to_string()).collect(),
            locale: None,
        };
        vec![
            e(
                "Qual o endereço da clínica?",
                "Rua A, 1 - Centro",
                &["onde", "localização", "address", "where"],
            ),
            e(
                "Qual o horário de funcionamento?",
                "Seg a sex, 8h às 18h",
                &["abre", "fecha", "horário", "open", "hours"],
            ),
            e("Vocês aceitam convênio?", "Aceitamos Amil e Unimed", &["plano", "convenio", "insurance"]),
            e(
                "Quanto custa a consulta?",
                "A consulta custa R$ 200",
                &["preço", "valor", "custa", "price", "cost"],
            ),
        ]
    }

    #[test]
    fn questions_find_their_answers() {
        let f = faq();
        assert_eq!(best_answer(&f, "onde fica a clinica?", Locale::PtBr), Some("Rua A, 1 - Centro"));
        assert_eq!(
            best_answer(&f, "vcs aceitam plano de saude?", Locale::PtBr),
            Some("Aceitamos Amil e Unimed")
        );
        assert_eq!(
            best_answer(&f, "qual o VALOR da consulta", Locale::PtBr),
            Some("A consulta custa R$ 200")
        );
        assert_eq!(best_answer(&f, "what time do you open?", Locale::En), Some("Seg a sex, 8h às 18h"));
        assert_eq!(best_answer(&f, "meu dente está doendo muito", Locale::PtBr), None);
        assert_eq!(best_answer(&[], "onde fica?", Locale::PtBr), None);
    }

    #[test]
    fn locale_filters_entries() {
        let mut f = faq();
        f[0].locale = Some("en".into());
        assert_eq!(best_answer(&f, "onde fica a clinica?", Locale::PtBr), None);
        assert_eq!(best_answer(&f, "where is the clinic", Locale::En), Some("Rua A, 1 - Centro"));
    }
}
