//! `frontdesk-bench pages`: the staff app's pages, timed through HTTP as a signed-in person
//! opens them, against a clinic with 10,000 patients (one WhatsApp conversation each) and
//! 100,000 messages. Target: under 50 ms per page.

use super::{Backends, DEFAULT_POSTGRES_URL, Latency, fresh_store, ms, progress_bar};
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::messaging::{Channel, Conversation, Direction, Message, MessageStatus, MessageText};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::staff::{NewUser, Role};
use frontdesk_domain::tenant::{Locale, NewTenant};
use frontdesk_domain::{MessageId, SystemClock};
use frontdesk_engine::jobs::JobRegistry;
use frontdesk_engine::{staff, tenants};
use frontdesk_server::{App, Config, Role as ServerRole};
use frontdesk_store::DynStore;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Debug, clap::Args)]
pub struct PagesBenchArgs {
    /// Patients in the clinic, each with one conversation.
    #[arg(long, default_value_t = 10_000)]
    pub patients: usize,
    /// Messages, spread over the conversations.
    #[arg(long, default_value_t = 100_000)]
    pub messages: usize,
    /// Timed requests per page (after 3 untimed ones).
    #[arg(long, default_value_t = 100)]
    pub requests: usize,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value_t = Backends::Sqlite)]
    pub backend: Backends,
    /// PostgreSQL server to use (a throwaway schema is created in it).
    #[arg(long, env = "FRONTDESK_BENCH_POSTGRES_URL", default_value = DEFAULT_POSTGRES_URL)]
    pub postgres_url: String,
}

const PASSWORD: &str = "bench passphrase";

pub async fn pages(args: PagesBenchArgs) -> anyhow::Result<()> {
    println!(
        "frontdesk-bench pages: {} patients, {} messages, {} requests per page, one client",
        args.patients, args.messages, args.requests
    );
    for backend in args.backend.names() {
        let (store, _scratch) = fresh_store(backend, &args.postgres_url, 8).await?;
        let (conversation, patient) = seed(&store, &args).await?;
        let app = App::new(
            Config { rate_limit_enabled: false, ..Config::default() },
            store,
            Arc::new(SystemClock),
            JobRegistry::new(),
        );
        let signed_in = staff::sign_in(&app.ctx, "bench@clinica.example", PASSWORD).await?;
        let cookie = format!("fd_session={}", signed_in.token);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let shutdown = CancellationToken::new();
        let server = tokio::spawn(app.serve(listener, ServerRole::Web, shutdown.clone()));
        let http = reqwest::Client::new();
        println!("\n{backend}");
        println!("{:<34} {:>9} {:>9} {:>9}", "page", "p50 ms", "p99 ms", "max ms");
        let pages = [
            ("/app".to_owned(), "today"),
            ("/app/inbox".to_owned(), "inbox"),
            (format!("/app/inbox/{conversation}"), "conversation (10 messages)"),
            ("/app/patients?q=Paciente%204242".to_owned(), "patient search by name"),
            (format!("/app/patients/{patient}"), "patient profile"),
            ("/app/calendar".to_owned(), "calendar (day)"),
            ("/app/calendar?view=week".to_owned(), "calendar (week)"),
            ("/app/calendar/patients?find=Paciente%20424".to_owned(), "booking: patient search"),
            ("/app/calls".to_owned(), "calls"),
            ("/app/leads".to_owned(), "leads"),
        ];
        for (path, label) in pages {
            let mut samples = Vec::with_capacity(args.requests);
            for n in 0..args.requests + 3 {
                let started = Instant::now();
                let r = http.get(format!("{base}{path}")).header("cookie", &cookie).send().await?;
                anyhow::ensure!(r.status() == 200, "{path} answered {}", r.status());
                r.bytes().await?;
                if n >= 3 {
                    samples.push(started.elapsed());
                }
            }
            let l = Latency::of(samples);
            println!("{label:<34} {:>9} {:>9} {:>9}", ms(l.p50), ms(l.p99), ms(l.max));
        }
        shutdown.cancel();
        let _ = server.await;
    }
    Ok(())
}

/// The clinic, its patients, conversations and messages, and a staff member; returns one
/// conversation and one patient to open.
async fn seed(store: &DynStore, args: &PagesBenchArgs) -> anyhow::Result<(String, String)> {
    let ctx = frontdesk_engine::Ctx::new(store.clone(), Arc::new(SystemClock));
    let tenant = tenants::create_tenant(
        &ctx,
        &NewTenant::parse("bench", "Clínica Bench", "America/Sao_Paulo", "pt-BR")?,
    )
    .await?;
    let user = NewUser {
        tenant_id: tenant.id,
        email: Email::parse("bench@clinica.example")?,
        name: "Recepção".into(),
        role: Role::Staff,
    };
    staff::add_user(&ctx, user, Some(PASSWORD)).await?;
    let now = jiff::Timestamp::now();
    let per_conversation = args.messages.div_ceil(args.patients.max(1));
    let bar = progress_bar(args.patients as u64, "seeding");
    let mut first = None;
    for n in 0..args.patients {
        let name = PersonName::parse(&format!("Paciente {n}"))?;
        let phone = PhoneE164::parse(&format!("+55119{:08}", n), "BR")?;
        let patient = Patient::new(tenant.id, name, phone, Locale::PtBr, now);
        store.create_patient(&patient).await?;
        let conversation =
            store.conversation_for(&Conversation::new(tenant.id, patient.id, Channel::Whatsapp, now)).await?;
        for m in 0..per_conversation {
            let inbound = m % 2 == 0;
            let message = Message {
                id: MessageId::new(),
                tenant_id: tenant.id,
                conversation_id: conversation.id,
                patient_id: patient.id,
                direction: if inbound { Direction::Inbound } else { Direction::Outbound },
                channel: Channel::Whatsapp,
                body: Some(MessageText::new(if inbound {
                    "Oi, quero marcar uma consulta"
                } else {
                    "Claro! Tenho amanhã às 10h."
                })),
                media: Vec::new(),
                transcript: None,
                template: None,
                provider: "sandbox".into(),
                provider_message_id: Some(format!("bench-{n}-{m}")),
                status: if inbound { MessageStatus::Received } else { MessageStatus::Delivered },
                error_code: None,
                error_message: None,
                created_at: now - Duration::from_secs((per_conversation - m) as u64 * 60),
                updated_at: now,
            };
            store.insert_message(&message).await?;
        }
        first.get_or_insert((conversation.id.to_string(), patient.id.to_string()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    first.ok_or_else(|| anyhow::anyhow!("no patients to open"))
}
