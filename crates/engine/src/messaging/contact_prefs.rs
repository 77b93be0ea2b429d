//! One consent record for calls and messages. "Não me liguem mais" on WhatsApp opts the
//! patient out of calls (the `voice` channel) and leaves messages alone; "stop texting me"
//! on a call opts them out of messages (WhatsApp, SMS, e-mail) and leaves calls alone; an
//! e-mail's unsubscribe link opts them out of everything. Every
//! change is a consent record with its source (`keyword` for a message, `voice` for a
//! call), shown by the consent API, plus an `opted_out` fact.
//!
//! It lives with messaging, which keeps the consent record; voice (tools, the end-of-call
//! report) calls into it, never the reverse.

use crate::Ctx;
use frontdesk_domain::facts::{Fact, FactKind};
use frontdesk_domain::messaging::{Channel, Consent, ConsentState, may_send_automated};
use frontdesk_domain::nlu::ContactRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_store::StoreError;

/// What a patient no longer wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOutScope {
    Calls,
    Messages,
    /// Every channel, calls included: an e-mail's unsubscribe link.
    Everything,
}

impl OptOutScope {
    pub fn of(request: ContactRequest) -> Option<Self> {
        match request {
            ContactRequest::StopCalls => Some(Self::Calls),
            ContactRequest::StopMessages => Some(Self::Messages),
            ContactRequest::CallBack => None,
        }
    }

    /// `calls`/`messages` (a tool's argument), with their Portuguese words too.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_lowercase().as_str() {
            "calls" | "call" | "voice" | "phone" | "ligacoes" | "ligações" | "ligacao" | "ligação" => {
                Some(Self::Calls)
            }
            "messages" | "message" | "whatsapp" | "sms" | "texts" | "mensagens" | "mensagem" => {
                Some(Self::Messages)
            }
            _ => None,
        }
    }

    pub fn channels(self) -> &'static [Channel] {
        match self {
            Self::Calls => &[Channel::Voice],
            Self::Messages => &[Channel::Whatsapp, Channel::Sms, Channel::Email],
            Self::Everything => &[Channel::Whatsapp, Channel::Sms, Channel::Email, Channel::Voice],
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Calls => "calls",
            Self::Messages => "messages",
            Self::Everything => "everything",
        }
    }
}

/// Opts the patient out of `scope`. `source` is `keyword` or `voice`; `cause` names what
/// asked for it (a message or tool call id), so a retried step records one fact. Channels
/// already opted out are left as they are. Returns whether anything changed.
pub async fn opt_out(
    ctx: &Ctx,
    patient: &Patient,
    scope: OptOutScope,
    source: &str,
    cause: &str,
) -> Result<bool, StoreError> {
    let now = ctx.clock.now();
    let consents = ctx.store.consents(patient.tenant_id, patient.id).await?;
    let mut changed = false;
    for channel in scope.channels() {
        if !may_send_automated(&consents, *channel) {
            continue;
        }
        let consent =
            Consent { channel: *channel, state: ConsentState::OptedOut, source: source.into(), at: now };
        let fact = Fact::new(
            patient.tenant_id,
            FactKind::OptedOut,
            format_args!("{cause}:{}", channel.as_str()),
            serde_json::json!({"patient_id": patient.id, "channel": channel}),
            now,
        );
        ctx.store
            .record_consent_with_jobs(
                patient.tenant_id,
                patient.id,
                &consent,
                &crate::facts::jobs_for(&fact, now),
                now,
            )
            .await?;
        changed = true;
    }
    Ok(changed)
}

/// What the patient hears or reads back, in their language.
pub fn confirmation(locale: frontdesk_domain::tenant::Locale, scope: OptOutScope) -> &'static str {
    use frontdesk_domain::tenant::Locale;
    match (locale, scope) {
        (Locale::PtBr, OptOutScope::Calls) => {
            "Tudo bem, não vamos mais te ligar. Você continua recebendo nossas mensagens; \
             se quiser voltar a receber ligações, é só pedir."
        }
        (Locale::En, OptOutScope::Calls) => {
            "All right, we won't call you anymore. You'll still get our messages; \
             just ask if you'd like calls again."
        }
        (Locale::PtBr, OptOutScope::Messages) => {
            "Tudo bem, não vamos mais enviar mensagens automáticas. Ligações da clínica continuam; \
             para voltar a receber mensagens, escreva VOLTAR."
        }
        (Locale::En, OptOutScope::Messages) => {
            "All right, we won't send automated messages anymore. The clinic may still call you; \
             to get messages again, write START."
        }
        (Locale::PtBr, OptOutScope::Everything) => {
            "Pronto: você não vai mais receber mensagens nem ligações automáticas da clínica."
        }
        (Locale::En, OptOutScope::Everything) => {
            "Done: you won't get automated messages or calls from the clinic anymore."
        }
    }
}

/// Opts the patient out of whatever they asked to stop in the call's transcript (their
/// own turns only: the assistant may well say "we won't call you again").
pub async fn from_transcript(
    ctx: &Ctx,
    call: &frontdesk_domain::voice::Call,
    turns: &[frontdesk_domain::voice::TranscriptTurn],
) -> Result<(), StoreError> {
    let Some(patient_id) = call.patient_id else { return Ok(()) };
    let mut asked: Vec<OptOutScope> = Vec::new();
    for turn in turns.iter().filter(|t| t.role == "patient") {
        if let Some(scope) =
            frontdesk_domain::nlu::contact_request(turn.text.as_str()).and_then(OptOutScope::of)
            && !asked.contains(&scope)
        {
            asked.push(scope);
        }
    }
    if asked.is_empty() {
        return Ok(());
    }
    let Some(patient) = ctx.store.get_patient(call.tenant_id, patient_id).await? else { return Ok(()) };
    for scope in asked {
        opt_out(ctx, &patient, scope, "voice", &format!("call:{}", call.id)).await?;
    }
    Ok(())
}
