//! A question about the clinic's figures, read deterministically: which figure
//! ([`super::measure`]), over which days ([`super::period_words`]), split by what, and for
//! whom ("com a Dra. Ana", "on WhatsApp"). What it cannot map it says, rather than guess
//! a number.

use super::measure::{Measure, measure};
use super::period_words::{Days, default_period, has_seq, period};
use crate::analytics::Dimension;
use crate::nlu::text::damerau_levenshtein;
use jiff::civil::Date;

/// How the rows of a split are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Every row ("por origem", "by doctor").
    All(Dimension),
    /// The row with the most ("qual canal trouxe mais", "which doctor had the most").
    Top(Dimension),
    /// The row with the least.
    Bottom(Dimension),
}

impl Split {
    pub fn dimension(self) -> Dimension {
        match self {
            Split::All(d) | Split::Top(d) | Split::Bottom(d) => d,
        }
    }
}

/// One value of a dimension the question is about ("Dra. Ana Costa", `whatsapp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub dimension: Dimension,
    pub key: String,
    pub label: String,
}

/// What the question asks, ready to run against the metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub measure: &'static Measure,
    pub from: Date,
    pub to: Date,
    pub split: Option<Split>,
    pub filter: Option<Filter>,
}

impl std::fmt::Display for Query {
    /// The canonical form the labelled questions are checked against:
    /// `no_shows 2026-11-09..2026-11-15 where practitioner=Dra. Ana Costa`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}..{}", self.measure.name, self.from, self.to)?;
        match self.split {
            Some(Split::All(d)) => write!(f, " by {}", d.as_str())?,
            Some(Split::Top(d)) => write!(f, " top {}", d.as_str())?,
            Some(Split::Bottom(d)) => write!(f, " bottom {}", d.as_str())?,
            None => {}
        }
        if let Some(w) = &self.filter {
            write!(f, " where {}={}", w.dimension.as_str(), w.label)?;
        }
        Ok(())
    }
}

/// Why a question was not mapped to a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmapped {
    /// No figure the assistant knows was named.
    NoFigure,
    /// The figure is not kept per this dimension.
    CannotSplit { measure: &'static str, dimension: Dimension },
    /// A name fits several practitioners, services or units.
    Ambiguous { names: Vec<String> },
    /// A split and a filter on another dimension at once ("no-shows by weekday with Dra.
    /// Ana"): figures are kept split by one thing at a time.
    SplitAndFilter,
}

/// The practitioners, services, units, channels and lead sources a question may name.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    entries: Vec<Named>,
}

#[derive(Debug, Clone)]
struct Named {
    dimension: Dimension,
    key: String,
    label: String,
    words: Vec<String>,
}

/// Words that name no one in particular: titles, "consulta", "unidade".
const GENERIC: [&str; 22] = [
    "dr",
    "dra",
    "doutor",
    "doutora",
    "doctor",
    "de",
    "da",
    "do",
    "das",
    "dos",
    "e",
    "consulta",
    "avaliacao",
    "unidade",
    "clinica",
    "clinic",
    "unit",
    "the",
    "and",
    "exame",
    "retorno",
    "sessao",
];

impl Catalogue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value of `dimension`, known by `label` and the extra `aliases` (a service's
    /// department, for instance).
    pub fn add(&mut self, dimension: Dimension, key: &str, label: &str, aliases: &[&str]) {
        let mut words: Vec<String> = Vec::new();
        for text in std::iter::once(label).chain(aliases.iter().copied()) {
            for w in crate::nlu::normalize(&text.replace('_', " ")).split(' ') {
                if w.len() >= 3 && !GENERIC.contains(&w) && !words.iter().any(|x| x == w) {
                    words.push(w.to_owned());
                }
            }
        }
        if dimension == Dimension::Service {
            // What people call the specialty, in both languages ("dermatology", "cardio").
            for text in std::iter::once(label).chain(aliases.iter().copied()) {
                for w in crate::nlu::services::vocabulary_for(text) {
                    if w.len() >= 4 && !GENERIC.contains(&w.as_str()) && !words.contains(&w) {
                        words.push(w);
                    }
                }
            }
        }
        self.entries.push(Named { dimension, key: key.to_owned(), label: label.to_owned(), words });
    }

    /// The message channels every clinic has.
    pub fn with_channels(mut self) -> Self {
        for (key, label) in [("whatsapp", "WhatsApp"), ("sms", "SMS"), ("email", "e-mail")] {
            self.add(Dimension::Channel, key, label, &[]);
        }
        self
    }

    /// Entries named in `tokens`, each with how well (2 exact, 1 close).
    fn named(&self, tokens: &[&str]) -> Vec<&Named> {
        let mut best: Vec<(&Named, u8)> = Vec::new();
        for e in &self.entries {
            let score =
                e.words.iter().flat_map(|w| tokens.iter().map(move |t| word_match(t, w))).max().unwrap_or(0);
            if score > 0 {
                best.push((e, score));
            }
        }
        let top = best.iter().map(|(_, s)| *s).max().unwrap_or(0);
        best.into_iter().filter(|(_, s)| *s == top).map(|(e, _)| e).collect()
    }
}

/// 2 when `token` is `word`, 1 when it is close (one typo in a long word, or a prefix of
/// at least five letters: "cardio"), else 0.
fn word_match(token: &str, word: &str) -> u8 {
    if token == word {
        return 2;
    }
    let long = token.chars().count() >= 5;
    if long && (word.starts_with(token) || damerau_levenshtein(token, word, 1) <= 1) {
        return 1;
    }
    0
}

fn any(tokens: &[&str], words: &[&str]) -> bool {
    tokens.iter().any(|t| words.contains(t))
}

fn any_phrase(tokens: &[&str], phrases: &[&[&str]]) -> bool {
    phrases.iter().any(|p| has_seq(tokens, p))
}

const NO_SHOW: [&[&str]; 8] = [
    &["no", "show"],
    &["no", "shows"],
    &["noshow"],
    &["noshows"],
    &["nao", "compareceram"],
    &["nao", "vieram"],
    &["did", "not", "show"],
    &["missed"],
];
const NO_SHOW_WORDS: [&str; 6] = ["faltas", "falta", "faltaram", "faltou", "ausencias", "absences"];
const RATE: [&str; 9] =
    ["taxa", "rate", "percentual", "porcentagem", "percentage", "percent", "proporcao", "share", "indice"];
const LEADS: [&str; 6] = ["lead", "leads", "prospects", "prospect", "interessados", "contatos"];
const AI: [&str; 7] = ["ia", "ai", "robo", "bot", "assistente", "assistant", "automatico"];
const CALLS: [&str; 8] =
    ["ligacoes", "ligacao", "chamadas", "chamada", "calls", "call", "telefonemas", "phone"];
const MESSAGES: [&str; 6] = ["mensagens", "mensagem", "messages", "message", "msgs", "texts"];
const MONEY: [&str; 14] = [
    "receita",
    "faturamento",
    "faturamos",
    "faturou",
    "faturar",
    "faturado",
    "faturada",
    "revenue",
    "dinheiro",
    "money",
    "income",
    "earn",
    "earned",
    "earnings",
];
const BOOKINGS: [&str; 14] = [
    "agendamentos",
    "agendamento",
    "agendadas",
    "agendados",
    "consultas",
    "marcadas",
    "marcacoes",
    "bookings",
    "booking",
    "booked",
    "appointments",
    "appointment",
    "agendaram",
    "marcaram",
];

/// The figure a question names, if any.
fn figure(tokens: &[&str]) -> Option<&'static Measure> {
    let t = tokens;
    let pick = |name| measure(name);
    let no_show = any_phrase(t, &NO_SHOW) || any(t, &NO_SHOW_WORDS);
    let rate = any(t, &RATE) || t.contains(&"%");
    if no_show && any(t, &MONEY)
        || any_phrase(t, &[&["receita", "perdida"], &["lost", "revenue"], &["revenue", "lost"]])
    {
        return pick("revenue_lost_to_no_shows");
    }
    if no_show {
        return pick(if rate { "no_show_rate" } else { "no_shows" });
    }
    let staff = any(t, &["equipe", "staff", "atendentes", "recepcao", "team", "humanos", "pessoas"]);
    let time = any(
        t,
        &[
            "tempo",
            "time",
            "demora",
            "demoramos",
            "demorou",
            "levamos",
            "fast",
            "rapido",
            "rapidos",
            "quickly",
            "long",
        ],
    );
    if staff && time && !any(t, &LEADS) {
        return pick("staff_response_p50_seconds");
    }
    if any_phrase(t, &[&["speed", "to", "lead"]]) || (time && any(t, &LEADS)) {
        return pick("speed_to_lead_p50_seconds");
    }
    let handed = any(
        t,
        &[
            "passadas",
            "passamos",
            "passaram",
            "passou",
            "transferidas",
            "transferimos",
            "transferiu",
            "encaminhadas",
            "encaminhamos",
            "handed",
            "transferred",
            "escalated",
            "escaladas",
            "passed",
        ],
    );
    if any(t, &["handoffs", "handoff", "transferencias", "escalations"]) || handed && staff {
        return pick("handoffs_requested");
    }
    let ai = any(t, &AI) || any_phrase(t, &[&["inteligencia", "artificial"]]);
    if ai
        && any(t, &["respostas", "replies", "respondeu", "answered", "responderam", "replied"])
        && !any(t, &BOOKINGS)
    {
        return pick("replies_by_ai_share");
    }
    if ai && (any(t, &BOOKINGS) || any(t, &["agendou", "marcou", "booked"])) {
        return pick("bookings_by_ai_share");
    }
    if any(t, &CALLS) {
        if any(
            t,
            &["atendidas", "answered", "answer", "atendimento", "atenderam", "atendeu", "pickup", "picked"],
        ) {
            return pick("calls_answered_rate");
        }
        if any(t, &["duracao", "duration", "duram", "lasted", "length"])
            || any_phrase(t, &[&["tempo", "medio"], &["how", "long"]])
        {
            return pick("calls_avg_duration_seconds");
        }
        if any(t, &["custo", "cost", "custaram", "gastamos", "spend", "spent", "gasto"]) {
            return pick("calls_cost_total");
        }
        return pick("calls_total");
    }
    if any(t, &["pacientes", "patients", "patient", "paciente"])
        && any(
            t,
            &[
                "responderam",
                "respondem",
                "respondeu",
                "responded",
                "reply",
                "replied",
                "replies",
                "respond",
                "resposta",
                "response",
            ],
        )
    {
        return pick("patient_response_rate");
    }
    if any(t, &MESSAGES) || any_phrase(t, &[&["whatsapps"]]) {
        if any(t, &["entregues", "delivered", "entrega", "delivery", "chegaram"]) {
            return pick("messages_delivered_rate");
        }
        if any(t, &["lidas", "read", "leitura", "abertas", "opened", "visualizadas"]) {
            return pick("messages_read_rate");
        }
        return pick("messages_sent");
    }
    if any(t, &MONEY) || any_phrase(t, &[&["em", "reais"]]) {
        return pick("revenue_booked");
    }
    if any(
        t,
        &[
            "cancelamentos",
            "cancelaram",
            "cancelled",
            "canceled",
            "cancellations",
            "cancelados",
            "canceladas",
            "cancelou",
        ],
    ) {
        return pick("cancellations");
    }
    let leads = any(t, &LEADS);
    // "leads que vieram do Instagram" came in; patients who "vieram" came to the visit.
    if !leads
        && any(
            t,
            &[
                "compareceram",
                "comparecimentos",
                "comparecimento",
                "showed",
                "attended",
                "vieram",
                "attendance",
                "presencas",
            ],
        )
    {
        return pick("appointments_showed");
    }
    let conversion = any(
        t,
        &[
            "conversao",
            "conversion",
            "convertemos",
            "convert",
            "converts",
            "converte",
            "convertem",
            "converteu",
            "converting",
        ],
    );
    if conversion || leads && rate && any(t, &BOOKINGS) || any_phrase(t, &[&["lead", "to", "booking"]]) {
        return pick("lead_to_booking_rate");
    }
    if leads && any(t, &["converteram", "converted", "agendaram", "booked", "marcaram", "viraram"]) {
        return pick("leads_booked");
    }
    if leads
        && any(
            t,
            &[
                "contatados",
                "contatamos",
                "contacted",
                "reached",
                "reach",
                "contact",
                "alcancamos",
                "abordados",
                "contatado",
                "contatar",
            ],
        )
    {
        return pick("leads_contacted");
    }
    if any(t, &BOOKINGS) {
        return pick("appointments_total");
    }
    if leads || any_phrase(t, &[&["novos", "pacientes"], &["new", "patients"]]) {
        return pick("leads_total");
    }
    None
}

/// Nouns for each dimension a question may split by.
const DIMENSION_WORDS: [(Dimension, &[&str]); 11] = [
    (
        Dimension::Practitioner,
        &[
            "profissional",
            "profissionais",
            "medico",
            "medicos",
            "medica",
            "doutor",
            "doutora",
            "doutores",
            "dentista",
            "dentistas",
            "doctor",
            "doctors",
            "practitioner",
            "practitioners",
            "provider",
            "providers",
            "dentist",
        ],
    ),
    (
        Dimension::Service,
        &[
            "servico",
            "servicos",
            "especialidade",
            "especialidades",
            "procedimento",
            "procedimentos",
            "service",
            "services",
            "specialty",
            "specialties",
            "procedure",
            "procedures",
            "tratamento",
            "treatment",
        ],
    ),
    (
        Dimension::Unit,
        &[
            "unidade",
            "unidades",
            "filial",
            "filiais",
            "unit",
            "units",
            "location",
            "locations",
            "branch",
            "branches",
        ],
    ),
    (
        Dimension::Source,
        &[
            "origem", "origens", "fonte", "fontes", "canal", "canais", "source", "sources", "channel",
            "channels",
        ],
    ),
    (Dimension::Weekday, &["weekday", "weekdays"]),
    (Dimension::Hour, &["hora", "horas", "horario", "horarios", "hour", "hours"]),
    (Dimension::LeadTime, &["antecedencia"]),
    (Dimension::Confirmation, &["confirmacao", "confirmation", "confirmados", "confirmed"]),
    (Dimension::Outcome, &["resultado", "resultados", "outcome", "outcomes", "desfecho"]),
    (Dimension::Sender, &["remetente", "sender", "senders"]),
    (Dimension::Campaign, &["campanha", "campanhas", "campaign", "campaigns"]),
];

const SPLIT_MARKERS: [&str; 10] =
    ["por", "by", "per", "qual", "quais", "which", "cada", "each", "que", "what"];
const MOST: [&str; 8] = ["mais", "most", "maior", "highest", "best", "melhor", "top", "more"];
const LEAST: [&str; 8] = ["menos", "least", "fewest", "lowest", "menor", "pior", "worst", "less"];

/// The split a question asks for ("por origem", "qual profissional teve mais").
fn split(tokens: &[&str], measure: &Measure) -> Option<Split> {
    let mut found: Option<(Dimension, bool)> = None;
    for (i, t) in tokens.iter().enumerate() {
        let phrase_dimension = if has_seq(&tokens[i..], &["dia", "da", "semana"])
            || has_seq(&tokens[i..], &["dias", "da", "semana"])
            || has_seq(&tokens[i..], &["day", "of", "the", "week"])
        {
            Some(Dimension::Weekday)
        } else if has_seq(&tokens[i..], &["lead", "time"]) {
            Some(Dimension::LeadTime)
        } else if has_seq(&tokens[i..], &["time", "of", "day"]) {
            Some(Dimension::Hour)
        } else if has_seq(&tokens[i..], &["ia", "vs"]) || has_seq(&tokens[i..], &["ai", "vs"]) {
            Some(Dimension::Sender)
        } else {
            None
        };
        let dimension = phrase_dimension
            .or_else(|| DIMENSION_WORDS.iter().find(|(_, words)| words.contains(t)).map(|(d, _)| *d));
        let Some(mut dimension) = dimension else { continue };
        // "canal" splits leads by where they came from, messages by how they went.
        if dimension == Dimension::Source && !measure.dimensions().contains(&Dimension::Source) {
            dimension = Dimension::Channel;
        }
        let marked = tokens[i.saturating_sub(3)..i].iter().any(|w| SPLIT_MARKERS.contains(w));
        let which = tokens[i.saturating_sub(2)..i]
            .iter()
            .any(|w| matches!(*w, "qual" | "quais" | "which" | "que" | "what"));
        if marked || phrase_dimension == Some(Dimension::Sender) {
            found = Some((dimension, which));
            break;
        }
    }
    let (dimension, which) = found?;
    if which || tokens.first().is_some_and(|w| matches!(*w, "qual" | "which" | "what")) {
        if any(tokens, &LEAST) {
            return Some(Split::Bottom(dimension));
        }
        if any(tokens, &MOST) || which {
            return Some(Split::Top(dimension));
        }
    }
    Some(Split::All(dimension))
}

/// What a question asks, or why it cannot be answered from the figures.
pub fn read(question: &str, today: Date, catalogue: &Catalogue) -> Result<(Query, bool), Unmapped> {
    let normalized = crate::nlu::normalize(crate::nlu::truncate(question));
    let tokens: Vec<&str> = normalized.split(' ').filter(|t| !t.is_empty()).collect();
    let mut measure = figure(&tokens).ok_or(Unmapped::NoFigure)?;
    let mut split = split(&tokens, measure);
    // Bookings by where the lead came from are the leads that booked, per source.
    if let Some(s) = split
        && measure.name == "appointments_total"
        && s.dimension() == Dimension::Channel
    {
        measure = super::measure::measure("leads_booked").unwrap_or(measure);
        split = Some(match s {
            Split::All(_) => Split::All(Dimension::Source),
            Split::Top(_) => Split::Top(Dimension::Source),
            Split::Bottom(_) => Split::Bottom(Dimension::Source),
        });
    }
    if let Some(s) = split
        && !measure.dimensions().contains(&s.dimension())
    {
        return Err(Unmapped::CannotSplit { measure: measure.name, dimension: s.dimension() });
    }
    let filter = filter(&tokens, catalogue, measure, split)?;
    if split.is_some() && filter.is_some() {
        return Err(Unmapped::SplitAndFilter);
    }
    let (Days { from, to }, assumed) = match period(question, &tokens, today) {
        Some(d) => (d, false),
        None => (default_period(today), true),
    };
    Ok((Query { measure, from, to, split, filter }, assumed))
}

/// The one practitioner, service, unit, channel or source the question is about.
fn filter(
    tokens: &[&str],
    catalogue: &Catalogue,
    measure: &'static Measure,
    split: Option<Split>,
) -> Result<Option<Filter>, Unmapped> {
    let named = catalogue.named(tokens);
    // A name of the split's own dimension is its row, not a filter ("Dra. Ana vs Dr. Bruno").
    let named: Vec<&Named> =
        named.into_iter().filter(|e| Some(e.dimension) != split.map(|s| s.dimension())).collect();
    match named.as_slice() {
        [] => Ok(None),
        [one] => {
            if !measure.dimensions().contains(&one.dimension) {
                return Err(Unmapped::CannotSplit { measure: measure.name, dimension: one.dimension });
            }
            Ok(Some(Filter { dimension: one.dimension, key: one.key.clone(), label: one.label.clone() }))
        }
        several => {
            // A channel named beside a figure that cannot be split by it ("WhatsApp leads")
            // is left out before calling the question ambiguous.
            let fitting: Vec<&&Named> =
                several.iter().filter(|e| measure.dimensions().contains(&e.dimension)).collect();
            match fitting.as_slice() {
                [one] => Ok(Some(Filter {
                    dimension: one.dimension,
                    key: one.key.clone(),
                    label: one.label.clone(),
                })),
                _ => Err(Unmapped::Ambiguous { names: several.iter().map(|e| e.label.clone()).collect() }),
            }
        }
    }
}
