//! The tools an AI client may call on a clinic's behalf (docs/assistant.md): each with a
//! JSON Schema for its arguments, served by `GET /api/v1/assistant/tools` and over MCP.
//! Tools that change data (`writes`) run only for callers allowed to write; the rest
//! only read.

use super::ask;
use crate::Ctx;
use crate::analytics;
use crate::audit::{Access, Actor};
use crate::messaging::{Content, SendRequest};
use crate::scheduling::{BookingRequest, Confirmation, PatientRef};
use frontdesk_domain::analytics::{Dimension, MetricKind, Period};
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::{LocationId, PatientId, PractitionerId, ServiceId, TenantId};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub description: &'static str,
    /// True when the tool changes data (books, sends).
    pub writes: bool,
    pub input_schema: Value,
}

#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("no tool is called `{0}`")]
    Unknown(String),
    #[error(
        "`{0}` changes data; this caller may only read (an API key needs the `assistant_write` scope; `frontdesk mcp` needs `--allow-writes`)"
    )]
    ReadOnly(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Failed(String),
    #[error(transparent)]
    Store(#[from] frontdesk_store::StoreError),
}

fn date_prop(what: &str) -> Value {
    json!({"type": "string", "format": "date", "description": what})
}

fn id_prop(what: &str) -> Value {
    json!({"type": "string", "format": "uuid", "description": what})
}

fn schema(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// Every tool, read-only ones first.
pub fn tools() -> Vec<Tool> {
    let kinds: Vec<&str> = MetricKind::ALL.iter().map(|k| k.as_str()).collect();
    let dims: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
    vec![
        Tool {
            name: "ask_figures",
            description: "Answers a question about the clinic's figures in pt-BR or English \
                (\"quantos no-shows tivemos semana passada com a Dra. Ana?\"), with the period and the query it ran.",
            writes: false,
            input_schema: schema(
                json!({"question": {"type": "string", "maxLength": 500},
                       "locale": {"type": "string", "enum": ["pt-BR", "en"]}}),
                &["question"],
            ),
        },
        Tool {
            name: "metrics_overview",
            description: "The headline figures of a period (clinic days, both included), each beside the previous period's.",
            writes: false,
            input_schema: schema(
                json!({"from": date_prop("first day"), "to": date_prop("last day, at most 400 days after from")}),
                &["from", "to"],
            ),
        },
        Tool {
            name: "metrics_breakdown",
            description: "A metrics view's counters over a period, split by one dimension.",
            writes: false,
            input_schema: schema(
                json!({"kind": {"type": "string", "enum": kinds},
                       "from": date_prop("first day"), "to": date_prop("last day"),
                       "breakdown": {"type": "string", "enum": dims}}),
                &["kind", "from", "to", "breakdown"],
            ),
        },
        Tool {
            name: "find_patient",
            description: "Patients whose name contains `name` or whose phone contains `phone_digits` (at most 10).",
            writes: false,
            input_schema: schema(
                json!({"name": {"type": "string", "minLength": 2}, "phone_digits": {"type": "string", "pattern": "^[0-9]{3,15}$"}}),
                &[],
            ),
        },
        Tool {
            name: "list_appointments",
            description: "Appointments starting on the clinic's days `from`..`to` (at most 100), optionally of one practitioner.",
            writes: false,
            input_schema: schema(
                json!({"from": date_prop("first day"), "to": date_prop("last day"),
                       "practitioner_id": id_prop("only this practitioner's")}),
                &["from", "to"],
            ),
        },
        Tool {
            name: "find_slots",
            description: "Free slots of a service on the clinic's days `from`..`to` (at most 20), optionally with one practitioner.",
            writes: false,
            input_schema: schema(
                json!({"service_id": id_prop("the service"), "from": date_prop("first day"), "to": date_prop("last day"),
                       "practitioner_id": id_prop("only this practitioner")}),
                &["service_id", "from", "to"],
            ),
        },
        Tool {
            name: "create_report",
            description: "The address to download a report (overview, leads, appointments, no_shows, calls, messages) as CSV, XLSX or PDF.",
            writes: false,
            input_schema: schema(
                json!({"kind": {"type": "string", "enum": ["overview", "leads", "appointments", "no_shows", "calls", "messages"]},
                       "from": date_prop("first day"), "to": date_prop("last day"),
                       "format": {"type": "string", "enum": ["csv", "xlsx", "pdf"]}}),
                &["kind", "from", "to", "format"],
            ),
        },
        Tool {
            name: "book_appointment",
            description: "Books a free slot for a patient; the patient gets the usual confirmation.",
            writes: true,
            input_schema: schema(
                json!({"patient_id": id_prop("the patient"), "service_id": id_prop("the service"),
                       "practitioner_id": id_prop("the practitioner"), "location_id": id_prop("the unit"),
                       "start": {"type": "string", "format": "date-time", "description": "the slot's start (RFC 3339)"}}),
                &["patient_id", "service_id", "practitioner_id", "location_id", "start"],
            ),
        },
        Tool {
            name: "send_message",
            description: "Sends a patient a message from the staff, on their usual channel.",
            writes: true,
            input_schema: schema(
                json!({"patient_id": id_prop("the patient"), "text": {"type": "string", "minLength": 1, "maxLength": 4096},
                       "channel": {"type": "string", "enum": ["whatsapp", "sms"], "default": "whatsapp"}}),
                &["patient_id", "text"],
            ),
        },
    ]
}

fn text<'a>(args: &'a Value, key: &str) -> Result<&'a str, ToolError> {
    args.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| ToolError::Invalid(format!("`{key}` is required (a string)")))
}

fn opt_text<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

fn date(args: &Value, key: &str) -> Result<jiff::civil::Date, ToolError> {
    let raw = text(args, key)?;
    raw.parse().map_err(|_| ToolError::Invalid(format!("`{key}` must be a date (YYYY-MM-DD), not `{raw}`")))
}

fn uuid(args: &Value, key: &str) -> Result<uuid::Uuid, ToolError> {
    let raw = text(args, key)?;
    raw.parse().map_err(|_| ToolError::Invalid(format!("`{key}` must be an id (UUID)")))
}

fn opt_uuid(args: &Value, key: &str) -> Result<Option<uuid::Uuid>, ToolError> {
    if args.get(key).is_none_or(Value::is_null) {
        return Ok(None);
    }
    uuid(args, key).map(Some)
}

async fn period(ctx: &Ctx, tenant: TenantId, args: &Value) -> Result<Period, ToolError> {
    let (_, tz, _) = super::clinic_today(ctx, tenant).await?;
    Period::new(date(args, "from")?, date(args, "to")?, tz).map_err(|e| ToolError::Invalid(e.to_string()))
}

/// Runs tool `name` with `args` for `actor`'s clinic; `may_write` allows the tools that
/// change data. Every call that runs is audited first (the tools read patients and
/// appointments), under the actor's name, with the patient when the arguments name one.
pub async fn call(
    ctx: &Ctx,
    actor: &Actor,
    name: &str,
    args: &Value,
    may_write: bool,
) -> Result<Value, ToolError> {
    let tenant = actor.tenant_id;
    let tool = tools()
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| ToolError::Unknown(name.chars().take(60).collect()))?;
    if tool.writes && !may_write {
        return Err(ToolError::ReadOnly(tool.name));
    }
    if !args.is_object() && !args.is_null() {
        return Err(ToolError::Invalid("the arguments must be a JSON object".into()));
    }
    // The patient named, if the clinic has them (another clinic's id is not this log's).
    let patient = match opt_text(args, "patient_id").and_then(|p| p.parse().ok()).map(PatientId) {
        Some(id) => ctx.store.get_patient(tenant, id).await?.map(|p| p.id),
        None => None,
    };
    let access = Access {
        action: if tool.writes { "call_writing_tool" } else { "call_tool" },
        resource_type: "assistant_tool",
        resource_id: Some(tool.name),
        patient_id: patient,
    };
    crate::audit::record(ctx, actor, access).await?;
    match tool.name {
        "ask_figures" => {
            let question = text(args, "question")?;
            let locale = match opt_text(args, "locale") {
                Some(l) => {
                    Some(Locale::parse(l).map_err(|_| ToolError::Invalid(format!("unknown locale `{l}`")))?)
                }
                None => None,
            };
            // Boxed: `ask` may call the model, which calls the tools (never this one).
            let answer = Box::pin(ask(ctx, actor, question, locale)).await?;
            serde_json::to_value(answer).map_err(|e| ToolError::Failed(e.to_string()))
        }
        "metrics_overview" => {
            let p = period(ctx, tenant, args).await?;
            let o = analytics::overview(ctx, tenant, &p).await?;
            let figures: serde_json::Map<String, Value> = o
                .figures
                .iter()
                .map(|(n, f)| (n.to_string(), json!({"value": f.value, "previous": f.previous})))
                .collect();
            Ok(json!({"from": p.from.to_string(), "to": p.to.to_string(), "figures": figures}))
        }
        "metrics_breakdown" => {
            let kind_raw = text(args, "kind")?;
            let kind = MetricKind::parse(kind_raw)
                .ok_or_else(|| ToolError::Invalid(format!("unknown view `{kind_raw}`")))?;
            let dim_raw = text(args, "breakdown")?;
            let dimension =
                Dimension::parse(dim_raw).filter(|d| kind.dimensions().contains(d)).ok_or_else(|| {
                    ToolError::Invalid(format!("{} cannot be split by `{dim_raw}`", kind.as_str()))
                })?;
            let p = period(ctx, tenant, args).await?;
            let rows = analytics::breakdown(ctx, tenant, kind, &p, dimension).await?;
            let rows: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let values: serde_json::Map<String, Value> =
                        r.values.iter().map(|(c, v)| (c.name(), json!(v))).collect();
                    json!({"key": r.key, "label": r.label, "values": values})
                })
                .collect();
            Ok(
                json!({"kind": kind.as_str(), "breakdown": dimension.as_str(), "from": p.from.to_string(), "to": p.to.to_string(), "rows": rows}),
            )
        }
        "find_patient" => {
            let query = frontdesk_store::PatientQuery {
                name: opt_text(args, "name").map(str::to_owned),
                phone_digits: opt_text(args, "phone_digits")
                    .map(|d| d.chars().filter(char::is_ascii_digit).collect()),
            };
            if query.name.is_none() && query.phone_digits.is_none() {
                return Err(ToolError::Invalid("give `name` or `phone_digits`".into()));
            }
            let page = ctx
                .store
                .search_patients(tenant, &query, frontdesk_domain::page::PageRequest::new(None, Some(10)))
                .await?;
            Ok(json!({"patients": page.items.iter().map(|p| json!({
                "id": p.id.to_string(), "name": p.name.as_str(), "phone": p.phone.as_str(),
                "email": p.email.as_ref().map(|e| e.as_str()), "locale": p.locale,
            })).collect::<Vec<_>>()}))
        }
        "list_appointments" => {
            let p = period(ctx, tenant, args).await?;
            let filter = frontdesk_store::AppointmentFilter {
                from: Some(p.start),
                to: Some(p.end),
                practitioner_id: opt_uuid(args, "practitioner_id")?.map(PractitionerId),
                ..Default::default()
            };
            let page = ctx
                .store
                .list_appointments(tenant, &filter, frontdesk_domain::page::PageRequest::new(None, Some(100)))
                .await?;
            Ok(json!({"appointments": page.items.iter().map(|a| json!({
                "id": a.id.to_string(), "start": a.start.to_string(), "end": a.end.to_string(), "status": a.status,
                "patient_id": a.patient_id.to_string(), "practitioner_id": a.practitioner_id.to_string(),
                "service_id": a.service_id.to_string(), "location_id": a.location_id.to_string(),
            })).collect::<Vec<_>>()}))
        }
        "find_slots" => {
            let p = period(ctx, tenant, args).await?;
            if p.to > p.from.checked_add(jiff::Span::new().days(31)).unwrap_or(p.to) {
                return Err(ToolError::Invalid("look for slots over at most 31 days".into()));
            }
            let service = ServiceId(uuid(args, "service_id")?);
            let practitioner = opt_uuid(args, "practitioner_id")?.map(PractitionerId);
            let found =
                crate::scheduling::availability(ctx, tenant, service, practitioner, None, (p.from, p.to))
                    .await
                    .map_err(|e| ToolError::Failed(e.to_string()))?;
            Ok(json!({"service": found.service.name, "slots": found.slots.iter().take(20).map(|s| json!({
                "start": s.start.to_string(), "practitioner_id": s.practitioner_id.to_string(),
                "location_id": s.location_id.to_string(), "service_id": s.service_id.to_string(),
            })).collect::<Vec<_>>()}))
        }
        "create_report" => {
            let kind = text(args, "kind")?;
            if crate::reports::ReportKind::parse(kind).is_none() {
                return Err(ToolError::Invalid(format!("unknown report `{kind}`")));
            }
            let format = text(args, "format")?;
            if frontdesk_reports::Format::parse(format).is_none() {
                return Err(ToolError::Invalid(format!("unknown format `{format}` (csv, xlsx or pdf)")));
            }
            let p = period(ctx, tenant, args).await?;
            Ok(
                json!({"download": format!("/api/v1/reports/{kind}?from={}&to={}&format={format}", p.from, p.to)}),
            )
        }
        "book_appointment" => {
            let start_raw = text(args, "start")?;
            let start: jiff::Timestamp = start_raw
                .parse()
                .map_err(|_| ToolError::Invalid("`start` must be an RFC 3339 time".into()))?;
            let request = BookingRequest {
                tenant_id: tenant,
                patient: PatientRef::Id(PatientId(uuid(args, "patient_id")?)),
                practitioner_id: PractitionerId(uuid(args, "practitioner_id")?),
                location_id: LocationId(uuid(args, "location_id")?),
                service_id: ServiceId(uuid(args, "service_id")?),
                start,
                idempotency: None,
                actor: "assistant".into(),
                confirmation: Confirmation::Send,
            };
            let booked =
                crate::scheduling::book(ctx, request).await.map_err(|e| ToolError::Failed(e.to_string()))?;
            let a = booked.appointment;
            Ok(json!({"appointment_id": a.id.to_string(), "start": a.start.to_string(), "status": a.status}))
        }
        "send_message" => {
            let request = SendRequest {
                tenant_id: tenant,
                patient_id: PatientId(uuid(args, "patient_id")?),
                channel: match opt_text(args, "channel") {
                    None | Some("whatsapp") => frontdesk_domain::messaging::Channel::Whatsapp,
                    Some("sms") => frontdesk_domain::messaging::Channel::Sms,
                    Some(other) => {
                        return Err(ToolError::Invalid(format!(
                            "unknown channel `{other}` (whatsapp or sms)"
                        )));
                    }
                },
                content: Content::Text(text(args, "text")?.to_owned()),
                automated: false,
                by: frontdesk_domain::messaging::Sender::Staff,
                campaign: None,
            };
            let m =
                crate::messaging::send(ctx, request).await.map_err(|e| ToolError::Failed(e.to_string()))?;
            Ok(json!({"message_id": m.id.to_string(), "status": m.status}))
        }
        other => Err(ToolError::Unknown(other.to_owned())),
    }
}
