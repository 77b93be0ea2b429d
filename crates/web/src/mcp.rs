//! The assistant's tools over the Model Context Protocol (docs/assistant.md), with the
//! `rmcp` SDK: the same tools as `GET /api/v1/assistant/tools`, on stdio for one clinic
//! (`frontdesk mcp --tenant SLUG`) and as a streamable-HTTP endpoint behind the API key
//! (`/api/v1/assistant/mcp`), stateless: each request is answered on its own, so any
//! instance can take it. A tool's failure is a tool result marked as an error (the model
//! reads why); an unknown tool or bad arguments are the protocol's invalid-params error.

use crate::auth::Principal;
use frontdesk_domain::TenantId;
use frontdesk_engine::Ctx;
use frontdesk_engine::assistant::tools::{self, ToolError};
use frontdesk_engine::audit::Actor;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;

/// Who the tools run for: fixed on stdio, the API key's clinic over HTTP.
#[derive(Clone)]
enum Caller {
    Fixed { tenant: TenantId, may_write: bool },
    PerRequest,
}

#[derive(Clone)]
pub struct McpServer {
    ctx: Ctx,
    caller: Caller,
}

impl McpServer {
    /// For one clinic (stdio); `may_write` lets the tools that book or send run.
    pub fn for_tenant(ctx: Ctx, tenant: TenantId, may_write: bool) -> Self {
        Self { ctx, caller: Caller::Fixed { tenant, may_write } }
    }

    fn per_request(ctx: Ctx) -> Self {
        Self { ctx, caller: Caller::PerRequest }
    }

    /// Who calls (for the audit trail) and whether the writing tools may run.
    fn caller(&self, context: &RequestContext<RoleServer>) -> Result<(Actor, bool), ErrorData> {
        match &self.caller {
            Caller::Fixed { tenant, may_write } => Ok((
                Actor { tenant_id: *tenant, name: "system:mcp_stdio".into(), request_id: None },
                *may_write,
            )),
            Caller::PerRequest => context
                .extensions
                .get::<axum::http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Principal>())
                .map(|who| (who.actor(), crate::routes::assistant::may_write(who)))
                .ok_or_else(|| ErrorData::invalid_request("no API key on the request", None)),
        }
    }
}

/// The tool list in MCP's shape, read-only ones marked as such.
pub fn mcp_tools() -> Vec<Tool> {
    tools::tools()
        .into_iter()
        .map(|t| {
            let schema = match t.input_schema {
                serde_json::Value::Object(map) => map,
                _ => serde_json::Map::new(),
            };
            let mut tool = Tool::new(t.name, t.description, Arc::new(schema));
            let mut hints = ToolAnnotations::default();
            hints.read_only_hint = Some(!t.writes);
            hints.destructive_hint = Some(false);
            tool.annotations = Some(hints);
            tool
        })
        .collect()
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("frontdesk", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Frontdesk runs a clinic's patient funnel. Ask about its figures with ask_figures \
                 (pt-BR or English); the other tools read patients, appointments, slots and metrics. \
                 Booking and sending messages need a key with the assistant_write scope.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(mcp_tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (actor, may_write) = self.caller(&context)?;
        let args = serde_json::Value::Object(request.arguments.unwrap_or_default());
        match tools::call(&self.ctx, &actor, &request.name, &args, may_write).await {
            Ok(value) => {
                let text = serde_json::to_string(&value).unwrap_or_default();
                let mut result = CallToolResult::success(vec![ContentBlock::text(text)]);
                result.structured_content = Some(value);
                Ok(result.into())
            }
            Err(e @ (ToolError::Unknown(_) | ToolError::Invalid(_))) => {
                Err(ErrorData::invalid_params(e.to_string(), None))
            }
            Err(ToolError::Store(e)) => {
                tracing::error!(error = %e, "assistant tool failed on the store");
                Err(ErrorData::internal_error("the clinic's data could not be read; try again", None))
            }
            Err(e) => Ok(CallToolResult::error(vec![ContentBlock::text(e.to_string())]).into()),
        }
    }
}

/// `POST /api/v1/assistant/mcp`: streamable HTTP, stateless, JSON answers. The API-key
/// middleware in front of it has already found the clinic; the Host check of the SDK
/// (against DNS rebinding of local servers) is off because nothing runs without a key.
pub fn service(
    ctx: Ctx,
) -> rmcp::transport::streamable_http_server::StreamableHttpService<
    McpServer,
    rmcp::transport::streamable_http_server::session::never::NeverSessionManager,
> {
    use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .disable_allowed_hosts();
    StreamableHttpService::new(move || Ok(McpServer::per_request(ctx.clone())), Default::default(), config)
}
