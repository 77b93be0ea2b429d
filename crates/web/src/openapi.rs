//! The OpenAPI description is generated from the handlers' annotations while the router
//! is built, so the spec cannot drift from the routes.

use crate::routes;
use crate::{AppState, auth};
use axum::Router;
use utoipa::openapi::OpenApi as Spec;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Frontdesk API",
        description = "Runs a clinic's patient funnel: leads, conversations, scheduling, reminders, campaigns. \
                       Every /api/v1 route needs an API key in `X-API-KEY` (or `Authorization: Bearer`). \
                       A key may be limited to scopes (`read_only`: GET and HEAD; `webhooks`: `POST /api/v1/leads`; \
                       `assistant`: `/api/v1/voice/tools/*` and the read-only `/api/v1/assistant/*`; `assistant_write`: \
                       the same, and the assistant's tools that book or send); anything else answers 403 `insufficient_scope`."
    ),
    modifiers(&ApiKeyScheme),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "tenant", description = "The clinic behind the API key"),
        (name = "api-keys", description = "The tenant's API keys"),
        (name = "jobs", description = "Background jobs and their dead letters"),
        (name = "audit", description = "Who read or changed patient data"),
        (name = "settings", description = "The clinic's settings document"),
        (name = "calendar", description = "Locations, practitioners, services, hours, exceptions"),
        (name = "scheduling", description = "Availability, ranked search, no-show figures"),
        (name = "appointments", description = "Booking and the appointment lifecycle"),
        (name = "sandbox", description = "What the sandbox providers recorded; playing the patient"),
        (name = "patients", description = "Patients of the clinic"),
        (name = "conversations", description = "WhatsApp and SMS conversations and messages"),
        (name = "leads", description = "Acquisition attempts, their temperature, stage and timeline"),
        (name = "nlu", description = "What the dialogue understands in a message (pt-BR and English)"),
        (name = "calls", description = "AI voice calls: placing them, their transcripts and outcomes"),
        (name = "voice", description = "Tools a voice agent calls mid-call (platforms other than VAPI)"),
        (name = "public", description = "What patients open from a message, behind signed links"),
        (name = "webhooks", description = "Provider callbacks, authenticated by signature or token"),
        (name = "outbound-webhooks", description = "Signed webhooks (Standard Webhooks) to the clinic's own systems: subscriptions, deliveries, replay"),
        (name = "campaigns", description = "Recall, recovery and reactivation campaigns: audiences, steps, enrollments"),
        (name = "waitlist", description = "Patients waiting for a time, and the freed slots offered to them (first to accept books it)"),
        (name = "assistant", description = "Questions about the figures in pt-BR or English, and the tools an AI client may call (also over MCP)"),
        (name = "data-rights", description = "Retention of conversation content, and its run reports"),
        (name = "fhir", description = "Read-only FHIR R4 over the calendar (application/fhir+json; errors are OperationOutcomes)"),
    )
)]
struct ApiDoc;

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut Spec) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-KEY"))),
        );
    }
}

/// Every documented route: the authenticated API and the public health checks.
pub fn api_router(state: AppState) -> OpenApiRouter<AppState> {
    let authenticated = OpenApiRouter::new()
        .routes(routes!(routes::tenant::current_tenant, routes::tenant::update_tenant))
        .routes(routes!(routes::api_keys::create_api_key, routes::api_keys::list_api_keys))
        .routes(routes!(routes::api_keys::revoke_api_key))
        .routes(routes!(routes::jobs::list_jobs))
        .routes(routes!(routes::jobs::get_job))
        .routes(routes!(routes::jobs::retry_job))
        .routes(routes!(routes::audit::list_audit))
        .routes(routes!(routes::audit_export::export_audit))
        .routes(routes!(routes::reports::report))
        .routes(routes!(routes::reports::scheduled_reports))
        .routes(routes!(routes::analytics::overview))
        .routes(routes!(routes::analytics::view))
        .routes(routes!(routes::assistant::list_tools))
        .routes(routes!(routes::assistant::ask))
        .routes(routes!(routes::assistant::call_tool))
        .routes(routes!(routes::data_rights::export_patient))
        .routes(routes!(routes::data_rights::erase_patient))
        .routes(routes!(routes::data_rights::get_retention, routes::data_rights::put_retention))
        .routes(routes!(routes::data_rights::list_reports))
        .routes(routes!(routes::data_rights::run_retention))
        .routes(routes!(routes::settings::get_settings, routes::settings::patch_settings))
        .routes(routes!(routes::catalog::create_location, routes::catalog::list_locations))
        .routes(routes!(routes::catalog::create_practitioner, routes::catalog::list_practitioners))
        .routes(routes!(routes::catalog::update_practitioner))
        .routes(routes!(routes::catalog::set_hours))
        .routes(routes!(routes::catalog::list_hours))
        .routes(routes!(routes::catalog::create_service, routes::catalog::list_services))
        .routes(routes!(routes::catalog::add_exception, routes::catalog::list_exceptions))
        .routes(routes!(routes::catalog::delete_exception))
        .routes(routes!(routes::external_ids::set_external_id, routes::external_ids::list_external_ids))
        .routes(routes!(routes::availability::availability))
        .routes(routes!(routes::availability::search))
        .routes(routes!(routes::appointments::create_appointment, routes::appointments::list_appointments))
        .routes(routes!(routes::appointments::get_appointment))
        .routes(routes!(routes::appointments::confirm))
        .routes(routes!(routes::appointments::cancel))
        .routes(routes!(routes::appointments::reschedule))
        .routes(routes!(routes::appointments::check_in))
        .routes(routes!(routes::appointments::complete))
        .routes(routes!(routes::appointments::no_show))
        .routes(routes!(routes::insights::no_show_counts))
        .routes(routes!(routes::noshow::latest_model))
        .routes(routes!(routes::insights::list_notifications))
        .routes(routes!(routes::patients::create_patient, routes::patients::search_patients))
        .routes(routes!(routes::patients::get_patient, routes::patients::update_patient))
        .routes(routes!(routes::conversations::list_conversations))
        .routes(routes!(routes::conversations::turned_negative))
        .routes(routes!(routes::email::unmatched))
        .routes(routes!(routes::conversations::get_conversation, routes::conversations::update_conversation))
        .routes(routes!(routes::conversations::reply))
        .routes(routes!(routes::conversations::send_message))
        .routes(routes!(routes::conversations::sandbox_inbound))
        .routes(routes!(routes::leads::create_lead, routes::leads::list_leads))
        .routes(routes!(routes::leads::get_lead, routes::leads::update_lead))
        .routes(routes!(routes::leads::import_leads))
        .routes(routes!(routes::nlu::parse))
        .routes(routes!(routes::calls::place_call, routes::calls::list_calls))
        .routes(routes!(routes::calls::get_call))
        .routes(routes!(routes::calls::patient_lookup))
        .routes(routes!(routes::calls::available_slots))
        .routes(routes!(routes::calls::book_appointment))
        .routes(routes!(
            routes::webhook_subscriptions::create_subscription,
            routes::webhook_subscriptions::list_subscriptions
        ))
        .routes(routes!(
            routes::webhook_subscriptions::get_subscription,
            routes::webhook_subscriptions::update_subscription,
            routes::webhook_subscriptions::delete_subscription
        ))
        .routes(routes!(routes::webhook_subscriptions::rotate_secret))
        .routes(routes!(routes::webhook_deliveries::list_deliveries))
        .routes(routes!(routes::webhook_deliveries::get_delivery))
        .routes(routes!(routes::webhook_deliveries::replay_delivery))
        .routes(routes!(routes::campaigns::create, routes::campaigns::list))
        .routes(routes!(routes::campaigns::results))
        .routes(routes!(routes::campaigns::get_one))
        .routes(routes!(routes::campaigns::preview))
        .routes(routes!(routes::campaigns::start))
        .routes(routes!(routes::campaigns::pause))
        .routes(routes!(routes::campaigns::resume))
        .routes(routes!(routes::campaigns::stop))
        .routes(routes!(routes::campaigns::enrollments))
        .routes(routes!(routes::campaign_enrollment::enrollment))
        .routes(routes!(routes::waitlist::join, routes::waitlist::list))
        .routes(routes!(routes::waitlist::get_entry, routes::waitlist::remove))
        .routes(routes!(routes::waitlist::list_offers))
        .routes(routes!(routes::waitlist::accept_offer))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_api_key));
    let webhooks = OpenApiRouter::new()
        .routes(routes!(routes::webhooks::twilio_message))
        .routes(routes!(routes::webhooks::twilio_status))
        .routes(routes!(routes::webhooks::helena))
        .routes(routes!(routes::email::mailgun))
        .routes(routes!(routes::email::sendgrid))
        .routes(routes!(routes::email::gmail_push))
        .routes(routes!(routes::public::appointment_calendar))
        .routes(routes!(routes::voice_webhooks::vapi))
        .routes(routes!(routes::voice_webhooks::generic))
        .routes(routes!(routes::n8n::intake_response))
        .routes(routes!(routes::n8n::triage_response))
        .routes(routes!(routes::n8n::booking_response))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::ratelimit::webhook_limit));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(authenticated)
        .merge(webhooks)
        .routes(routes!(routes::health::health))
        .routes(routes!(routes::health::detailed))
        .routes(routes!(routes::health::live))
        .routes(routes!(routes::health::ready))
}

/// The documented router and its complete spec (the annotations plus what
/// `openapi_complete` adds).
pub fn split(state: AppState) -> (Router<AppState>, Spec) {
    let (router, mut spec) = api_router(state).split_for_parts();
    crate::openapi_complete::complete(&mut spec);
    (router, spec)
}

/// The spec as JSON, for tests and tooling.
pub fn spec(state: AppState) -> Spec {
    split(state).1
}

/// `/openapi.json` and `/docs`, a Swagger UI page bundled into the binary (no internet).
pub fn docs_router(spec: Spec) -> Router<AppState> {
    SwaggerUi::new("/docs").url("/openapi.json", spec).into()
}
