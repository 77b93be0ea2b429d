//! The public booking page over HTTP on both backends, as a patient's browser uses it (no
//! API key): choose a service and a time, leave a name and phone, get booked and
//! confirmed with a link to reschedule or cancel. And what keeps the page safe to leave
//! open: a signed, expiring form, a honeypot, a cap per phone, a refused slot that offers
//! the next ones, links that work only with their token.

use frontdesk_test_support::conversation::{replies_to, say_as, whatsapp_clinic};
use frontdesk_test_support::{CalendarSpec, TestApp, backend_tests, get, setup_calendar, without_redirects};
use serde_json::{Value, json};

backend_tests!(
    a_patient_books_is_confirmed_and_can_move_and_cancel,
    the_same_slot_twice_books_once_and_offers_the_next,
    forms_from_bots_and_old_pages_book_nothing,
    one_phone_holds_at_most_three_upcoming_appointments,
    links_open_only_with_their_token_and_clinic,
    a_personal_link_from_the_inbox_books_without_typing_details,
    no_time_suits_so_the_patient_joins_the_waitlist_and_is_offered_a_freed_one,
);

struct Clinic {
    tenant: frontdesk_domain::TenantId,
    key: String,
    service: String,
}

async fn clinic(app: &TestApp, slug: &str) -> Clinic {
    let (tenant, key) = app.tenant_with_key(slug).await;
    let spec = CalendarSpec {
        services: vec![
            json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30, "price_cents": 15000}),
        ],
        ..CalendarSpec::default()
    };
    let cal = setup_calendar(app, &key, spec).await;
    Clinic { tenant: tenant.id, key, service: cal.service }
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = without_redirects().get(app.url(path)).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of the first `attr="..."` after `marker` in `html` (HTML-escaped as rendered).
fn attr_after(html: &str, marker: &str, attr: &str) -> String {
    let from = html.find(marker).unwrap_or_else(|| panic!("{marker} not in page:\n{html}"));
    let rest = &html[from..];
    let start = rest.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
    let value = &rest[start..start + rest[start..].find('"').unwrap()];
    unescape(value)
}

/// Undoes HTML escaping of an attribute value: named and numeric (decimal, hex) entities.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').map(|e| i + e).unwrap();
        let entity = &rest[i + 1..end];
        let c = match entity {
            "amp" => '&',
            "quot" => '"',
            "lt" => '<',
            "gt" => '>',
            _ => {
                let code = match entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                    None => entity.strip_prefix('#').unwrap().parse().unwrap(),
                };
                char::from_u32(code).unwrap()
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The slot links on a times page, in order.
fn slot_links(html: &str) -> Vec<String> {
    html.match_indices("class=\"slot\" href=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            unescape(&rest[..rest.find('"').unwrap()])
        })
        .collect()
}

/// The details form of `slot_link`, filled in and posted: the answer.
async fn book_via(app: &TestApp, slot_link: &str, name: &str, phone: &str) -> reqwest::Response {
    let (s, form) = page(app, slot_link).await;
    assert_eq!(s, 200, "{slot_link}: {form}");
    let fields = form_fields(&form);
    let mut body: Vec<(String, String)> = fields;
    body.extend([
        ("name".into(), name.into()),
        ("phone".into(), phone.into()),
        ("consent".into(), "yes".into()),
    ]);
    let action = attr_after(&form, "<form class=\"stack\" method=\"post\"", "action");
    without_redirects().post(app.url(&action)).form(&body).send().await.unwrap()
}

/// The hidden fields of the booking form.
fn form_fields(html: &str) -> Vec<(String, String)> {
    ["service", "slot", "lang", "form_token", "form_id"]
        .iter()
        .map(|n| ((*n).to_owned(), attr_after(html, &format!("name=\"{n}\""), "value")))
        .collect()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned()
}

async fn appointments(app: &TestApp, key: &str) -> Vec<Value> {
    get(app, key, "/api/v1/appointments").await["items"].as_array().unwrap().clone()
}

async fn a_patient_books_is_confirmed_and_can_move_and_cancel(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    // The first page offers the service with its length and price, in Portuguese.
    let (s, start) = page(&app, "/book/sorriso").await;
    assert_eq!(s, 200, "{start}");
    assert!(
        start.contains("Agende sua consulta") && start.contains("Limpeza · 30 min · R$ 150,00"),
        "{start}"
    );
    // Any practitioner: the first day with free times is today (Monday 1 June, from 09:00
    // São Paulo time, the clinic's minimum notice applied).
    let (s, times) = page(&app, &format!("/book/sorriso/slots?service={}", c.service)).await;
    assert_eq!(s, 200, "{times}");
    assert!(times.contains("seg, 01/06"), "{times}");
    let links = slot_links(&times);
    assert!(!links.is_empty(), "{times}");
    // Wednesday's times, then 10:00 with the first dentist.
    let (_, wednesday) =
        page(&app, &format!("/book/sorriso/slots?service={}&day=2026-06-03", c.service)).await;
    assert!(wednesday.contains("qua, 03/06"), "{wednesday}");
    let ten =
        slot_links(&wednesday).into_iter().find(|l| l.contains("T13%3A00%3A00Z")).expect("10:00 is free");
    let r = book_via(&app, &ten, "Maria Souza", "(11) 98765-4321").await;
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let manage = location(&r);
    assert!(manage.contains("&done=booked"), "{manage}");
    let (s, done) = page(&app, &manage).await;
    assert_eq!(s, 200, "{done}");
    assert!(done.contains("Consulta agendada!") && done.contains("qua, 03/06 às 10:00"), "{done}");
    assert!(!done.contains("Maria"), "the answer page names no patient: whoever knows a phone can book");

    // Booked as any other booking, by "online", with the patient and their consent on file.
    let list = appointments(&app, &c.key).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["start"], "2026-06-03T13:00:00Z");
    let patient =
        get(&app, &c.key, &format!("/api/v1/patients/{}", list[0]["patient_id"].as_str().unwrap())).await;
    assert_eq!(patient["name"], "Maria Souza");
    assert_eq!(patient["phone"], "+5511987654321");
    let patient_id = frontdesk_domain::PatientId(patient["id"].as_str().unwrap().parse().unwrap());
    let consents = app.ctx.store.consents(c.tenant, patient_id).await.unwrap();
    let channels: Vec<_> =
        consents.iter().map(|x| (x.channel.as_str(), x.state.as_str(), x.source.as_str())).collect();
    assert_eq!(channels, [("whatsapp", "opted_in", "online_booking"), ("sms", "opted_in", "online_booking")]);
    // The confirmation carries the calendar file and the manage link.
    app.run_pending_jobs().await;
    let sent = get(&app, &c.key, "/api/v1/sandbox/notifications").await;
    let confirmation = sent["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["template"] == "appointment_confirmation")
        .cloned()
        .unwrap_or_else(|| panic!("{sent}"));
    let link = confirmation["variables"]["manage_url"].as_str().unwrap().to_owned();
    assert!(link.ends_with(manage.split("&done").next().unwrap()), "{link} vs {manage}");
    assert!(confirmation["variables"]["ics_url"].as_str().unwrap().contains(".ics?token="), "{confirmation}");
    let ics = attr_after(&done, "Situação", "href");
    let r = without_redirects().get(app.url(&ics)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("BEGIN:VCALENDAR"));

    // Move it: the times page keeps the dentist; 11:00 it is.
    let reschedule = attr_after(&done, "Adicionar à minha agenda", "href");
    let (s, times) = page(&app, &reschedule).await;
    assert_eq!(s, 200, "{times}");
    assert!(times.contains("Escolha o novo horário"), "{times}");
    let (_, wednesday) = page(&app, &format!("{reschedule}&day=2026-06-03")).await;
    let slot = wednesday
        .match_indices("name=\"slot\" value=\"")
        .map(|(i, m)| unescape(wednesday[i + m.len()..].split('"').next().unwrap()))
        .find(|v| v.contains("2026-06-03T14:00:00Z"))
        .expect("11:00 offered to move to");
    let token = manage.split("token=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let id = list[0]["id"].as_str().unwrap();
    let form = [("token", token.as_str()), ("lang", "pt-BR"), ("slot", slot.as_str())];
    let r = without_redirects()
        .post(app.url(&format!("/book/sorriso/appointment/{id}/reschedule")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, moved) = page(&app, &location(&r)).await;
    assert!(moved.contains("remarcada") && moved.contains("qua, 03/06 às 11:00"), "{moved}");
    assert_eq!(appointments(&app, &c.key).await[0]["start"], "2026-06-03T14:00:00Z");

    // Cancel it, in English this time.
    let form = [("token", token.as_str()), ("lang", "en")];
    let r = without_redirects()
        .post(app.url(&format!("/book/sorriso/appointment/{id}/cancel")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let (_, cancelled) = page(&app, &location(&r)).await;
    assert!(
        cancelled.contains("Your appointment was cancelled") && cancelled.contains("Cancelled"),
        "{cancelled}"
    );
    assert!(!cancelled.contains("Cancel appointment"), "nothing left to cancel");
    assert_eq!(appointments(&app, &c.key).await[0]["status"], "cancelled");
}

async fn the_same_slot_twice_books_once_and_offers_the_next(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let (_, wednesday) =
        page(&app, &format!("/book/sorriso/slots?service={}&day=2026-06-03", c.service)).await;
    let links = slot_links(&wednesday);
    let ten = links.iter().find(|l| l.contains("T13%3A00%3A00Z")).unwrap().clone();
    // Two patients open the same time's form; the first to confirm gets it.
    let (_, first_form) = page(&app, &ten).await;
    let (_, second_form) = page(&app, &ten).await;
    let post_form = |form: &str, name: &str, phone: &str| {
        let mut body = form_fields(form);
        body.extend([
            ("name".into(), name.into()),
            ("phone".into(), phone.into()),
            ("consent".into(), "yes".into()),
        ]);
        without_redirects().post(app.url("/book/sorriso")).form(&body).send()
    };
    let (a, b) = tokio::join!(
        post_form(&first_form, "Ana Paula", "(11) 98700-0001"),
        post_form(&second_form, "Beto Lima", "(11) 98700-0002"),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409], "one books, the other is told");
    let refused = if a.status() == 409 { a } else { b };
    let html = refused.text().await.unwrap();
    assert!(html.contains("acabou de ser reservado"), "{html}");
    // The next free times follow, starting after the one taken (the other dentist at 10:00
    // is still free and offered too).
    let next = html.split("id=\"taken\"").nth(1).unwrap().split("</div>").next().unwrap();
    assert!(next.contains("qua, 03/06 às 10:00") || next.contains("qua, 03/06 às 10:30"), "{next}");
    assert_eq!(appointments(&app, &c.key).await.len(), 1);
}

async fn forms_from_bots_and_old_pages_book_nothing(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let (_, wednesday) =
        page(&app, &format!("/book/sorriso/slots?service={}&day=2026-06-03", c.service)).await;
    let ten = slot_links(&wednesday).into_iter().find(|l| l.contains("T13%3A00%3A00Z")).unwrap();
    let (_, form) = page(&app, &ten).await;
    let filled = |extra: &[(&str, &str)]| {
        let mut body = form_fields(&form);
        body.extend([
            ("name".into(), "Maria Souza".into()),
            ("phone".into(), "(11) 98765-4321".into()),
            ("consent".into(), "yes".into()),
        ]);
        for (k, v) in extra {
            body.retain(|(n, _)| n != k);
            body.push(((*k).into(), (*v).into()));
        }
        body
    };
    let post =
        |body: Vec<(String, String)>| without_redirects().post(app.url("/book/sorriso")).form(&body).send();
    // The honeypot filled in: refused like an old page.
    let r = post(filled(&[("website", "http://spam.example")])).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("ficou aberta por muito tempo"));
    // No token, a forged one, one from three hours ago.
    for token in ["", "1780315200.00000000000000000000000000000000", "garbage"] {
        let r = post(filled(&[("form_token", token)])).await.unwrap();
        assert_eq!(r.status(), 422, "{token}");
    }
    app.clock.advance(jiff::SignedDuration::from_hours(3));
    let r = post(filled(&[])).await.unwrap();
    assert_eq!(r.status(), 422, "expired form");
    app.clock.advance(jiff::SignedDuration::from_hours(-3));
    // Each field is named when wrong, and the patient's input is kept.
    let r = post(filled(&[("phone", "12")])).await.unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("não parece um celular válido") && html.contains("value=\"Maria Souza\""),
        "{html}"
    );
    let r = post(filled(&[("consent", "")])).await.unwrap();
    assert!(r.text().await.unwrap().contains("marque a autorização"));
    let r = post(filled(&[("email", "not-an-email")])).await.unwrap();
    assert!(r.text().await.unwrap().contains("e-mail não parece válido"));
    let r = post(filled(&[("name", "")])).await.unwrap();
    assert!(r.text().await.unwrap().contains("Informe seu nome"));
    // A mangled slot or service never books and never fails.
    for (k, v) in [("slot", "x|y|z"), ("service", "nope")] {
        let r = post(filled(&[(k, v)])).await.unwrap();
        assert!(r.status().is_client_error() || r.status() == 303, "{k}: {}", r.status());
    }
    assert!(appointments(&app, &c.key).await.is_empty(), "nothing was booked");
    // The right form still books, once, however often it is sent.
    let body = filled(&[]);
    let first = post(body.clone()).await.unwrap();
    let again = post(body).await.unwrap();
    assert_eq!((first.status().as_u16(), again.status().as_u16()), (303, 303));
    assert_eq!(location(&first), location(&again));
    assert_eq!(appointments(&app, &c.key).await.len(), 1);
}

async fn one_phone_holds_at_most_three_upcoming_appointments(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let (_, wednesday) =
        page(&app, &format!("/book/sorriso/slots?service={}&day=2026-06-03", c.service)).await;
    let links = slot_links(&wednesday);
    // On the hour from 08:00 to 11:00 (UTC 11:00 to 14:00), one patient's times never overlap.
    let at = |utc_hour: u32| {
        let mark = format!("T{utc_hour}%3A00%3A00Z");
        links.iter().find(|l| l.contains(&mark)).unwrap_or_else(|| panic!("{mark} in {links:?}")).clone()
    };
    for hour in [11, 12, 13] {
        let r = book_via(&app, &at(hour), "Maria Souza", "(11) 98765-4321").await;
        assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    }
    let r = book_via(&app, &at(14), "Maria Souza", "(11) 98765-4321").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("já tem consultas marcadas"));
    assert_eq!(appointments(&app, &c.key).await.len(), 3);
    // Another phone is another patient.
    let r = book_via(&app, &at(14), "João Souza", "(11) 98765-0000").await;
    assert_eq!(r.status(), 303);
}

async fn links_open_only_with_their_token_and_clinic(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let other = clinic(&app, "outra").await;
    let (_, wednesday) =
        page(&app, &format!("/book/sorriso/slots?service={}&day=2026-06-03", c.service)).await;
    let r = book_via(&app, &slot_links(&wednesday)[0], "Maria Souza", "(11) 98765-4321").await;
    let manage = location(&r);
    let (path, query) = manage.split_once('?').unwrap();
    let token = query.split('&').find_map(|p| p.strip_prefix("token=")).unwrap();
    let (s, _) = page(&app, &format!("{path}?token={token}")).await;
    assert_eq!(s, 200);
    // Another token, no token, the calendar-file token, another clinic's address: not found.
    let id = path.rsplit('/').next().unwrap();
    for wrong in [
        format!("{path}?token=00000000000000000000000000000000"),
        path.to_owned(),
        format!("/book/outra/appointment/{id}?token={token}"),
        format!("/book/nobody/appointment/{id}?token={token}"),
        format!("/book/sorriso/appointment/not-an-id?token={token}"),
    ] {
        let (s, html) = page(&app, &wrong).await;
        assert_eq!(s, 404, "{wrong}");
        assert!(html.contains("Página não encontrada"), "{wrong}: {html}");
    }
    let form = [("token", "00000000000000000000000000000000"), ("lang", "pt-BR")];
    let r = without_redirects()
        .post(app.url(&format!("/book/sorriso/appointment/{id}/cancel")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(appointments(&app, &c.key).await[0]["status"], "booked");
    // The other clinic's page shows its own calendar, and nothing of this one's.
    assert!(appointments(&app, &other.key).await.is_empty());
    let (s, _) = page(&app, &format!("/book/outra/slots?service={}", c.service)).await;
    assert_eq!(s, 303, "another clinic's service is not offered: back to the first page");
    let (s, html) = page(&app, "/book/nobody").await;
    assert_eq!((s, html.contains("Página não encontrada")), (404, true));
}

async fn a_personal_link_from_the_inbox_books_without_typing_details(app: TestApp) {
    let (key, _twilio) = whatsapp_clinic(&app, "sorriso", "pt-BR").await;
    let spec = CalendarSpec {
        services: vec![json!({"name": "Limpeza", "department": "odontologia", "duration_minutes": 30})],
        ..CalendarSpec::default()
    };
    let service = setup_calendar(&app, &key, spec).await.service;
    let tenant = app.ctx.store.tenant_by_slug("sorriso").await.unwrap().unwrap().id;
    let c = Clinic { tenant, key, service };
    let phone = "+5511987001122";
    say_as(&app, &c.key, phone, Some("Rita Gomes"), "oi, quero marcar", &[]).await;
    let conversation = get(&app, &c.key, "/api/v1/conversations").await["items"][0].clone();
    let (id, patient) = (conversation["id"].as_str().unwrap(), conversation["patient_id"].as_str().unwrap());
    // Staff send the link from the conversation.
    let cookie = app.staff_cookie(c.tenant, "ana@sorriso.com.br", frontdesk_domain::staff::Role::Staff).await;
    let thread = without_redirects()
        .get(app.url(&format!("/app/inbox/{id}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let thread = thread.text().await.unwrap();
    assert!(thread.contains("Enviar link de agendamento"), "{thread}");
    let csrf = attr_after(&thread, "name=\"csrf\"", "value");
    let r = without_redirects()
        .post(app.url(&format!("/app/inbox/{id}/booking-link")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let sent = replies_to(&app, &c.key, phone).await;
    let message = sent.last().unwrap();
    assert!(message.starts_with("Olá, Rita! Para agendar na Clínica Sorriso"), "{message}");
    let url = message.split_whitespace().find(|w| w.contains("/book/sorriso?patient=")).unwrap();
    let link = &url[url.find("/book/").unwrap()..];

    // The link leads through the same pages, knowing the patient all the way.
    let (s, start) = page(&app, link).await;
    assert_eq!(s, 200);
    assert!(start.contains("name=\"invite\""), "{start}");
    let invite = link.split("invite=").nth(1).unwrap();
    let times =
        format!("/book/sorriso/slots?service={}&day=2026-06-03&patient={patient}&invite={invite}", c.service);
    let (_, times) = page(&app, &times).await;
    let ten = slot_links(&times).into_iter().find(|l| l.contains("T13%3A00%3A00Z")).unwrap();
    assert!(ten.contains("invite="), "{ten}");
    let (_, details) = page(&app, &ten).await;
    assert!(details.contains("Você está agendando como <strong>Rita</strong>"), "{details}");
    assert!(!details.contains("id=\"phone\""), "no details to type");
    let mut body = form_fields(&details);
    body.extend([
        ("patient".to_owned(), attr_after(&details, "name=\"patient\"", "value")),
        ("invite".to_owned(), attr_after(&details, "name=\"invite\"", "value")),
        ("consent".to_owned(), "yes".to_owned()),
    ]);
    let r = without_redirects().post(app.url("/book/sorriso")).form(&body).send().await.unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    let booked = appointments(&app, &c.key).await;
    assert_eq!(booked.len(), 1);
    assert_eq!(booked[0]["patient_id"], patient, "booked for the patient the link was sent to");

    // Another patient's id with this token is no personal link: the details are asked.
    let forged = ten.replace(patient, "01a2449e-41e6-7356-b15d-5441f22ecf94");
    let (_, details) = page(&app, &forged).await;
    assert!(details.contains("id=\"phone\"") && !details.contains("Rita"), "{details}");
    // A month later the link has expired, the same way.
    app.clock.advance(jiff::SignedDuration::from_hours(31 * 24));
    let (_, details) = page(&app, &ten).await;
    assert!(details.contains("id=\"phone\""), "expired");
}

async fn no_time_suits_so_the_patient_joins_the_waitlist_and_is_offered_a_freed_one(app: TestApp) {
    let c = clinic(&app, "sorriso").await;
    let (_, times) = page(&app, &format!("/book/sorriso/slots?service={}", c.service)).await;
    let join = attr_after(&times, "class=\"waitlist-offer\"", "href");
    let (s, form) = page(&app, &join).await;
    assert_eq!(s, 200, "{form}");
    assert!(form.contains("Lista de espera") && form.contains("Qualquer profissional"), "{form}");
    let fields = |extra: &[(&str, &str)]| {
        let mut body: Vec<(String, String)> = ["service", "practitioner", "unit", "lang", "form_token"]
            .iter()
            .map(|n| ((*n).to_owned(), attr_after(&form, &format!("name=\"{n}\""), "value")))
            .collect();
        body.extend([
            ("name".to_owned(), "Rita Gomes".to_owned()),
            ("phone".to_owned(), "(11) 98700-1122".to_owned()),
            ("period".to_owned(), "mornings".to_owned()),
            ("consent".to_owned(), "yes".to_owned()),
        ]);
        for (k, v) in extra {
            body.retain(|(n, _)| n != k);
            body.push(((*k).to_owned(), (*v).to_owned()));
        }
        body
    };
    let post = |body: Vec<(String, String)>| {
        without_redirects().post(app.url("/book/sorriso/waitlist")).form(&body).send()
    };
    // The same guards as the booking form.
    let r = post(fields(&[("website", "spam")])).await.unwrap();
    assert_eq!(r.status(), 422);
    let r = post(fields(&[("phone", "12")])).await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("não parece um celular válido"));
    let r = post(fields(&[("consent", "")])).await.unwrap();
    assert_eq!(r.status(), 422);
    let waiting = get(&app, &c.key, "/api/v1/waitlist").await;
    assert!(waiting["items"].as_array().unwrap().is_empty(), "{waiting}");

    let r = post(fields(&[])).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("Você está na lista de espera"));
    // Asking twice is one place on the list.
    assert_eq!(post(fields(&[])).await.unwrap().status(), 200);
    let waiting = get(&app, &c.key, "/api/v1/waitlist").await;
    let items = waiting["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{waiting}");
    assert_eq!(items[0]["source"], "online");
    assert_eq!(items[0]["windows"][0]["from"], "06:00", "{waiting}");

    // A Wednesday morning appointment is cancelled: Rita is offered the time.
    let (_, wednesday) =
        page(&app, &format!("/book/sorriso/slots?service={}&day=2026-06-03", c.service)).await;
    let ten = slot_links(&wednesday).into_iter().find(|l| l.contains("T13%3A00%3A00Z")).unwrap();
    let r = book_via(&app, &ten, "Carla Dias", "(11) 98700-3344").await;
    let manage = location(&r);
    let (path, query) = manage.split_once('?').unwrap();
    let token = query.split('&').find_map(|p| p.strip_prefix("token=")).unwrap();
    let cancel = [("token", token), ("lang", "pt-BR")];
    let r = without_redirects().post(app.url(&format!("{path}/cancel"))).form(&cancel).send().await.unwrap();
    assert_eq!(r.status(), 303);
    app.run_pending_jobs().await;
    app.run_pending_jobs().await;
    let offers = get(&app, &c.key, "/api/v1/waitlist-offers").await;
    let offers = offers["items"].as_array().unwrap();
    assert_eq!(offers.len(), 1, "{offers:?}");
    assert_eq!(offers[0]["entry_id"], items[0]["id"], "{offers:?}");
}
