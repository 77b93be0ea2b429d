//! `frontdesk-bench`: measurements of Frontdesk on this machine, printed as small tables
//! (medians and percentiles over several runs). A separate binary, so the `frontdesk`
//! a clinic runs carries none of it.

mod bench;

use clap::{Parser, Subcommand};

// The same allocator as the server binary, so figures measure what production runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Frontdesk's benchmarks. Each starts what it needs (a throwaway SQLite file, a scratch
/// PostgreSQL database, mock providers) and removes it afterwards.
#[derive(Debug, Parser)]
#[command(name = "frontdesk-bench", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Job queue throughput: enqueue, then claim-run-complete with N workers.
    Jobs(bench::JobsBenchArgs),
    /// Ranked slot search over 50 practitioners x 14 days with 10,000 appointments:
    /// latency in-process (with and without database reads) and HTTP throughput.
    Search(bench::SearchBenchArgs),
    /// Signed Twilio inbound webhooks per second (acknowledged after commit), beside pgbench.
    Webhooks(bench::WebhooksBenchArgs),
    /// VAPI `tool-calls` over HTTP: find_slots and book_appointment latency (p50/p99) from a
    /// few concurrent calls, against a 50 ms p99 target.
    Voice(bench::VoiceBenchArgs),
    /// Speed-to-lead: hot leads posted at a steady rate, latency (p50/p99) from the 201 to the
    /// outbound call request reaching a mock VAPI, against a 1 s p99 target.
    SpeedToLead(bench::SpeedToLeadBenchArgs),
    /// The staff app's pages through HTTP as a signed-in person, with 10,000 patients and
    /// 100,000 messages, against a 50 ms target.
    Pages(bench::PagesBenchArgs),
    /// The metrics endpoints over a year of one big clinic's facts (1M leads, 5M messages,
    /// 500k appointments, 200k calls): the roll-up built from scratch, then p50/p95 of every
    /// endpoint through HTTP, against a 200 ms p95 target.
    Analytics(bench::AnalyticsBenchArgs),
    /// A campaign over 100,000 patients: the time to enroll them all and plan each one's
    /// first step, against a 10 s target.
    CampaignEnroll(bench::CampaignEnrollArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Jobs(args) => bench::jobs(args).await,
        Command::Search(args) => bench::search(args).await,
        Command::Webhooks(args) => bench::webhooks(args).await,
        Command::Voice(args) => bench::voice(args).await,
        Command::SpeedToLead(args) => bench::speed_to_lead(args).await,
        Command::Pages(args) => bench::pages(args).await,
        Command::Analytics(args) => bench::analytics(args).await,
        Command::CampaignEnroll(args) => bench::campaign_enroll(args).await,
    }
}
