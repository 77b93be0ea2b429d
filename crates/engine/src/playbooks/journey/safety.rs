//! Safety before anything else the dialogue does (see `frontdesk_domain::safety`).
//!
//! - **A red flag** (chest pain, a stroke sign, suicidal thoughts...) on any inbound
//!   WhatsApp/SMS message, whoever holds the conversation (the assistant, staff, n8n): the
//!   patient is told at once to call the emergency services (the clinic's numbers, else its
//!   region's), the conversation goes to staff marked urgent, an `emergency_flagged` fact
//!   reaches the staff app's live stream, and the clinic's staff phone, when set, gets a
//!   short alert with a link to the conversation - never the symptom or the patient's words.
//!   Nothing else is said in that turn: no slots, no booking prompt.
//! - **A never-advise topic** (a diagnosis, a dose, a result) in a conversation the assistant
//!   owns: a polite reply that a professional will answer, and a hand-off to staff.
//!
//! Every step is keyed by the message, so a rerun of the job sends, flags and alerts nothing
//! twice. The reply goes out first: a crash after it still leaves the patient told.

use super::{JourneyError, language};
use crate::Ctx;
use crate::messaging::{Content, MessagingFailure, SendKey, SendRequest, send_keyed};
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::facts::FactKind;
use frontdesk_domain::messaging::{Channel, Conversation, TemplateKey};
use frontdesk_domain::nlu::language::{Strength, detect as detect_language};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::safety::{RedFlag, RedFlagKind, detect, never_advise};
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::tenant::Tenant;
use frontdesk_domain::{MessageId, PatientId};
use frontdesk_store::StoreError;
use serde_json::json;

/// Checks `text` before the dialogue: `true` when it was an emergency or a never-advise
/// question, answered here (the dialogue then does nothing more with it).
pub(super) async fn screen(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
    text: &str,
) -> Result<bool, JourneyError> {
    if !matches!(conversation.channel, Channel::Whatsapp | Channel::Sms) {
        return Ok(false);
    }
    if let Some(flag) = detect(text) {
        emergency(ctx, patient, conversation, message_id, text, &flag).await?;
        return Ok(true);
    }
    // Staff already answer this conversation: its questions are theirs.
    if conversation.needs_staff {
        return Ok(false);
    }
    let settings = ctx.store.tenant_settings(patient.tenant_id).await?;
    if !settings.dialogue.enabled || never_advise(text, &settings.safety.never_advise).is_none() {
        return Ok(false);
    }
    let tenant = ctx.store.tenant_by_id(patient.tenant_id).await?.ok_or(StoreError::NotFound)?;
    reply(
        ctx,
        patient,
        conversation,
        message_id,
        TemplateKey::NotAdvice,
        json!({"clinic_name": tenant.name}),
    )
    .await?;
    staff_on(ctx, conversation, message_id, false).await?;
    tracing::info!(conversation = %conversation.id, message = %message_id, "never-advise topic handed to staff");
    Ok(true)
}

async fn emergency(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
    text: &str,
    flag: &RedFlag,
) -> Result<(), JourneyError> {
    let tenant = ctx.store.tenant_by_id(patient.tenant_id).await?.ok_or(StoreError::NotFound)?;
    let settings = ctx.store.tenant_settings(tenant.id).await?;
    // In the language of this message when it clearly is another than the stored one: an
    // emergency is no time for hysteresis.
    if let Some(e) = detect_language(text)
        && e.strength == Strength::Strong
        && e.locale != patient.locale
    {
        language::store(ctx, patient, e.locale).await?;
    }
    let numbers = settings.safety.emergency_numbers(&settings.default_region);
    let mut variables = json!({"emergency_numbers": numbers, "clinic_name": tenant.name});
    // Someone thinking of suicide also hears of a line to talk to.
    if flag.kinds.contains(&RedFlagKind::Suicidal) {
        variables["crisis_line"] = json!(settings.safety.crisis_line(&settings.default_region));
    }
    reply(ctx, patient, conversation, message_id, TemplateKey::EmergencyAdvice, variables).await?;
    ctx.faults.interrupt("safety.advised")?;
    let urgent = staff_on(ctx, conversation, message_id, true).await?;
    let fact = crate::facts::conversation_fact(
        FactKind::EmergencyFlagged,
        &urgent,
        format_args!("emergency:{message_id}"),
        ctx.clock.now(),
    );
    crate::facts::note(ctx, &fact).await?;
    tracing::warn!(conversation = %conversation.id, message = %message_id, "red flag: urgent conversation handed to staff");
    if let Some(phone) = &settings.safety.staff_alert_phone {
        alert_staff(ctx, &tenant, &settings, phone, &urgent, message_id).await?;
    }
    Ok(())
}

async fn reply(
    ctx: &Ctx,
    patient: &Patient,
    conversation: &Conversation,
    message_id: MessageId,
    key: TemplateKey,
    variables: serde_json::Value,
) -> Result<(), JourneyError> {
    let request = SendRequest {
        tenant_id: patient.tenant_id,
        patient_id: patient.id,
        channel: conversation.channel,
        content: Content::Template { key, variables },
        automated: false,
        by: frontdesk_domain::messaging::Sender::Assistant,
        campaign: None,
    };
    send_keyed(ctx, request, SendKey { anchor: message_id.as_uuid(), purpose: "safety", seq: 0 }).await?;
    Ok(())
}

/// Puts staff on the conversation (urgent when `urgent`); the hand-off is noted when this
/// message is what called them in (the job's copy says whether staff were already on it).
async fn staff_on(
    ctx: &Ctx,
    conversation: &Conversation,
    message_id: MessageId,
    urgent: bool,
) -> Result<Conversation, JourneyError> {
    let called_in = !conversation.needs_staff;
    let cause = called_in.then(|| message_id.to_string());
    Ok(crate::messaging::hand_to_staff(ctx, conversation, cause, urgent).await?)
}

/// Sends the staff phone "urgent conversation, open the app" on the conversation's channel,
/// through the normal outbound path: the phone is kept as a contact of the clinic whose own
/// conversation stays with staff (the assistant never answers it). A channel that cannot
/// deliver it (WhatsApp outside its window without an approved `staff_alert` template) is
/// logged and does not undo the rest.
async fn alert_staff(
    ctx: &Ctx,
    tenant: &Tenant,
    settings: &TenantSettings,
    phone: &PhoneE164,
    urgent: &Conversation,
    message_id: MessageId,
) -> Result<(), JourneyError> {
    let staff = staff_contact(ctx, tenant, phone).await?;
    let now = ctx.clock.now();
    let mut line =
        ctx.store.conversation_for(&Conversation::new(tenant.id, staff.id, urgent.channel, now)).await?;
    if !line.needs_staff {
        line.needs_staff = true;
        ctx.store.save_conversation(&line).await?;
    }
    let url = format!("{}/app/inbox/{}", ctx.public_url.trim_end_matches('/'), urgent.id);
    let request = SendRequest {
        tenant_id: tenant.id,
        patient_id: staff.id,
        channel: urgent.channel,
        content: Content::Template {
            key: TemplateKey::StaffAlert,
            variables: json!({"clinic_name": tenant.name, "conversation_url": url}),
        },
        automated: false,
        by: frontdesk_domain::messaging::Sender::Assistant,
        campaign: None,
    };
    match send_keyed(ctx, request, SendKey { anchor: message_id.as_uuid(), purpose: "staff_alert", seq: 0 })
        .await
    {
        Ok(_) => Ok(()),
        Err(MessagingFailure::Store(e)) => Err(e.into()),
        Err(e) => {
            let provider = settings.messaging.provider_for(urgent.channel);
            tracing::warn!(
                conversation = %urgent.id,
                provider = provider.as_str(),
                error = %e,
                "the staff alert could not be sent"
            );
            Ok(())
        }
    }
}

/// The clinic's contact record for its staff phone: found by number, or created once (its
/// id derived from the number, so two alerts racing create one).
async fn staff_contact(ctx: &Ctx, tenant: &Tenant, phone: &PhoneE164) -> Result<Patient, JourneyError> {
    if let Some(p) = ctx.store.patient_by_phone(tenant.id, phone).await? {
        return Ok(p);
    }
    let name = match tenant.locale {
        frontdesk_domain::tenant::Locale::PtBr => "Equipe Alertas",
        frontdesk_domain::tenant::Locale::En => "Staff Alerts",
    };
    let name = PersonName::parse(name).unwrap_or_else(|_| PersonName::placeholder(phone));
    let mut contact = Patient::new(tenant.id, name, phone.clone(), tenant.locale, ctx.clock.now());
    contact.id =
        PatientId::from(crate::faults::derived_id(tenant.id, &format!("staff-alert:{}", phone.as_str())));
    match ctx.store.create_patient(&contact).await {
        Ok(()) => Ok(contact),
        Err(StoreError::Conflict(_)) => {
            Ok(ctx.store.patient_by_phone(tenant.id, phone).await?.ok_or(StoreError::NotFound)?)
        }
        Err(e) => Err(e.into()),
    }
}
