//! The assistant (docs/assistant.md): questions about the figures answered with the same
//! numbers the metrics API gives, the query it ran and the period; an honest refusal for
//! what it cannot map; its tools listed with schemas and called, the ones that change data
//! only with the `assistant_write` scope. On both backends.

use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, get, post, setup_calendar};
use serde_json::{Value, json};

backend_tests!(
    questions_are_answered_with_the_metrics_figures,
    tools_are_listed_and_called_within_their_scope,
    the_mcp_endpoint_answers_json_rpc_behind_the_api_key,
    a_model_answers_what_the_reader_cannot_with_read_only_tools
);

fn code(e: &Value) -> String {
    e["error"]["code"].as_str().unwrap_or_default().to_owned()
}

async fn ask(app: &TestApp, key: &str, question: &str) -> Value {
    let (s, a) = post(app, key, "/api/v1/assistant/ask", json!({"question": question})).await;
    assert_eq!(s, 200, "{a}");
    a
}

async fn issue(app: &TestApp, full_key: &str, scopes: Value) -> String {
    let (s, body) =
        post(app, full_key, "/api/v1/api-keys", json!({"name": "ai client", "scopes": scopes})).await;
    assert_eq!(s, 201, "{body}");
    body["secret"].as_str().unwrap().to_owned()
}

/// Monday 1 June 2026: two leads from ads, one referral; three bookings (two with Dra. Ana,
/// one with Dr. Bruno), Dr. Bruno's patient missed it. Then the clock moves to Monday 8 June,
/// so "last week" is 1-7 June.
async fn known_week(app: &TestApp, key: &str) -> frontdesk_test_support::Calendar {
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..Default::default()
    };
    let cal = setup_calendar(app, key, spec).await;
    for (phone, source) in
        [("+5511987000001", "paid_ads"), ("+5511987000002", "paid_ads"), ("+5511987000003", "referral")]
    {
        let (s, l) =
            post(app, key, "/api/v1/leads", json!({"phone": phone, "name": "Carla Dias", "source": source}))
                .await;
        assert_eq!(s, 201, "{l}");
    }
    let mut ids = Vec::new();
    for (doctor, start, phone) in [
        (0, "2026-06-03T10:00:00-03:00", "+5511987000011"),
        (1, "2026-06-03T14:00:00-03:00", "+5511987000012"),
        (0, "2026-06-05T09:00:00-03:00", "+5511987000013"),
    ] {
        let body = json!({"patient": {"name": "Rita Alves", "phone": phone},
            "practitioner_id": cal.practitioners[doctor], "location_id": cal.location, "service_id": cal.service,
            "start": start});
        let (s, a) = post(app, key, "/api/v1/appointments", body).await;
        assert_eq!(s, 201, "{a}");
        ids.push(a["id"].as_str().unwrap().to_owned());
    }
    app.run_pending_jobs().await;
    app.clock.set("2026-06-03T18:00:00Z".parse().unwrap());
    let r = app.post(&format!("/api/v1/appointments/{}/no-show", ids[1]), key).send().await.unwrap();
    assert_eq!(r.status(), 200);
    app.clock.set("2026-06-08T12:00:00Z".parse().unwrap());
    app.run_pending_jobs().await;
    cal
}

async fn questions_are_answered_with_the_metrics_figures(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    known_week(&app, &key).await;
    let week = "from=2026-06-01&to=2026-06-07";

    // A practitioner named in passing: the figure is that practitioner's row.
    let a = ask(&app, &key, "quantos no-shows tivemos semana passada com o Dr. Bruno?").await;
    assert_eq!(a["answered"], true, "{a}");
    assert_eq!(a["query"], "no_shows 2026-06-01..2026-06-07 where practitioner=Dr. Bruno Reis");
    assert_eq!(a["api"], format!("/api/v1/metrics/no_shows?{week}&breakdown=practitioner"));
    let by = get(&app, &key, &format!("/api/v1/metrics/no_shows?{week}&breakdown=practitioner")).await;
    let bruno =
        by["breakdown"]["rows"].as_array().unwrap().iter().find(|r| r["label"] == "Dr. Bruno Reis").unwrap();
    assert_eq!(a["value"], bruno["values"]["appointments_no_show"]);
    assert_eq!(a["value"], json!(1.0));
    assert_eq!(a["locale"], "pt-BR");
    assert!(a["text"].as_str().unwrap().contains("Dr. Bruno Reis"), "{a}");

    // A whole-period figure is the overview's, with the previous period beside it.
    let a = ask(&app, &key, "how many appointments were booked last week?").await;
    let overview = get(&app, &key, &format!("/api/v1/metrics/overview?{week}")).await;
    assert_eq!(
        (a["value"].clone(), a["previous"].clone()),
        (overview["appointments_total"].clone(), json!(0.0))
    );
    assert_eq!(a["value"], json!(3.0));
    assert_eq!(a["locale"], "en");
    let a = ask(&app, &key, "qual foi a taxa de no-show semana passada?").await;
    assert_eq!(a["value"], overview["no_show_rate"]);
    assert!(a["text"].as_str().unwrap().contains("100,0%"), "{a}");

    // "Which ... most": the top row.
    let a = ask(&app, &key, "qual profissional teve mais agendamentos semana passada?").await;
    assert_eq!(a["query"], "appointments_total 2026-06-01..2026-06-07 top practitioner");
    assert_eq!(
        (a["rows"][0]["label"].clone(), a["rows"][0]["value"].clone()),
        (json!("Dra. Ana Lima"), json!(2.0))
    );
    assert!(a["text"].as_str().unwrap().contains("Dra. Ana Lima (2)"), "{a}");

    // A split by source: one row per source, the API's counts.
    let a = ask(&app, &key, "leads by source last week").await;
    assert_eq!(a["query"], "leads_total 2026-06-01..2026-06-07 by source");
    let rows: Vec<(String, f64)> = a["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["key"].as_str().unwrap().to_owned(), r["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(rows, [("paid_ads".to_owned(), 2.0), ("referral".to_owned(), 1.0)]);

    // No period: the last 30 days, said so.
    let a = ask(&app, &key, "quantos leads recebemos?").await;
    assert_eq!(
        (a["from"].clone(), a["to"].clone(), a["assumed_period"].clone()),
        (json!("2026-05-10"), json!("2026-06-08"), json!(true))
    );
    assert_eq!(a["value"], json!(3.0));

    // What it cannot map it says, without a number.
    let a = ask(&app, &key, "qual a previsão do tempo amanhã?").await;
    assert_eq!(
        (a["answered"].clone(), a["value"].clone(), a["query"].clone()),
        (json!(false), Value::Null, Value::Null)
    );
    assert!(a["text"].as_str().unwrap().starts_with("Não sei responder"), "{a}");
    let a = ask(&app, &key, "calls with Dra. Ana last week").await;
    assert_eq!(a["answered"], false, "calls are not kept per practitioner: {a}");
    let a = ask(&app, &key, "leads from 2020-01-01 to 2026-06-01").await;
    assert_eq!(a["answered"], false, "{a}");
    assert!(a["text"].as_str().unwrap().contains("at most 400"), "{a}");

    // Bad requests are named.
    let (s, e) = post(&app, &key, "/api/v1/assistant/ask", json!({"question": "  "})).await;
    assert_eq!((s, code(&e)), (422, "invalid_question".into()));
    let (s, e) =
        post(&app, &key, "/api/v1/assistant/ask", json!({"question": "leads", "locale": "fr"})).await;
    assert_eq!((s, code(&e)), (400, "invalid_locale".into()));
    let (s, _) = post(&app, &key, "/api/v1/assistant/ask", json!({"q": "leads"})).await;
    assert_eq!(s, 422);
}

async fn tools_are_listed_and_called_within_their_scope(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let cal = known_week(&app, &key).await;

    let list = get(&app, &key, "/api/v1/assistant/tools").await;
    let tools = list["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for expected in [
        "ask_figures",
        "metrics_overview",
        "find_patient",
        "list_appointments",
        "find_slots",
        "book_appointment",
        "send_message",
        "create_report",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let book = tools.iter().find(|t| t["name"] == "book_appointment").unwrap();
    assert_eq!(book["writes"], true);
    assert_eq!(book["input_schema"]["type"], "object");
    assert!(book["input_schema"]["required"].as_array().unwrap().contains(&json!("start")));

    // A read tool gives the API's figures.
    let (s, r) = post(
        &app,
        &key,
        "/api/v1/assistant/tools/metrics_overview",
        json!({"from": "2026-06-01", "to": "2026-06-07"}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    let overview = get(&app, &key, "/api/v1/metrics/overview?from=2026-06-01&to=2026-06-07").await;
    assert_eq!(r["result"]["figures"]["leads_total"]["value"], overview["leads_total"]);

    // A key limited to the assistant reads; booking needs assistant_write, even for a full key.
    let reader = issue(&app, &key, json!(["assistant"])).await;
    let (s, found) =
        post(&app, &reader, "/api/v1/assistant/tools/find_patient", json!({"phone_digits": "987000011"}))
            .await;
    assert_eq!(s, 200, "{found}");
    let patient = found["result"]["patients"][0]["id"].as_str().unwrap().to_owned();
    let (s, slots) = post(
        &app,
        &reader,
        "/api/v1/assistant/tools/find_slots",
        json!({"service_id": cal.service, "from": "2026-06-10", "to": "2026-06-10"}),
    )
    .await;
    assert_eq!(s, 200, "{slots}");
    let slot = slots["result"]["slots"][0].clone();
    let booking = json!({"patient_id": patient, "service_id": cal.service, "practitioner_id": slot["practitioner_id"],
        "location_id": slot["location_id"], "start": slot["start"]});
    for refused in [&reader, &key] {
        let (s, e) = post(&app, refused, "/api/v1/assistant/tools/book_appointment", booking.clone()).await;
        assert_eq!((s, code(&e)), (403, "insufficient_scope".into()), "{e}");
    }
    let writer = issue(&app, &key, json!(["assistant_write"])).await;
    let (s, booked) = post(&app, &writer, "/api/v1/assistant/tools/book_appointment", booking.clone()).await;
    assert_eq!(s, 200, "{booked}");
    assert_eq!(booked["result"]["status"], "booked");
    let (s, e) = post(&app, &writer, "/api/v1/assistant/tools/book_appointment", booking).await;
    assert_eq!((s, code(&e)), (422, "tool_failed".into()), "the slot is taken now: {e}");
    // Every tool call is in the audit log under the key that made it, with the patient.
    let audit = get(&app, &key, "/api/v1/audit?limit=100").await;
    let calls: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["resource_type"] == "assistant_tool")
        .collect();
    assert!(
        calls.iter().any(|e| e["resource_id"] == "find_patient" && e["action"] == "call_tool"),
        "{audit}"
    );
    assert!(
        calls.iter().any(|e| e["resource_id"] == "book_appointment"
            && e["action"] == "call_writing_tool"
            && e["patient_id"] == json!(patient)),
        "{audit}"
    );
    // The reader cannot reach the rest of the API.
    let (s, _) = post(&app, &reader, "/api/v1/appointments", json!({})).await;
    assert_eq!(s, 403);

    // Bad calls are named.
    let (s, e) = post(&app, &key, "/api/v1/assistant/tools/drop_tables", json!({})).await;
    assert_eq!((s, code(&e)), (404, "unknown_tool".into()));
    let (s, e) = post(
        &app,
        &key,
        "/api/v1/assistant/tools/metrics_overview",
        json!({"from": "June", "to": "2026-06-07"}),
    )
    .await;
    assert_eq!((s, code(&e)), (422, "invalid_arguments".into()));
    let (s, e) = post(&app, &key, "/api/v1/assistant/tools/metrics_overview", json!([1, 2])).await;
    assert_eq!((s, code(&e)), (422, "invalid_arguments".into()));
}

/// An MCP client (the `rmcp` SDK's) starts `frontdesk mcp` as a child process, as Claude
/// Desktop or an IDE would, lists the tools and calls them: a question is answered, a tool
/// that books is refused without `--allow-writes`, an unknown tool is a protocol error.
#[tokio::test]
async fn an_mcp_client_lists_the_tools_and_calls_one() {
    use rmcp::ServiceExt;
    use rmcp::model::CallToolRequestParams;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/mcp.db?mode=rwc", dir.path().display());
    let bin = env!("CARGO_BIN_EXE_frontdesk");
    let (ok, _, err) = frontdesk_test_support::run_frontdesk(
        bin,
        &db,
        &[
            "tenant",
            "create",
            "--slug",
            "sorriso",
            "--name",
            "Clínica Sorriso",
            "--timezone",
            "America/Sao_Paulo",
        ],
    );
    assert!(ok, "{err}");
    let mut command = tokio::process::Command::new(bin);
    command.args(["mcp", "--tenant", "sorriso"]).env("DATABASE_URL", &db).env("FRONTDESK_LOG_LEVEL", "warn");
    let transport = rmcp::transport::TokioChildProcess::new(command).unwrap();
    let client = ().serve(transport).await.expect("MCP handshake");
    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().map(|i| i.name.as_str()), Some("frontdesk"));

    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert!(names.contains(&"ask_figures") && names.contains(&"book_appointment"), "{names:?}");
    let ask = tools.iter().find(|t| t.name == "ask_figures").unwrap();
    assert_eq!(ask.input_schema["required"], json!(["question"]));
    assert_eq!(ask.annotations.as_ref().and_then(|a| a.read_only_hint), Some(true));

    let mut call = CallToolRequestParams::new("ask_figures");
    call.arguments =
        Some(json!({"question": "quantos leads recebemos este mês?"}).as_object().unwrap().clone());
    let result = client.call_tool(call).await.unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let answer = result.structured_content.clone().expect("structured answer");
    assert_eq!(answer["answered"], true, "{answer}");
    assert_eq!(answer["figure"], "leads_total");
    assert_eq!(answer["value"], json!(0.0));

    let mut call = CallToolRequestParams::new("book_appointment");
    call.arguments = Some(serde_json::Map::new());
    let refused = client.call_tool(call).await.unwrap();
    assert_eq!(refused.is_error, Some(true), "{refused:?}");
    assert!(format!("{refused:?}").contains("assistant_write"), "{refused:?}");

    let unknown = client.call_tool(CallToolRequestParams::new("drop_tables")).await;
    assert!(unknown.is_err(), "{unknown:?}");
    client.cancel().await.unwrap();
}

/// The streamable-HTTP endpoint, spoken as JSON-RPC by hand: the key decides the clinic
/// and what may run; without one, nothing.
async fn the_mcp_endpoint_answers_json_rpc_behind_the_api_key(app: TestApp) {
    let (_, key) = app.tenant_with_key("sorriso").await;
    let rpc = |key: Option<String>, body: Value| {
        let mut r = app
            .http
            .post(app.url("/api/v1/assistant/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json");
        if let Some(k) = key {
            r = r.header("x-api-key", k);
        }
        async move {
            let r = r.json(&body).send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            (status, serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text)))
        }
    };
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}});
    let (s, r) = rpc(Some(key.clone()), init.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["result"]["serverInfo"]["name"], "frontdesk", "{r}");
    let (s, r) = rpc(Some(key.clone()), json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    assert_eq!(s, 200, "{r}");
    assert!(r["result"]["tools"].as_array().unwrap().iter().any(|t| t["name"] == "find_slots"), "{r}");
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "ask_figures", "arguments": {"question": "how many leads this month?"}}});
    let (s, r) = rpc(Some(key.clone()), call.clone()).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["result"]["structuredContent"]["figure"], "leads_total", "{r}");
    let (s, _) = rpc(None, init).await;
    assert_eq!(s, 401);
}

/// With `dialogue.assistant_model` set, a question the reader cannot map goes to the
/// clinic's model (a mock OpenAI server here) with the read-only tools; it calls one, gets
/// the figures, answers; the answer lists what it ran. When the model fails, the answer
/// says so and gives no number.
async fn a_model_answers_what_the_reader_cannot_with_read_only_tools(app: TestApp) {
    use wiremock::matchers::{body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let (_, key) = app.tenant_with_key("sorriso").await;
    known_week(&app, &key).await;
    let model = MockServer::start().await;
    let call = json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [{
        "id": "call_1", "type": "function",
        "function": {"name": "metrics_overview", "arguments": "{\"from\":\"2026-06-01\",\"to\":\"2026-06-07\"}"}}]}}]});
    let done = json!({"choices": [{"message": {"role": "assistant", "content": "Last week: 3 leads and 3 appointments."}}]});
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(body_string_contains("tool_call_id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(done))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&model)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(call))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&model)
        .await;
    let settings = json!({"dialogue": {"assistant_model": {"base_url": format!("{}/v1", model.uri()), "model": "small", "api_key": "sk-local"}}});
    let r = app
        .http
        .patch(app.url("/api/v1/settings"))
        .header("X-API-KEY", &key)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let shown = get(&app, &key, "/api/v1/settings").await;
    assert_eq!(shown["dialogue"]["assistant_model"]["api_key"], "********", "the key is write-only");

    // Something the reader maps never reaches the model.
    let a = ask(&app, &key, "how many leads last week?").await;
    assert_eq!((a["by_model"].clone(), a["value"].clone()), (json!(false), json!(3.0)));
    assert!(model.received_requests().await.unwrap().is_empty());

    let a = ask(&app, &key, "how did the front desk do last week?").await;
    assert_eq!((a["answered"].clone(), a["by_model"].clone()), (json!(true), json!(true)), "{a}");
    assert_eq!(a["text"], "Last week: 3 leads and 3 appointments.");
    assert_eq!(a["query"], r#"metrics_overview {"from":"2026-06-01","to":"2026-06-07"}"#);
    let requests = model.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let first: Value = serde_json::from_slice(&requests[0].body).unwrap();
    let offered: Vec<&str> =
        first["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
    assert!(offered.contains(&"metrics_overview") && !offered.contains(&"book_appointment"), "{offered:?}");
    let second: Value = serde_json::from_slice(&requests[1].body).unwrap();
    let tool_result = second["messages"].as_array().unwrap().iter().find(|m| m["role"] == "tool").unwrap();
    let figures: Value = serde_json::from_str(tool_result["content"].as_str().unwrap()).unwrap();
    assert_eq!(figures["figures"]["leads_total"]["value"], json!(3.0), "the model got the API's figures");

    // The model fails: an honest refusal, no number.
    let a = ask(&app, &key, "how did the front desk do this month?").await;
    assert_eq!((a["answered"].clone(), a["value"].clone()), (json!(false), Value::Null), "{a}");
    assert!(a["text"].as_str().unwrap().contains("could not answer"), "{a}");
}
