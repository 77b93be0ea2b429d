//! Where one patient's enrollment stands, in a sentence staff can read at a glance ("2 of 3
//! steps sent, the last by e-mail; no reply yet; next on Dec 9, 10:00"): worked out from the
//! enrollment, the campaign's steps, the patient's latest reply and the step job waiting.

use super::{Enrollment, EnrollmentState, Step};
use crate::messaging::Channel;
use crate::tenant::Locale;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// The step waiting to run for an enrollment: its index (0-based), the calls a call step
/// has placed so far, and when it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub step: u32,
    pub attempt: u32,
    pub at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Enrolled; nothing sent yet.
    Waiting { next: Option<Timestamp> },
    /// `sent` of `total` steps done, the last on `channel`; no reply since.
    Sent { sent: u32, total: u32, channel: Channel, next: Option<Timestamp> },
    /// A call step under way: `placed` calls of at most `of`.
    Calling { placed: u32, of: u8, next: Option<Timestamp> },
    /// They wrote back after the last step; the assistant is talking with them.
    Talking,
    /// Over.
    Ended(EnrollmentState),
}

/// Where `e` stands, given the campaign's `steps`, when the patient last wrote (if ever)
/// and the step job waiting (if any).
pub fn standing(
    e: &Enrollment,
    steps: &[Step],
    last_reply: Option<Timestamp>,
    next: Option<Planned>,
) -> Standing {
    if e.state != EnrollmentState::Active {
        return Standing::Ended(e.state);
    }
    if let Some(sent) = e.last_sent_at
        && last_reply.is_some_and(|at| at > sent)
    {
        return Standing::Talking;
    }
    let at = next.map(|n| n.at);
    if let Some(n) = next
        && n.attempt > 0
        && let Some(step) = steps.get(n.step as usize)
        && step.is_call()
    {
        return Standing::Calling { placed: n.attempt, of: step.attempts, next: at };
    }
    if e.steps_sent == 0 {
        return Standing::Waiting { next: at };
    }
    let last = steps.get(e.steps_sent as usize - 1).or(steps.last());
    Standing::Sent {
        sent: e.steps_sent,
        total: u32::try_from(steps.len()).unwrap_or(u32::MAX),
        channel: last.map_or(Channel::Whatsapp, |s| s.channel),
        next: at.filter(|_| (e.steps_sent as usize) < steps.len()),
    }
}

fn channel_word(channel: Channel, locale: Locale) -> &'static str {
    let pt = locale == Locale::PtBr;
    match channel {
        Channel::Whatsapp => "WhatsApp",
        Channel::Sms => "SMS",
        Channel::Email => "e-mail",
        Channel::Voice => {
            if pt {
                "ligação"
            } else {
                "call"
            }
        }
    }
}

fn when(at: Timestamp, tz: &TimeZone, locale: Locale) -> String {
    let local = at.to_zoned(tz.clone());
    match locale {
        Locale::PtBr => local.strftime("%d/%m às %H:%M").to_string(),
        Locale::En => local.strftime("%b %-d, %H:%M").to_string(),
    }
}

impl Standing {
    /// A stable name for the standing (`waiting`, `sent`, `calling`, `talking`, or the
    /// enrollment's final state).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Waiting { .. } => "waiting",
            Self::Sent { .. } => "sent",
            Self::Calling { .. } => "calling",
            Self::Talking => "talking",
            Self::Ended(state) => state.as_str(),
        }
    }

    /// One sentence for staff, in their language, times in the clinic's zone.
    pub fn describe(&self, locale: Locale, tz: &TimeZone) -> String {
        let pt = locale == Locale::PtBr;
        let next = |at: &Option<Timestamp>| match at {
            Some(at) if pt => format!("; próxima etapa em {}", when(*at, tz, locale)),
            Some(at) => format!("; next step on {}", when(*at, tz, locale)),
            None => String::new(),
        };
        match self {
            Self::Waiting { next: Some(at) } if pt => {
                format!("Inscrito; a primeira etapa sai em {}.", when(*at, tz, locale))
            }
            Self::Waiting { next: Some(at) } => {
                format!("Enrolled; the first step goes on {}.", when(*at, tz, locale))
            }
            Self::Waiting { next: None } if pt => "Inscrito; nada enviado ainda.".into(),
            Self::Waiting { next: None } => "Enrolled; nothing sent yet.".into(),
            Self::Sent { sent, total, channel, next: at } if pt => format!(
                "{sent} de {total} etapas enviadas, a última por {}; sem resposta ainda{}.",
                channel_word(*channel, locale),
                next(at)
            ),
            Self::Sent { sent, total, channel, next: at } => format!(
                "{sent} of {total} steps sent, the last by {}; no reply yet{}.",
                channel_word(*channel, locale),
                next(at)
            ),
            Self::Calling { placed, of, next: at } if pt => {
                format!(
                    "Ligando: {placed} de até {of} tentativas{}.",
                    next(at).replace("próxima etapa", "próxima olhada")
                )
            }
            Self::Calling { placed, of, next: at } => {
                format!(
                    "Calling: {placed} of at most {of} attempts{}.",
                    next(at).replace("next step", "next look")
                )
            }
            Self::Talking if pt => "Respondeu; o assistente está conversando com o paciente.".into(),
            Self::Talking => "Replied; the assistant is talking with them.".into(),
            Self::Ended(state) => ended(*state, pt).into(),
        }
    }
}

fn ended(state: EnrollmentState, pt: bool) -> &'static str {
    use EnrollmentState as S;
    match (state, pt) {
        (S::Booked, true) => "Agendou uma consulta.",
        (S::Booked, false) => "Booked an appointment.",
        (S::Declined, true) => "Recusou; a campanha parou para este paciente.",
        (S::Declined, false) => "Declined; the campaign stopped for them.",
        (S::OptedOut, true) => "Pediu para não receber mais contatos.",
        (S::OptedOut, false) => "Asked not to be contacted again.",
        (S::NeedsStaff, true) => "Respondeu; aguarda a equipe.",
        (S::NeedsStaff, false) => "Replied; waiting for staff.",
        (S::Finished, true) => "Recebeu todas as etapas, sem resposta.",
        (S::Finished, false) => "Got every step, no answer.",
        (S::Stopped, true) => "Parou antes do fim: campanha encerrada ou sem como contatar.",
        (S::Stopped, false) => {
            "Stopped before the end: the campaign was stopped, or they could not be reached."
        }
        (S::Bounced, true) => "O e-mail voltou: o endereço não funciona.",
        (S::Bounced, false) => "The e-mail came back: the address does not work.",
        (S::Active, true) => "Em andamento.",
        (S::Active, false) => "Active.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messaging::TemplateKey;
    use crate::{PatientId, TenantId};
    use uuid::Uuid;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn enrollment(sent: u32, last: Option<&str>) -> Enrollment {
        Enrollment {
            id: Uuid::nil(),
            tenant_id: TenantId::new(),
            campaign_id: Uuid::nil(),
            patient_id: PatientId::new(),
            state: EnrollmentState::Active,
            steps_sent: sent,
            last_sent_at: last.map(at),
            created_at: at("2026-06-01T12:00:00Z"),
            updated_at: at("2026-06-01T12:00:00Z"),
        }
    }

    fn steps() -> Vec<Step> {
        vec![Step::message(Channel::Email, TemplateKey::BookingLink, 0), Step::call(48, 3, 24)]
    }

    #[test]
    fn an_enrollment_reads_as_one_sentence_in_the_staffs_language() {
        let sp = TimeZone::get("America/Sao_Paulo").unwrap();
        let next = Planned { step: 1, attempt: 0, at: at("2026-06-03T13:00:00Z") };
        let sent = standing(&enrollment(1, Some("2026-06-01T13:00:00Z")), &steps(), None, Some(next));
        assert_eq!(sent.code(), "sent");
        assert_eq!(
            sent.describe(Locale::En, &sp),
            "1 of 2 steps sent, the last by e-mail; no reply yet; next step on Jun 3, 10:00."
        );
        assert_eq!(
            sent.describe(Locale::PtBr, &sp),
            "1 de 2 etapas enviadas, a última por e-mail; sem resposta ainda; próxima etapa em 03/06 às 10:00."
        );
        // A reply before the step does not count; one after it does.
        let e = enrollment(1, Some("2026-06-01T13:00:00Z"));
        assert_eq!(standing(&e, &steps(), Some(at("2026-06-01T12:30:00Z")), None).code(), "sent");
        assert_eq!(standing(&e, &steps(), Some(at("2026-06-01T14:00:00Z")), None), Standing::Talking);
        let calling = Planned { step: 1, attempt: 2, at: at("2026-06-04T13:00:00Z") };
        let c = standing(&e, &steps(), None, Some(calling));
        assert_eq!(c, Standing::Calling { placed: 2, of: 3, next: Some(calling.at) });
        assert!(c.describe(Locale::En, &sp).starts_with("Calling: 2 of at most 3 attempts"));
        assert_eq!(
            standing(&enrollment(0, None), &steps(), None, None).describe(Locale::En, &sp),
            "Enrolled; nothing sent yet."
        );
        let mut over = enrollment(2, Some("2026-06-03T13:00:00Z"));
        over.state = EnrollmentState::Bounced;
        assert_eq!(standing(&over, &steps(), None, None).code(), "bounced");
        assert!(standing(&over, &steps(), None, None).describe(Locale::PtBr, &sp).contains("e-mail voltou"));
    }
}
