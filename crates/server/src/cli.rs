//! Command-line interface.

use crate::app::Role;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "Frontdesk runs a clinic's patient funnel: leads, conversations, scheduling, reminders and campaigns.",
    long_about = "Frontdesk runs a clinic's patient funnel end to end.\n\n\
        Configuration comes from defaults, then --config FILE (TOML), then the environment \
        (FRONTDESK_* and DATABASE_URL). `frontdesk config example` prints every setting."
)]
pub struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server and/or the job workers (migrates the database first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage tenants (clinics).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Manage API keys.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Manage the people who sign into the staff app.
    #[command(subcommand)]
    User(UserCommand),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// A tenant's settings document (providers, quiet hours, templates, booking rules).
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Leads: import a spreadsheet of contacts.
    #[command(subcommand)]
    Leads(LeadsCommand),
    /// Message understanding: check the intent rules against labelled messages.
    #[command(subcommand)]
    Nlu(NluCommand),
    /// Patient safety: check the red-flag detector against labelled messages.
    #[command(subcommand)]
    Safety(SafetyCommand),
    /// Patient sentiment: check how the tone of messages is read (docs/metrics.md).
    #[command(subcommand)]
    Sentiment(SentimentCommand),
    /// The assistant: check how questions about the figures are read (docs/assistant.md).
    #[command(subcommand)]
    Assistant(AssistantCommand),
    /// Serve one clinic's assistant tools over the Model Context Protocol on standard input
    /// and output, for an MCP client started on this machine (docs/assistant.md). Read-only
    /// unless `--allow-writes`. Over the network, use `/api/v1/assistant/mcp` with an API key.
    Mcp {
        #[arg(long)]
        tenant: String,
        /// Let the tools that book appointments and send messages run.
        #[arg(long)]
        allow_writes: bool,
    },
    /// No-show risk: evaluate the model on a public data set, or train a clinic's own
    /// (docs/noshow.md).
    #[command(subcommand)]
    Noshow(NoshowCommand),
    /// Copy the SQLite database to FILE: a consistent snapshot, safe while the server runs.
    Backup {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the SQLite database with a backup (stop the server first).
    Restore {
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
    /// Secrets encrypted at rest: keys, status, rotation (docs/security.md).
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Retention of patients' conversation content (see docs/data-rights.md).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Outreach campaigns: list, create from a JSON file, preview, start, pause, resume,
    /// stop, and see where each patient stands (docs/campaigns.md).
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Run a synthetic clinic through the real engine in accelerated time and print its
    /// funnel, speed to lead and no-show rates with and without risk confirmations
    /// (docs/simulate.md).
    Simulate(SimulateArgs),
    /// Write a report of a period as CSV, XLSX or PDF (the same file as
    /// `GET /api/v1/reports/KIND`), with a progress bar. KIND: overview, leads,
    /// appointments, no_shows, calls, messages.
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// overview, leads, appointments, no_shows, calls or messages.
    pub kind: String,
    /// The clinic's slug.
    #[arg(long)]
    pub tenant: String,
    /// First day, YYYY-MM-DD, in the clinic's time zone (or --tz).
    #[arg(long)]
    pub from: String,
    /// Last day (included), YYYY-MM-DD.
    #[arg(long)]
    pub to: String,
    /// csv, xlsx or pdf; by default the extension of --out.
    #[arg(long)]
    pub format: Option<String>,
    /// IANA time zone of the days (default: the clinic's).
    #[arg(long)]
    pub tz: Option<String>,
    /// pt-BR or en (default: the clinic's language).
    #[arg(long)]
    pub locale: Option<String>,
    /// The file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Simulated days.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=365))]
    pub days: u32,
    /// New leads per day (each arm gets the same ones).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=5000))]
    pub leads_per_day: u32,
    /// The same seed gives the same figures.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The first simulated day (the clinic's local date).
    #[arg(long, default_value = "2026-06-01")]
    pub start: jiff::civil::Date,
    /// Where to run it; by default a throwaway SQLite file, deleted afterwards. The arms
    /// are new tenants, so a shared database keeps its other data.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
    /// The figures as JSON on standard output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Print a new random encryption key (base64 of 32 bytes) for FRONTDESK_ENCRYPTION_KEY
    /// or an encryption_key_file. Touches no database.
    GenerateKey,
    /// Count the stored secrets by key: current, old (still readable), plaintext.
    Status,
    /// Re-encrypt every stored secret under the current key. Run after making a new key
    /// current with the previous one in encryption_old_keys; then the old key can go.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// The clinic's campaigns, newest first: id, status, kind, name and counts.
    List {
        /// The clinic's slug.
        #[arg(long)]
        tenant: String,
    },
    /// Creates a draft from a JSON file with the body of `POST /api/v1/campaigns` (name,
    /// kind, segment, steps, window); nothing is sent until `start`. `-` reads standard input.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
    },
    /// A campaign's status, its counts per state and, for a draft, how many patients it
    /// would reach now (the dry run).
    Show {
        #[arg(long)]
        tenant: String,
        /// The campaign's id (from `list`).
        id: uuid::Uuid,
    },
    /// Starts a draft: the audience is enrolled and the first messages go in the window.
    Start {
        #[arg(long)]
        tenant: String,
        id: uuid::Uuid,
    },
    /// Holds every step until `resume`.
    Pause {
        #[arg(long)]
        tenant: String,
        id: uuid::Uuid,
    },
    /// Carries on, enrolling anyone who joined the audience meanwhile.
    Resume {
        #[arg(long)]
        tenant: String,
        id: uuid::Uuid,
    },
    /// Ends the campaign for good (pending steps end their enrollments `stopped`).
    Stop {
        #[arg(long)]
        tenant: String,
        id: uuid::Uuid,
    },
}

impl CampaignCommand {
    pub fn tenant(&self) -> &str {
        match self {
            Self::List { tenant }
            | Self::Create { tenant, .. }
            | Self::Show { tenant, .. }
            | Self::Start { tenant, .. }
            | Self::Pause { tenant, .. }
            | Self::Resume { tenant, .. }
            | Self::Stop { tenant, .. } => tenant,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Apply the tenant's retention policy now, store the report and print it as JSON.
    Run {
        /// Tenant slug.
        #[arg(long)]
        tenant: String,
        /// Only count what would be purged.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides the `bind` setting).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Which parts to run: everything, only HTTP, or only job workers.
    #[arg(long, value_enum, default_value_t = Role::All)]
    pub role: Role,
    /// Create the demo clinic if needed and print a new API key for it.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Create a tenant.
    Create {
        /// Short URL-safe name: lowercase letters, digits and '-'.
        #[arg(long)]
        slug: String,
        /// Display name of the clinic.
        #[arg(long)]
        name: String,
        /// IANA time zone of the clinic.
        #[arg(long, default_value = "America/Sao_Paulo")]
        timezone: String,
        /// Language for patient messages: pt-BR or en.
        #[arg(long, default_value = "pt-BR")]
        locale: String,
    },
    /// List tenants.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a person; the password is read from standard input (one line), so it never
    /// appears in the shell history or the process list. With nothing on standard input,
    /// prints a one-time invite link (72 hours) where the person chooses their password.
    #[command(
        after_help = "Example:\n  printf '%s\\n' 'a long passphrase' | frontdesk user add --tenant sorriso \\\n      --email ana@sorriso.com.br --name 'Ana Lima' --role admin\n  frontdesk user add --tenant sorriso --email bia@sorriso.com.br --name 'Bia' --role staff </dev/null"
    )]
    Add {
        /// Tenant slug.
        #[arg(long)]
        tenant: String,
        /// Sign-in e-mail (unique across clinics).
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// owner, admin, staff or viewer.
        #[arg(long, default_value = "staff")]
        role: String,
    },
    /// Set a new password (read from standard input) and sign the person out everywhere.
    ResetPassword {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        email: String,
    },
    /// List a tenant's users: e-mail, name, role, state.
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key; the key is printed once, as the last line of standard output.
    Create {
        /// Tenant slug.
        #[arg(long)]
        tenant: String,
        /// A label to recognise the key by.
        #[arg(long, default_value = "default")]
        name: String,
        /// What the key may do: full (default), read-only, webhooks, assistant. Repeat
        /// for several.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
    /// Revoke a key by its prefix (the 8 characters after `fdk_`).
    Revoke {
        #[arg(long)]
        tenant: String,
        key_prefix: String,
    },
    /// List a tenant's keys (prefixes and names only).
    List {
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Print the settings as JSON (secrets masked).
    Get {
        #[arg(long)]
        tenant: String,
    },
    /// Merge a JSON merge patch into the settings, e.g.
    /// '{"messaging": {"whatsapp_provider": "twilio", "twilio": {"account_sid": "AC...", "auth_token": "..."}}}'.
    Set {
        #[arg(long)]
        tenant: String,
        /// The patch (JSON); `-` reads it from standard input.
        patch: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AssistantCommand {
    /// Reads each labelled question of a TSV file (`locale<TAB>question<TAB>expected
    /// query`, with `# today:` and the clinic's names in its header) and prints the share
    /// mapped to exactly the expected query, per language, then the misses. Without FILE,
    /// `data/assistant/questions.tsv`.
    Eval { file: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum NluCommand {
    /// Accuracy, precision/recall/F1 per intent and a confusion table for a TSV file: a
    /// `text<TAB>intent` header, then one message and its expected intent per line
    /// (booking_request, reschedule, cancel, confirm, decline, question, opt_out,
    /// human_request, greeting, unclear). Without FILE, the project's test split
    /// (`data/nlu/test.tsv`, never used for tuning); `--split train|dev|test` picks another.
    Eval {
        file: Option<PathBuf>,
        #[arg(long, value_enum, conflicts_with = "file")]
        split: Option<NluSplit>,
        /// The phrase rules alone, without the statistical model (for comparison).
        #[arg(long)]
        rules_only: bool,
    },
    /// Retrains the intent model from the training and dev splits (`data/nlu/train.tsv`,
    /// `data/nlu/dev.tsv`; the settings were chosen by cross-validation over both) and writes
    /// `data/nlu/model.tsv` (deterministic: the same corpus gives the same file). Rebuild to
    /// ship it. Never the test split.
    Train {
        /// Labelled files to learn from; repeat the flag for several.
        #[arg(long, num_args = 1.., default_values = ["data/nlu/train.tsv", "data/nlu/dev.tsv"])]
        train: Vec<PathBuf>,
        #[arg(long, default_value = "data/nlu/model.tsv")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum NluSplit {
    Train,
    Dev,
    Test,
}

impl NluSplit {
    pub fn file_name(self) -> &'static str {
        match self {
            Self::Train => "train.tsv",
            Self::Dev => "dev.tsv",
            Self::Test => "test.tsv",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum NoshowCommand {
    /// Trains the no-show model on the appointments before `--cutoff` and prints AUC, PR-AUC,
    /// Brier score and a calibration table for the days from the cut-off on. The CSV has the
    /// columns of the public Vitória data set (PatientId, AppointmentID, Gender,
    /// ScheduledDay, AppointmentDay, Age, Neighbourhood, Scholarship, Hipertension, Diabetes,
    /// Alcoholism, Handcap, SMS_received, No-show); `-` reads standard input.
    Eval {
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        /// How to split: `temporal` trains on the days before the cut-off, tests on the rest.
        #[arg(long, value_enum, default_value = "temporal")]
        split: NoshowSplit,
        /// The first day of the test part.
        #[arg(long, default_value = "2016-05-25")]
        cutoff: jiff::civil::Date,
    },
    /// Trains the clinic's own no-show model on its finished appointments and stores it:
    /// from then on it scores the clinic's appointments instead of the fallback. Prints
    /// how the same training did on the most recent fifth of the days, held out, and the
    /// training date. Needs at least 200 finished appointments with 20 no-shows before
    /// those days. The server also retrains every clinic weekly (docs/noshow.md).
    Train {
        /// The clinic's slug.
        #[arg(long)]
        tenant: String,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum NoshowSplit {
    Temporal,
}

#[derive(Debug, Subcommand)]
pub enum SentimentCommand {
    /// Accuracy, precision and recall per tone (positive, neutral, negative), the confusion
    /// table and the misses, for each FILE: a TSV with a `text<TAB>sentiment` header. Without
    /// files, the project's sets under `data/sentiment/` (run from the repository).
    Eval { files: Vec<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum SafetyCommand {
    /// Recall per red-flag kind and the false-alarm rate. Each FILE is a TSV with a `text`
    /// first column: one with a `text<TAB>kind` header labels emergencies (chest_pain,
    /// shortness_of_breath, stroke, severe_bleeding, suicidal, anaphylaxis,
    /// pregnancy_bleeding, child_fever_lethargy, or none); any other (the intent corpus) is
    /// messages that are no emergency. Without files: `data/safety/*.tsv` and
    /// `data/nlu/*.tsv` under the current directory.
    Eval { files: Vec<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// Import leads from a CSV file, with a progress bar and a summary at the end.
    #[command(long_about = LEADS_IMPORT_HELP)]
    Import {
        /// The CSV file (UTF-8, with or without a BOM; columns separated by ',' or ';').
        file: PathBuf,
        /// Tenant slug.
        #[arg(long)]
        tenant: String,
    },
}

const LEADS_IMPORT_HELP: &str = "Import leads from a CSV file.\n\n\
    The first line names the columns; names are case-insensitive, accents optional, and \
    columns in any order. Unknown columns are ignored (and listed).\n\n\
    \x20 phone | telefone | celular | whatsapp    required; without a country code, the clinic's region\n\
    \x20 name | nome\n\
    \x20 email | e-mail\n\
    \x20 source | origem                          paid_ads, organic, social, referral, whatsapp, phone, crm\n\
    \x20                                          or import (the default)\n\
    \x20 service | servico | service_interest\n\
    \x20 notes | observacoes\n\
    \x20 utm_source, utm_medium, utm_campaign, utm_term, utm_content\n\
    \x20 campaign | campanha\n\
    \x20 owner | responsavel\n\
    \x20 submitted_at                             RFC 3339, e.g. 2026-05-01T14:30:00-03:00\n\n\
    Each row becomes a lead as if posted to the API: a phone seen within the dedupe window \
    merges into its recent lead, and the lead is scored and followed up. A bad row is \
    skipped and reported with its line and the column at fault, never its contents. At \
    most 50,000 rows per file: a larger file is refused before anything is imported.\n\n\
    Exits non-zero only when the file cannot be read as a lead list or the tenant is unknown.";

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every setting with its default, as TOML.
    Example,
}
