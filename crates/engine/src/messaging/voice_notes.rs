//! Voice notes: WhatsApp patients often talk rather than type. When the tenant configured
//! a transcriber, the audio is downloaded (with the provider's credentials) and turned
//! into text the dialogue understands like any message. The transcript is kept on the
//! message, so staff read what the patient said.

use crate::Ctx;
use crate::jobs::JobError;
use frontdesk_domain::TenantId;
use frontdesk_domain::messaging::{Message, MessageText};
use frontdesk_providers::media::Download;
use frontdesk_providers::openai::{OpenAiClient, OpenAiConfig, OpenAiError, Transcriber};
use frontdesk_providers::twilio::{TwilioApi, TwilioClient, TwilioConfig, TwilioSender};
use frontdesk_store::StoreError;
use secrecy::SecretString;
use std::time::Duration;

/// The transcript of the message's audio, or `None` when nothing can transcribe it. A
/// transcript is also stored on the message.
pub(super) async fn transcribe(
    ctx: &Ctx,
    tenant: TenantId,
    message: &Message,
) -> Result<Option<String>, JobError> {
    let settings = ctx.store.tenant_settings(tenant).await.map_err(|e| JobError::retryable(e.to_string()))?;
    let Some(endpoint) = settings.dialogue.transcriber.clone() else { return Ok(None) };
    let Some(media) = message.media.iter().find(|m| m.is_audio()) else { return Ok(None) };
    let fetched = match (message.provider.as_str(), &settings.messaging.twilio) {
        ("twilio", Some(t)) => {
            let config = TwilioConfig::new(
                &t.account_sid,
                SecretString::from(t.auth_token.clone()),
                TwilioSender::Number(String::new()),
            )
            .with_base_url(&t.base_url)
            .with_media_policy(ctx.media.clone())
            .with_private_network(ctx.media.allow_private_network);
            let client = TwilioClient::new(config).map_err(|e| JobError::permanent(e.to_string()))?;
            client.fetch_media(&media.url).await.map_err(|e| (e.is_retryable(), e.to_string()))
        }
        // Other providers hand out URLs that need no credentials.
        _ => {
            let download = Download { url: &media.url, hosts: &[], basic_auth: None };
            frontdesk_providers::media::download(&ctx.media, download)
                .await
                .map_err(|e| (e.is_retryable(), e.to_string()))
        }
    };
    let audio = match fetched {
        Ok(audio) => audio,
        Err((true, e)) => return Err(JobError::retryable(e)),
        // A refused or missing file cannot be heard: the patient is asked to type instead.
        Err((false, e)) => {
            tracing::warn!(error = %e, "voice note could not be downloaded");
            return Ok(None);
        }
    };
    let client = OpenAiClient::new(OpenAiConfig {
        base_url: endpoint.base_url.clone(),
        api_key: endpoint.api_key.clone().map(SecretString::from),
        model: endpoint.model.clone(),
        timeout: Duration::from_secs(60),
        allow_private_network: ctx.media.allow_private_network,
    })
    .map_err(|e| JobError::permanent(e.to_string()))?;
    let extension = media.content_type.split('/').nth(1).and_then(|s| s.split(';').next()).unwrap_or("ogg");
    // A hint from the patient's language speeds the model up and avoids mishearings.
    let patient = ctx
        .store
        .get_patient(tenant, message.patient_id)
        .await
        .map_err(|e| JobError::retryable(e.to_string()))?;
    let language = patient.map(|p| match p.locale {
        frontdesk_domain::tenant::Locale::PtBr => "pt",
        frontdesk_domain::tenant::Locale::En => "en",
    });
    match client.transcribe(audio, &format!("voice.{extension}"), &media.content_type, language).await {
        Ok(text) => {
            keep(ctx, tenant, message, &MessageText::new(text.as_str())).await?;
            Ok(Some(text))
        }
        Err(
            OpenAiError::Rejected { .. } | OpenAiError::InvalidResponse(_) | OpenAiError::InvalidConfig(_),
        ) => Ok(None),
        Err(e) => Err(JobError::retryable(e.to_string())),
    }
}

/// Stores the transcript on the message. A run of the inbound job retried after the
/// message was filed holds a fresh id: the stored message is then found by provider id.
async fn keep(
    ctx: &Ctx,
    tenant: TenantId,
    message: &Message,
    transcript: &MessageText,
) -> Result<(), JobError> {
    let retry = |e: StoreError| JobError::retryable(e.to_string());
    match ctx.store.set_message_transcript(tenant, message.id, transcript).await {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => {
            let Some(pid) = message.provider_message_id.as_deref() else { return Ok(()) };
            let stored =
                ctx.store.message_by_provider_id(tenant, &message.provider, pid).await.map_err(retry)?;
            match stored {
                Some(stored) => {
                    ctx.store.set_message_transcript(tenant, stored.id, transcript).await.map_err(retry)
                }
                None => Ok(()),
            }
        }
        Err(e) => Err(retry(e)),
    }
}
