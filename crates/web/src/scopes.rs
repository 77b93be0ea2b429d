//! Which requests each API-key scope allows. One rule per scope, over the method and the
//! matched route template (never the raw path, so encodings cannot dodge it), checked by the
//! API-key middleware (`auth::require_api_key`) for every route it guards.
//!
//! - `full`: everything (every key issued before scopes existed).
//! - `read_only`: GET and HEAD anywhere behind a key (API and FHIR).
//! - `webhooks`: the inbound-integration route a CRM, ad-form tool or automation posts new
//!   leads to (`POST /api/v1/leads`). Provider and n8n webhooks (`/webhooks/...`) do not
//!   take API keys at all: they are authenticated by the provider's signature or the
//!   tenant's callback token.
//! - `assistant`: the tools a voice or chat assistant calls mid-conversation
//!   (`/api/v1/voice/tools/...`), and the assistant's (`/api/v1/assistant/...`: the tool
//!   list, questions, tool calls and the MCP endpoint), read-only.
//! - `assistant_write`: the same routes, and the assistant's tools that change data may run.

use axum::http::Method;
use frontdesk_domain::api_key_scope::{ApiKeyScope, ScopeSet};

const INTAKE_ROUTES: [&str; 1] = ["/api/v1/leads"];
const ASSISTANT_PREFIXES: [&str; 2] = ["/api/v1/voice/tools/", "/api/v1/assistant/"];

/// Whether a key with `scopes` may call `method route`.
pub fn allows(scopes: &ScopeSet, method: &Method, route: &str) -> bool {
    scopes.iter().any(|scope| scope_allows(scope, method, route))
}

fn scope_allows(scope: ApiKeyScope, method: &Method, route: &str) -> bool {
    match scope {
        ApiKeyScope::Full => true,
        ApiKeyScope::ReadOnly => method == Method::GET || method == Method::HEAD,
        ApiKeyScope::Webhooks => method == Method::POST && INTAKE_ROUTES.contains(&route),
        ApiKeyScope::Assistant | ApiKeyScope::AssistantWrite => {
            let reads_tools = method == Method::GET && route.starts_with("/api/v1/assistant/");
            reads_tools || method == Method::POST && ASSISTANT_PREFIXES.iter().any(|p| route.starts_with(p))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &[ApiKeyScope]) -> ScopeSet {
        ScopeSet::new(s.iter().copied()).unwrap()
    }

    #[test]
    fn each_scope_covers_its_routes_only() {
        use ApiKeyScope::*;
        let tool = "/api/v1/voice/tools/book-appointment";
        let cases: [(ApiKeyScope, Method, &str, bool); 12] = [
            (Full, Method::DELETE, "/api/v1/api-keys/{prefix}", true),
            (ReadOnly, Method::GET, "/api/v1/patients", true),
            (ReadOnly, Method::HEAD, "/fhir/R4/Slot", true),
            (ReadOnly, Method::POST, "/api/v1/patients", false),
            (ReadOnly, Method::PATCH, "/api/v1/settings", false),
            (Webhooks, Method::POST, "/api/v1/leads", true),
            (Webhooks, Method::GET, "/api/v1/leads", false),
            (Webhooks, Method::POST, "/api/v1/api-keys", false),
            (Assistant, Method::POST, tool, true),
            (Assistant, Method::GET, "/api/v1/patients", false),
            (Assistant, Method::POST, "/api/v1/appointments", false),
            (Assistant, Method::POST, "/api/v1/voice/toolsX", false),
        ];
        for (scope, method, route, expected) in cases {
            assert_eq!(allows(&set(&[scope]), &method, route), expected, "{scope} {method} {route}");
        }
        // Several scopes: any of them suffices.
        let both = set(&[ReadOnly, Assistant]);
        assert!(allows(&both, &Method::GET, "/api/v1/leads") && allows(&both, &Method::POST, tool));
        assert!(!allows(&both, &Method::POST, "/api/v1/leads"));
    }
}
