//! Which of a clinic's services a message asks for: "quero ver o cardiologista", "I need a
//! cardiology appointment", "skin doctor", "check-up".
//!
//! Each service is known by its own words (name, department, the clinic's synonyms for it)
//! and by the built-in vocabulary of the specialty those words belong to (pt-BR and English:
//! "Cardiologia" brings "cardio", "coração", "heart doctor"...). A message matches a word
//! exactly, in the plural, or with typos: one edit for words of six letters or more, two from
//! ten (accents and case never count: both sides are normalised first). The service with the
//! strongest match wins; a tie between services is no answer, so that the dialogue asks
//! rather than guessing ("dentista" in a clinic with "Limpeza" and "Clareamento").

use super::text::damerau_levenshtein;
use super::{normalize, truncate};
use crate::scheduling::Service;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Specialty vocabulary, pt-BR and English, as patients write it. The first word names the
/// specialty (for the docs and tests); every word, including the first, is a match term.
const SPECIALTIES: &[&[&str]] = &[
    &[
        "cardiologia",
        "cardiologista",
        "cardiologico",
        "cardiologica",
        "cardio",
        "coracao",
        "cardiaco",
        "cardiaca",
        "eletrocardiograma",
        "ecocardiograma",
        "cardiology",
        "cardiologist",
        "heart",
        "heart doctor",
        "cardiac",
    ],
    &[
        "dermatologia",
        "dermatologista",
        "dermatologico",
        "dermato",
        "derma",
        "pele",
        "medico da pele",
        "dermatology",
        "dermatologist",
        "skin",
        "skin doctor",
    ],
    &[
        "check up",
        "checkup",
        "consulta de rotina",
        "exame de rotina",
        "exames de rotina",
        "clinico geral",
        "clinica geral",
        "clinica medica",
        "medico de familia",
        "general practitioner",
        "gp",
        "family doctor",
        "general check",
        "physical",
        "annual physical",
        "routine check",
    ],
    &[
        "pediatria",
        "pediatra",
        "pediatrico",
        "pediatrica",
        "pediatrics",
        "paediatrics",
        "pediatrician",
        "paediatrician",
        "kids doctor",
    ],
    &[
        "ginecologia",
        "ginecologista",
        "gineco",
        "obstetricia",
        "obstetra",
        "pre natal",
        "prenatal",
        "preventivo",
        "papanicolau",
        "gynecology",
        "gynaecology",
        "gynecologist",
        "gynaecologist",
        "obgyn",
        "ob gyn",
    ],
    &[
        "oftalmologia",
        "oftalmologista",
        "oftalmo",
        "oculista",
        "exame de vista",
        "olhos",
        "ophthalmology",
        "ophthalmologist",
        "eye doctor",
        "eye exam",
        "eyes",
        "optometrist",
    ],
    &[
        "ortopedia",
        "ortopedista",
        "ortopedico",
        "traumatologia",
        "orthopedics",
        "orthopaedics",
        "orthopedist",
        "orthopedic",
        "orthopaedic",
        "bone doctor",
    ],
    &[
        "odontologia",
        "odonto",
        "dentista",
        "dente",
        "dentes",
        "dentistry",
        "dentist",
        "dental",
        "tooth",
        "teeth",
    ],
    &[
        "fisioterapia",
        "fisioterapeuta",
        "fisio",
        "reabilitacao",
        "physiotherapy",
        "physiotherapist",
        "physical therapy",
        "physical therapist",
        "physio",
    ],
    &[
        "psicologia",
        "psicologo",
        "psicologa",
        "psico",
        "terapia",
        "terapeuta",
        "psicoterapia",
        "psychology",
        "psychologist",
        "therapy",
        "therapist",
        "counselling",
        "counseling",
    ],
    &["psiquiatria", "psiquiatra", "psychiatry", "psychiatrist"],
    &[
        "nutricao",
        "nutricionista",
        "nutri",
        "nutrologo",
        "nutrologia",
        "dieta",
        "nutrition",
        "nutritionist",
        "dietitian",
        "dietician",
    ],
    &[
        "otorrinolaringologia",
        "otorrinolaringologista",
        "otorrino",
        "ouvido",
        "garganta",
        "ent",
        "ear nose throat",
        "ear nose and throat",
        "otolaryngology",
        "otolaryngologist",
    ],
];

/// Names of procedures in both languages: a service whose own words hold one of a group is
/// also known by the others, as strongly as by its name ("cleaning" is the service Limpeza,
/// not any dental service).
const TRANSLATIONS: &[&[&str]] = &[
    &["limpeza", "cleaning", "profilaxia", "teeth cleaning"],
    &["clareamento", "whitening", "teeth whitening", "clareamento dental"],
    &["canal", "root canal", "tratamento de canal"],
    &["ortodontia", "aparelho", "braces", "orthodontics", "orthodontist", "ortodontista"],
    &["implante", "implant", "implante dentario", "dental implant"],
    &["extracao", "extraction", "tirar dente", "tooth extraction"],
    &["restauracao", "filling", "obturacao"],
    &["avaliacao", "evaluation", "assessment"],
    &["retorno", "follow up", "revisao"],
    &["exame de sangue", "blood test", "hemograma"],
    &["ultrassom", "ultrassonografia", "ultrasound"],
    &["vacina", "vacinacao", "vaccine", "vaccination", "shot"],
    &["pre natal", "prenatal", "prenatal care"],
];

static TRANSLATED: LazyLock<Vec<Vec<Vec<String>>>> = LazyLock::new(|| {
    TRANSLATIONS
        .iter()
        .map(|terms| terms.iter().map(|t| words(t)).filter(|w| !w.is_empty()).collect())
        .collect()
});

/// The vocabulary normalised like messages (so "coração" and "check-up" compare as written).
static VOCABULARY: LazyLock<Vec<Vec<Vec<String>>>> = LazyLock::new(|| {
    SPECIALTIES
        .iter()
        .map(|terms| terms.iter().map(|t| words(t)).filter(|w| !w.is_empty()).collect())
        .collect()
});

fn words(text: &str) -> Vec<String> {
    normalize(text).split_whitespace().map(str::to_owned).collect()
}

/// Whether a message word stands for a term word: equal, a plural of it, or a typo.
fn same_word(word: &str, term: &str) -> bool {
    if word == term {
        return true;
    }
    let plural =
        |a: &str, b: &str| a.strip_suffix('s').or_else(|| a.strip_suffix("es")).is_some_and(|s| s == b);
    if term.len() >= 4 && (plural(word, term) || plural(term, word)) {
        return true;
    }
    // Short words are too close to other words ("vista"/"lista", "pele"/"pelo") for typos.
    let allowed = match term.chars().count() {
        0..=5 => 0,
        6..=9 => 1,
        _ => 2,
    };
    allowed > 0
        && word.len().abs_diff(term.len()) <= allowed
        && damerau_levenshtein(word, term, allowed) <= allowed
}

/// The strength of the best occurrence of `term` in `message`: its letters, halved if a typo
/// was needed; 0 when absent.
fn occurrence(message: &[String], term: &[String]) -> usize {
    if term.is_empty() || term.len() > message.len() {
        return 0;
    }
    let letters: usize = term.iter().map(String::len).sum::<usize>() + term.len() - 1;
    let mut best = 0;
    for window in message.windows(term.len()) {
        if window.iter().zip(term).all(|(w, t)| same_word(w, t)) {
            let exact = window.iter().zip(term).all(|(w, t)| w == t);
            best = best.max(if exact { letters * 2 } else { letters });
        }
    }
    best
}

/// The one-word terms of the specialties and procedures `name` belongs to ("Consulta
/// cardiológica" gives "cardiologia", "cardio", "cardiology", "heart"...), for matching a
/// service by what people call it outside the dialogue (the assistant's questions).
pub fn vocabulary_for(name: &str) -> Vec<String> {
    let own = words(name);
    let mut out: Vec<String> = Vec::new();
    for group in VOCABULARY.iter().chain(TRANSLATED.iter()) {
        let belongs = group.iter().any(|term| term.len() == 1 && own.iter().any(|w| same_word(w, &term[0])));
        if belongs {
            for term in group.iter().filter(|t| t.len() == 1) {
                if !out.contains(&term[0]) {
                    out.push(term[0].clone());
                }
            }
        }
    }
    out
}

/// The service a message asks for, or `None` when it names none or several equally well.
/// `synonyms` are the clinic's own words per service, keyed by service id or name
/// (`DialogueSettings::service_synonyms`).
pub fn best_service<'a>(
    text: &str,
    services: &'a [Service],
    synonyms: &BTreeMap<String, Vec<String>>,
) -> Option<&'a Service> {
    let message = words(truncate(text));
    if message.is_empty() {
        return None;
    }
    // A service's own words count more than its specialty's: "limpeza" names the service
    // Limpeza even though "dentista" would fit Clareamento as well.
    const OWN: usize = 1000;
    let mut scores: Vec<usize> = Vec::with_capacity(services.len());
    for service in services {
        let mut own: Vec<Vec<String>> = vec![words(&service.name), words(&service.department)];
        let keyed = [service.id.to_string(), service.name.clone()];
        for key in &keyed {
            if let Some(list) = synonyms.get(key) {
                own.extend(list.iter().map(|s| words(s)));
            }
        }
        own.retain(|w| !w.is_empty());
        let translated: Vec<Vec<String>> = TRANSLATED
            .iter()
            .filter(|group| own.iter().any(|o| group.iter().any(|t| occurrence(o, t) > 0)))
            .flat_map(|group| group.iter().cloned())
            .collect();
        own.extend(translated);
        let own_score = own.iter().map(|t| occurrence(&message, t)).max().unwrap_or(0);
        let specialty_score = VOCABULARY
            .iter()
            .filter(|terms| own.iter().any(|o| terms.iter().any(|t| occurrence(o, t) > 0)))
            .flat_map(|terms| terms.iter().map(|t| occurrence(&message, t)))
            .max()
            .unwrap_or(0);
        scores.push(if own_score > 0 { OWN + own_score } else { specialty_score });
    }
    let best = *scores.iter().max()?;
    if best == 0 || scores.iter().filter(|&&s| s == best).count() > 1 {
        return None;
    }
    scores.iter().position(|&s| s == best).map(|i| &services[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ServiceId, TenantId};

    fn service(name: &str, department: &str) -> Service {
        Service {
            id: ServiceId::new(),
            tenant_id: TenantId::new(),
            name: name.into(),
            department: department.into(),
            duration_minutes: 30,
            price_cents: None,
        }
    }

    fn clinic() -> Vec<Service> {
        vec![
            service("Consulta cardiológica", "Cardiologia"),
            service("Consulta dermatológica", "Dermatologia"),
            service("Check-up completo", "Clínica geral"),
            service("Consulta pediátrica", "Pediatria"),
            service("Sessão de fisioterapia", "Fisioterapia"),
            service("Limpeza", "Odontologia"),
            service("Clareamento", "Odontologia"),
        ]
    }

    fn pick(text: &str) -> Option<String> {
        let services = clinic();
        best_service(text, &services, &BTreeMap::new()).map(|s| s.name.clone())
    }

    #[test]
    fn specialty_words_in_both_languages() {
        let cases = [
            ("quero ver o cardiologista", "Consulta cardiológica"),
            ("I need a cardiology appointment", "Consulta cardiológica"),
            ("marcar cardio pra sexta", "Consulta cardiológica"),
            ("meu coração está acelerado", "Consulta cardiológica"),
            ("can I see a dermatologist next week?", "Consulta dermatológica"),
            ("queria a dermato", "Consulta dermatológica"),
            ("tenho uma mancha na pele", "Consulta dermatológica"),
            ("I need a skin doctor", "Consulta dermatológica"),
            ("quero fazer um check-up", "Check-up completo"),
            ("a checkup please", "Check-up completo"),
            ("consulta de rotina com clínico geral", "Check-up completo"),
            ("my son needs a pediatrician", "Consulta pediátrica"),
            ("pediatra pro meu filho", "Consulta pediátrica"),
            ("sessão de fisio", "Sessão de fisioterapia"),
            ("physiotherapy for my knee", "Sessão de fisioterapia"),
            ("quero agendar limpeza", "Limpeza"),
            ("a cleaning please", "Limpeza"),
            ("quero fazer clareamento", "Clareamento"),
        ];
        for (text, expected) in cases {
            assert_eq!(pick(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn typos_accents_and_plurals() {
        assert_eq!(pick("quero ver o cardiologsta").as_deref(), Some("Consulta cardiológica"));
        assert_eq!(pick("CORACAO").as_deref(), Some("Consulta cardiológica"));
        assert_eq!(pick("preciso de um dermatolojista").as_deref(), Some("Consulta dermatológica"));
        assert_eq!(pick("fisioterapeutas bons").as_deref(), Some("Sessão de fisioterapia"));
        assert_eq!(pick("clareamentos").as_deref(), Some("Clareamento"));
    }

    #[test]
    fn nothing_or_ambiguous_is_none() {
        assert_eq!(pick("quero marcar uma consulta"), None, "'consulta' is in several names");
        assert_eq!(pick("oi, bom dia"), None);
        assert_eq!(pick(""), None);
        assert_eq!(pick("preciso de um dentista"), None, "Limpeza or Clareamento: ask");
        assert_eq!(pick("me tira da lista"), None, "'lista' is no 'vista'");
        let services = clinic();
        assert!(best_service("ginecologista", &services, &BTreeMap::new()).is_none(), "not offered");
    }

    #[test]
    fn the_clinics_synonyms() {
        let services = clinic();
        let mut synonyms = BTreeMap::new();
        synonyms.insert("Clareamento".to_owned(), vec!["dentes brancos".to_owned(), "whitening".to_owned()]);
        let limpeza = services.iter().find(|s| s.name == "Limpeza").unwrap();
        synonyms.insert(limpeza.id.to_string(), vec!["profilaxia".to_owned()]);
        let pick = |t: &str| best_service(t, &services, &synonyms).map(|s| s.name.as_str());
        assert_eq!(pick("quero deixar os dentes brancos"), Some("Clareamento"));
        assert_eq!(pick("teeth whitening"), Some("Clareamento"));
        assert_eq!(pick("profilaxia"), Some("Limpeza"));
        assert_eq!(pick("preciso de um dentista"), None);
    }
}
