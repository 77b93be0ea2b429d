//! Topics the assistant never advises on: a professional answers them.

use crate::nlu::matcher::PatternSet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::LazyLock;

/// A kind of question only a professional may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// "o que eu tenho?", "is this cancer?", "é grave?"
    Diagnosis,
    /// "quantos mg posso tomar", "can I take ibuprofen with...", "qual remédio tomo?"
    Dosage,
    /// "o que significa meu exame?", "are my results normal?"
    Results,
}

impl Topic {
    pub const ALL: [Topic; 3] = [Self::Diagnosis, Self::Dosage, Self::Results];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Diagnosis => "diagnosis",
            Self::Dosage => "dosage",
            Self::Results => "results",
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const MEDICINES: &str = "remedio|remedios|medicamento|medicamentos|medicacao|comprimido|comprimidos|capsula|\
capsulas|gotas|antibiotico|antibioticos|antiinflamatorio|anti|analgesico|analgesicos|ibuprofeno|dipirona|paracetamol|\
nimesulida|amoxicilina|azitromicina|cetoprofeno|diclofenaco|novalgina|tylenol|advil|aspirina|aspirin|ibuprofen|\
acetaminophen|paracetamol|amoxicillin|antibiotic|antibiotics|medicine|medicines|medication|medications|pill|pills|\
tablet|tablets|painkiller|painkillers|drug|drugs|mg|ml|miligramas|dose|doses|xarope|syrup|pomada|ointment|\
benzetacil|penicilina|penicillin|nurofen|motrin|aleve|naproxeno|naproxen|codeina|codeine|tramadol|rivotril|\
clonazepam|anticoncepcional|insulina|insulin";

/// (topic, pattern) in the matcher's syntax; `{MED}` stands for [`MEDICINES`].
#[rustfmt::skip]
const PATTERNS: &[(Topic, &str)] = &[
    // At the end: "o que eu tenho?" asks for a diagnosis, "o que eu tenho marcado?" does not.
    (Topic::Diagnosis, "o que eu|ele|ela|meu|minha *1 tenho|tem|teria$"),
    (Topic::Diagnosis, "o que sera|seria isso|isto$"),
    (Topic::Diagnosis, "o que pode ser isso|isto$"),
    (Topic::Diagnosis, "o que sera|seria que eu|ele|ela tenho|tem$"),
    (Topic::Diagnosis, "o que pode|poderia ser|estar"),
    (Topic::Diagnosis, "sera|seria|pode|poderia ser|estar *2 cancer|tumor|infeccao|infeccionado|infeccionada|grave|serio|quebrado|quebrada|fratura|carie|abscesso|herpes|virose|covid|dengue"),
    (Topic::Diagnosis, "e|sera|seria|isso|isto cancer|tumor|grave|serio|perigoso|normal|infeccao|maligno|benigno"),
    (Topic::Diagnosis, "tenho|tem *1 cancer|tumor|infeccao|diabetes|covid|dengue|herpes"),
    (Topic::Diagnosis, "diagnostico|diagnosticar|diagnostica|diagnosis|diagnose|diagnosed"),
    (Topic::Diagnosis, "what do|could i|it|this have|be"),
    (Topic::Diagnosis, "what is wrong with me|my|him|her"),
    (Topic::Diagnosis, "is|could this|it *2 cancer|serious|infected|infection|tumor|broken|normal|dangerous|malignant"),
    (Topic::Diagnosis, "do i have *1 cancer|infection|tumor|diabetes|covid"),
    (Topic::Dosage, "quantos|quantas|quanto|qual|quantidade *3 mg|ml|miligramas|gotas|comprimidos|capsulas|dose|doses|dosagem|remedio|medicamento"),
    (Topic::Dosage, "qual|que|quais|algum|alguma remedio|remedios|medicamento|medicamentos|antibiotico|analgesico|pomada|medicacao|xarope"),
    (Topic::Dosage, "posso|devo|pode|preciso|podia|poderia|consigo *2 dar|tomar|tomo|toma|usar|uso *3 {MED}"),
    (Topic::Dosage, "dosagem|posologia|dosage"),
    (Topic::Dosage, "dose de|do|da|of"),
    (Topic::Dosage, "misturar|junto|juntar|combinar|mix|together *3 {MED}"),
    (Topic::Dosage, "can|should|could|may i|we|he|she|you take|give|use|double|mix *4 {MED}"),
    (Topic::Dosage, "how much|many *3 {MED}"),
    (Topic::Dosage, "what|which|any {MED}"),
    (Topic::Dosage, "parar|stop|suspender|interromper *3 {MED}"),
    (Topic::Results, "significa|indica|mostra|dizer *5 exame|exames|resultado|resultados|raio|radiografia|tomografia|ressonancia|biopsia|hemograma|laudo|panoramica"),
    (Topic::Results, "exame|exames|resultado|resultados|raio|radiografia|tomografia|ressonancia|biopsia|hemograma|laudo|panoramica *5 significa|normal|normais|alterado|alterada|alterados|bom|ruim|bons|ruins|preocupante|interpretar|explicar|grave"),
    (Topic::Results, "interpretar|entender|analisar|ler|explicar|avaliar|olhar *3 exame|exames|resultado|resultados|raio|radiografia|laudo|tomografia"),
    (Topic::Results, "what does|do *3 results|result|test|tests|scan|xray|ray|report|biopsy *1 mean|say|show"),
    (Topic::Results, "results|result|test|tests|scan|xray|report|biopsy|bloodwork *4 normal|mean|means|good|bad|ok|okay|worrying|concerning"),
    (Topic::Results, "interpret|read|explain|understand|look *3 results|result|test|tests|scan|xray|report|biopsy|bloodwork"),
];

static SETS: LazyLock<Vec<(Topic, PatternSet)>> = LazyLock::new(|| {
    Topic::ALL
        .iter()
        .map(|&topic| {
            let sources: Vec<&'static str> = PATTERNS
                .iter()
                .filter(|(t, _)| *t == topic)
                .map(|(_, p)| -> &'static str {
                    if p.contains("{MED}") {
                        // Expanded once, for the life of the program.
                        Box::leak(p.replace("{MED}", MEDICINES).into_boxed_str())
                    } else {
                        p
                    }
                })
                .collect();
            (topic, PatternSet::new(sources))
        })
        .collect()
});

/// Words that make a medicine question about the clinic's logistics, not a dose: "posso tomar
/// café antes", "posso usar o estacionamento".
const NOT_MEDICINE: &[&str] =
    &["banho", "cafe", "agua", "shower", "coffee", "water", "estacionamento", "parking"];

/// The first of `topics` (in the clinic's order) the message asks about.
pub fn never_advise(text: &str, topics: &[Topic]) -> Option<Topic> {
    if topics.is_empty() {
        return None;
    }
    let raw = crate::nlu::truncate(text);
    let words: Vec<String> = crate::nlu::text::tokenize(raw).into_iter().map(|t| t.text).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let question = raw.contains(['?', '¿', '？']);
    topics.iter().copied().find(|topic| {
        let Some((_, set)) = SETS.iter().find(|(t, _)| t == topic) else { return false };
        let hits = set.find_all(&words);
        hits.iter().any(|h| {
            let span = &words[h.words[0]..=*h.words.last().unwrap_or(&h.words[0])];
            match topic {
                Topic::Dosage => !span.iter().any(|w| NOT_MEDICINE.contains(w)),
                // "é normal" and "is it normal" are diagnosis only as a question.
                Topic::Diagnosis => {
                    !span.iter().any(|w| matches!(*w, "normal" | "grave" | "serio" | "serious")) || question
                }
                Topic::Results => true,
            }
        })
    })
}
