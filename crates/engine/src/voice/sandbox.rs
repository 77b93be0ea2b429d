//! The sandbox voice provider's other half: once a sandbox call is "placed", this job acts
//! out the tenant's configured outcome as the messages VAPI would send (status, tool
//! calls, end-of-call report) through the same handler as the real webhook. The funnel,
//! from call to booking to follow-up, thus runs offline and in demos.

use super::calls::CallPayloadRef;
use super::ingest::Reported;
use super::tools::{BOOK_APPOINTMENT, FIND_SLOTS};
use super::vapi_webhook::handle;
use crate::Ctx;
use crate::jobs::{JobError, JobHandler};
use async_trait::async_trait;
use frontdesk_domain::jobs::Job;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::voice::SandboxOutcome;
use frontdesk_providers::vapi::{EndOfCallReport, ServerMessage, ToolCall, TranscriptMessage};
use jiff::SignedDuration;
use serde_json::{Value, json};

pub(super) struct SandboxPlay {
    pub ctx: Ctx,
}

fn retry(e: impl std::fmt::Display) -> JobError {
    JobError::retryable(e.to_string())
}

fn line(role: &str, message: &str, at: f64) -> TranscriptMessage {
    TranscriptMessage { role: role.into(), message: message.into(), seconds_from_start: Some(at) }
}

#[async_trait]
impl JobHandler for SandboxPlay {
    async fn run(&self, job: &Job) -> Result<(), JobError> {
        let ctx = &self.ctx;
        let CallPayloadRef { call_id } =
            serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(e.to_string()))?;
        let call = ctx
            .store
            .get_call(job.tenant_id, call_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("the call no longer exists"))?;
        let provider_id = call.provider_call_id.clone().ok_or_else(|| JobError::permanent("not placed"))?;
        let tenant = ctx
            .store
            .tenant_by_id(call.tenant_id)
            .await
            .map_err(retry)?
            .ok_or_else(|| JobError::permanent("no tenant"))?;
        let settings = ctx.store.tenant_settings(call.tenant_id).await.map_err(retry)?;
        let patient = match call.patient_id {
            Some(id) => ctx.store.get_patient(call.tenant_id, id).await.map_err(retry)?,
            None => None,
        };
        let number = patient.as_ref().map(|p| p.phone.as_str().to_owned());
        let r = Reported { tenant: &tenant, settings: &settings, provider: "sandbox", placed_as: None };
        let r = &r;
        let play = |message: ServerMessage, kind: &str| {
            let raw = json!({"sandbox": true, "message": {"type": kind, "call": {"id": provider_id}}});
            async move { handle(ctx, r, message, &raw).await.map_err(retry) }
        };
        let pt = tenant.locale == Locale::PtBr;
        let started = ctx.clock.now();
        let status = |s: &str| ServerMessage::StatusUpdate {
            call_id: provider_id.clone(),
            status: s.into(),
            ended_reason: None,
        };
        let mut report = EndOfCallReport {
            call_id: provider_id.clone(),
            ended_reason: None,
            started_at: Some(started),
            ended_at: Some(started),
            duration_seconds: Some(0.0),
            cost: Some(0.0),
            cost_breakdown: Value::Null,
            summary: None,
            transcript: None,
            messages: Vec::new(),
            recording_url: None,
            stereo_recording_url: None,
            structured_data: Value::Null,
            customer_number: number.clone(),
        };
        play(status("ringing"), "status-update").await?;
        match settings.voice.sandbox_outcome {
            SandboxOutcome::NoAnswer => report.ended_reason = Some("customer-did-not-answer".into()),
            SandboxOutcome::Voicemail => report.ended_reason = Some("voicemail".into()),
            SandboxOutcome::NotInterested => {
                play(status("in-progress"), "status-update").await?;
                report.ended_reason = Some("customer-ended-call".into());
                report.duration_seconds = Some(42.0);
                report.ended_at = Some(started + SignedDuration::from_secs(42));
                report.structured_data = json!({"outcome": "not_interested"});
                report.messages = if pt {
                    vec![
                        line("bot", "Olá! Aqui é da clínica. Gostaria de agendar sua consulta?", 0.5),
                        line("user", "Não, obrigado. Não tenho interesse.", 6.0),
                    ]
                } else {
                    vec![
                        line(
                            "bot",
                            "Hello! This is the clinic. Would you like to book your appointment?",
                            0.5,
                        ),
                        line("user", "No, thank you. I'm not interested.", 6.0),
                    ]
                };
                report.summary =
                    Some(if pt { "Paciente sem interesse." } else { "Patient not interested." }.into());
            }
            SandboxOutcome::AnsweredAndBooked => {
                play(status("in-progress"), "status-update").await?;
                let cal = crate::scheduling::load_cached(ctx, tenant.id).await.map_err(retry)?;
                let service = cal.services.first().map(|s| s.id.to_string());
                let find = ToolCall {
                    id: format!("sandbox-{}-find", call.id),
                    name: FIND_SLOTS.into(),
                    arguments: json!({"service_id": service}),
                };
                let answer = play(
                    ServerMessage::ToolCalls {
                        call_id: provider_id.clone(),
                        customer_number: number.clone(),
                        calls: vec![find],
                    },
                    "tool-calls",
                )
                .await?;
                let offered: Value = answer["results"][0]["result"]
                    .as_str()
                    .and_then(|s| serde_json::from_str(s).ok())
                    .unwrap_or(Value::Null);
                let slot = offered["slots"][0]["slot_id"].as_str().map(str::to_owned);
                let when = offered["slots"][0]["when"].as_str().unwrap_or_default().to_owned();
                if let Some(slot) = slot {
                    let book = ToolCall {
                        id: format!("sandbox-{}-book", call.id),
                        name: BOOK_APPOINTMENT.into(),
                        arguments: json!({"slot_id": slot}),
                    };
                    play(
                        ServerMessage::ToolCalls {
                            call_id: provider_id.clone(),
                            customer_number: number.clone(),
                            calls: vec![book],
                        },
                        "tool-calls",
                    )
                    .await?;
                }
                report.ended_reason = Some("customer-ended-call".into());
                report.duration_seconds = Some(95.0);
                report.ended_at = Some(started + SignedDuration::from_secs(95));
                report.cost = Some(0.12);
                report.messages = if pt {
                    vec![
                        line("bot", "Olá! Aqui é da clínica. Vamos agendar sua consulta?", 0.5),
                        line("user", "Sim, pode ser.", 5.0),
                        line("bot", &format!("Tenho {when}. Pode ser?"), 12.0),
                        line("user", "Pode, sim.", 18.0),
                        line("bot", "Pronto, está agendado. Até lá!", 25.0),
                    ]
                } else {
                    vec![
                        line("bot", "Hello! This is the clinic. Shall we book your appointment?", 0.5),
                        line("user", "Yes, please.", 5.0),
                        line("bot", &format!("I have {when}. Does that work?"), 12.0),
                        line("user", "Yes, it does.", 18.0),
                        line("bot", "Done, you're booked. See you then!", 25.0),
                    ]
                };
                report.summary = Some(
                    if pt { "Paciente agendou a consulta." } else { "The patient booked an appointment." }
                        .into(),
                );
            }
        }
        play(ServerMessage::EndOfCallReport(Box::new(report)), "end-of-call-report").await?;
        Ok(())
    }
}
