//! What the handlers' annotations leave implicit, added to the OpenAPI document in one
//! place so no operation can forget it: the errors the shared layers answer with (a
//! missing key, a body that does not parse, a rate limit...), and the FHIR routes, which
//! speak FHIR rather than our JSON and are routed outside the annotated router.

use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi as Spec, Ref, RefOr, Required, ResponseBuilder, Schema};

/// Adds the shared error responses and the FHIR paths.
pub fn complete(spec: &mut Spec) {
    for (path, item) in spec.paths.paths.iter_mut() {
        for operation in operations(item) {
            add_standard_errors(path, operation);
        }
    }
    for (path, item) in fhir_paths() {
        spec.paths.paths.insert(path.to_owned(), item);
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete]
        .into_iter()
        .filter_map(Option::as_mut)
}

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", body).build().into()
}

fn has_params(operation: &Operation, place: ParameterIn) -> bool {
    operation.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == place,
        RefOr::Ref(_) => false,
    })
}

fn has_body(operation: &Operation) -> bool {
    operation.request_body.is_some()
}

/// The statuses the layers around a handler can answer with, by what the operation takes.
fn add_standard_errors(path: &str, operation: &mut Operation) {
    let api = path.starts_with("/api/v1/");
    let webhook = path.starts_with("/webhooks/");
    let public = path.starts_with("/public/");
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    if api {
        wanted.push(("401", "missing, unknown or revoked API key (`invalid_api_key`)"));
        wanted.push(("403", "the API key's scopes do not allow this operation (`insufficient_scope`)"));
    }
    if webhook {
        wanted.push(("401", "the provider's signature or secret is missing or wrong"));
        wanted.push(("404", "no such clinic, or the provider is not configured for it"));
    }
    if api || webhook || public {
        wanted.push(("429", "rate limited (`rate_limited`); see `Retry-After`"));
    }
    if has_body(operation) {
        wanted.push(("400", "the body is not well-formed (`malformed_json`, `unreadable_body`)"));
        wanted.push(("413", "the body is over the size limit (`payload_too_large`)"));
        wanted.push(("415", "the body's `Content-Type` is not the one documented"));
        wanted.push(("422", "the body parses but a field is invalid (`invalid_body`)"));
    }
    if has_params(operation, ParameterIn::Path) {
        wanted.push(("400", "a path parameter is malformed (`invalid_path`)"));
        wanted.push(("404", "not found, or another clinic's"));
    }
    if has_params(operation, ParameterIn::Query) {
        wanted.push(("400", "a query parameter is malformed or unknown (`invalid_query`)"));
    }
    for (status, description) in wanted {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| error(description));
    }
}

/// A FHIR route: its path, what it returns, and its parameters.
type FhirRoute = (&'static str, &'static str, &'static [(&'static str, ParameterIn)]);

/// The read-only FHIR R4 routes (`crate::fhir`), each answering `application/fhir+json`
/// (a resource, a searchset Bundle, or an OperationOutcome on error).
fn fhir_paths() -> Vec<(&'static str, PathItem)> {
    let routes: [FhirRoute; 9] = [
        ("/fhir/R4/metadata", "The CapabilityStatement", &[]),
        ("/fhir/R4/Appointment/{id}", "An appointment", &[("id", ParameterIn::Path)]),
        (
            "/fhir/R4/Appointment",
            "Appointments (searchset)",
            &[
                ("date", ParameterIn::Query),
                ("patient", ParameterIn::Query),
                ("practitioner", ParameterIn::Query),
                ("status", ParameterIn::Query),
            ],
        ),
        (
            "/fhir/R4/Schedule",
            "Schedules, one per practitioner and location",
            &[("actor", ParameterIn::Query)],
        ),
        ("/fhir/R4/Schedule/{id}", "A schedule", &[("id", ParameterIn::Path)]),
        (
            "/fhir/R4/Slot",
            "Free slots, computed (searchset)",
            &[
                ("schedule", ParameterIn::Query),
                ("start", ParameterIn::Query),
                ("service-type", ParameterIn::Query),
            ],
        ),
        ("/fhir/R4/Patient/{id}", "A patient", &[("id", ParameterIn::Path)]),
        ("/fhir/R4/Practitioner/{id}", "A practitioner", &[("id", ParameterIn::Path)]),
        ("/fhir/R4/Location/{id}", "A location", &[("id", ParameterIn::Path)]),
    ];
    let resource = || {
        let schema = Schema::Object(ObjectBuilder::new().schema_type(Type::Object).build());
        ContentBuilder::new().schema(Some(schema)).build()
    };
    let outcome = |description: &str| {
        ResponseBuilder::new().description(description).content("application/fhir+json", resource()).build()
    };
    routes
        .into_iter()
        .map(|(path, summary, params)| {
            let mut operation = OperationBuilder::new()
                .tags(Some(["fhir"]))
                .summary(Some(summary))
                .operation_id(Some(format!(
                    "fhir_{}",
                    path.trim_start_matches("/fhir/R4/").replace(['/', '{', '}', '-'], "_")
                )))
                .security(utoipa::openapi::security::SecurityRequirement::new(
                    "api_key",
                    Vec::<String>::new(),
                ))
                .response("200", outcome(summary))
                .response("401", outcome("OperationOutcome: missing or wrong API key"))
                .response("403", outcome("OperationOutcome: the API key's scopes do not allow reading FHIR"))
                .response("429", outcome("OperationOutcome: rate limited"));
            for (name, place) in params {
                let required = if *place == ParameterIn::Path { Required::True } else { Required::False };
                // FHIR search values carry prefixes (`date=ge2026-06-01`): strings.
                let string = Schema::Object(ObjectBuilder::new().schema_type(Type::String).build());
                operation = operation.parameter(
                    ParameterBuilder::new()
                        .name(*name)
                        .parameter_in(place.clone())
                        .required(required)
                        .schema(Some(string)),
                );
            }
            if params.iter().any(|(_, p)| *p == ParameterIn::Path) {
                operation =
                    operation.response("404", outcome("OperationOutcome: not found, or another clinic's"));
            }
            if !params.is_empty() {
                operation = operation.response("400", outcome("OperationOutcome: a parameter is malformed"));
            }
            (path, PathItem::new(HttpMethod::Get, operation.build()))
        })
        .collect()
}
