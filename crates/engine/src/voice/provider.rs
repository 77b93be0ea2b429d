//! Who places an outbound call: VAPI, or the sandbox that needs no account.

use frontdesk_domain::patients::Patient;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::voice::{Call, VapiSettings, VoiceProviderKind};
use frontdesk_providers::vapi::{CreateCall, VapiApi, VapiClient, VapiConfig};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the assistant is told about the call (its `{{variables}}`).
#[derive(Debug, Clone)]
pub struct CallBrief {
    pub clinic_name: String,
    pub reason: Option<String>,
    pub service: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedCall {
    pub provider_call_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaceError {
    /// Worth another attempt (outage, throttling).
    Retry(String),
    /// The provider refused this call; recorded on it, never retried.
    Permanent(String),
}

#[async_trait::async_trait]
pub trait VoiceProvider: Send + Sync {
    /// The name stored on calls (`vapi`, `sandbox`).
    fn name(&self) -> &'static str;
    async fn place(
        &self,
        call: &Call,
        patient: &Patient,
        brief: &CallBrief,
    ) -> Result<PlacedCall, PlaceError>;
}

/// The tenant's configured provider.
/// `allow_private_network` is the deployment's (see `frontdesk_providers::egress`).
pub fn provider_for(
    settings: &TenantSettings,
    allow_private_network: bool,
) -> Result<Arc<dyn VoiceProvider>, PlaceError> {
    match (settings.voice.provider, &settings.voice.vapi) {
        (VoiceProviderKind::Sandbox, _) => Ok(Arc::new(SandboxVoice)),
        (VoiceProviderKind::Vapi, Some(v)) => {
            let config = VapiConfig::new(SecretString::from(v.api_key.clone()))
                .with_base_url(v.base_url.clone())
                .with_private_network(allow_private_network);
            let client = VapiClient::new(config).map_err(|e| PlaceError::Permanent(e.to_string()))?;
            Ok(Arc::new(VapiVoice { client: Arc::new(client), settings: v.clone() }))
        }
        (VoiceProviderKind::Vapi, None) => Err(PlaceError::Permanent("vapi is not configured".into())),
    }
}

pub struct VapiVoice {
    pub client: Arc<dyn VapiApi>,
    pub settings: VapiSettings,
}

#[async_trait::async_trait]
impl VoiceProvider for VapiVoice {
    fn name(&self) -> &'static str {
        "vapi"
    }

    async fn place(
        &self,
        call: &Call,
        patient: &Patient,
        brief: &CallBrief,
    ) -> Result<PlacedCall, PlaceError> {
        let mut variables = BTreeMap::new();
        variables.insert("patientFirstName".to_owned(), patient.name.first_name().to_owned());
        variables.insert("clinicName".to_owned(), brief.clinic_name.clone());
        if let Some(reason) = &brief.reason {
            variables.insert("reason".to_owned(), reason.clone());
        }
        if let Some(service) = &brief.service {
            variables.insert("service".to_owned(), service.clone());
        }
        let mut metadata = serde_json::Map::new();
        metadata.insert("frontdeskCallId".into(), call.id.to_string().into());
        metadata.insert("frontdeskTenantId".into(), call.tenant_id.to_string().into());
        let request = CreateCall {
            assistant_id: call.assistant_id.clone().unwrap_or_else(|| self.settings.assistant_id.clone()),
            phone_number_id: self.settings.phone_number_id.clone(),
            customer_number: patient.phone.as_str().to_owned(),
            customer_name: Some(patient.name.as_str().to_owned()),
            external_id: Some(patient.id.to_string()),
            variable_values: variables,
            metadata,
            name: Some(format!("frontdesk-{}", call.id)),
        };
        match self.client.create_call(&request).await {
            Ok(created) => Ok(PlacedCall { provider_call_id: created.id }),
            Err(e) if e.is_retryable() => Err(PlaceError::Retry(e.to_string())),
            Err(e) => Err(PlaceError::Permanent(e.to_string())),
        }
    }
}

/// Accepts every call; the sandbox play job then acts out the tenant's configured outcome.
pub struct SandboxVoice;

#[async_trait::async_trait]
impl VoiceProvider for SandboxVoice {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    async fn place(&self, call: &Call, _: &Patient, _: &CallBrief) -> Result<PlacedCall, PlaceError> {
        Ok(PlacedCall { provider_call_id: format!("sandbox-{}", call.id) })
    }
}
