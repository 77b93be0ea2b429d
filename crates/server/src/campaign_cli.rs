//! `frontdesk campaign ...`: the campaigns API's operations from a terminal, for a clinic's
//! engineer or a script. Errors say what to fix; ids come from `list`.

use crate::cli::CampaignCommand;
use anyhow::{Context as _, anyhow};
use frontdesk_domain::campaigns::{Campaign, CampaignAction, EnrollmentState};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::tenant::Tenant;
use frontdesk_engine::Ctx;
use frontdesk_engine::campaigns::{self, CampaignFailure, NewCampaign};
use std::io::Write;

/// Runs one campaign command for `tenant`, writing what it did to `out`.
pub async fn run(
    ctx: &Ctx,
    tenant: &Tenant,
    cmd: CampaignCommand,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    match cmd {
        CampaignCommand::List { .. } => {
            let mut before = None;
            loop {
                let campaigns =
                    ctx.store.list_campaigns(tenant.id, PageRequest::new(before, Some(100))).await?;
                for c in &campaigns.items {
                    let counts = campaigns::counts(ctx, tenant.id, c.id).await.map_err(failure)?;
                    writeln!(
                        out,
                        "{}  {:<9}  {:<12}  {}  (enrolled {}, booked {}, active {})",
                        c.id,
                        c.status.as_str(),
                        c.kind.as_str(),
                        c.name,
                        counts.total(),
                        counts.get(EnrollmentState::Booked),
                        counts.get(EnrollmentState::Active),
                    )?;
                }
                match campaigns.next_cursor {
                    Some(cursor) => before = Some(cursor),
                    None => break,
                }
            }
        }
        CampaignCommand::Create { file, .. } => {
            let text = if file.as_os_str() == "-" {
                std::io::read_to_string(std::io::stdin())
                    .context("reading the campaign from standard input")?
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?
            };
            let new: NewCampaign = serde_json::from_str(&text)
                .map_err(|e| anyhow!("{}: not a campaign: {e}", file.display()))?;
            let c = campaigns::create(ctx, tenant.id, new).await.map_err(failure)?;
            writeln!(out, "created {} ({}, draft): `frontdesk campaign show` previews it", c.id, c.name)?;
        }
        CampaignCommand::Show { id, .. } => {
            let c = campaigns::get(ctx, tenant.id, id).await.map_err(failure)?;
            show(ctx, &c, out).await?;
        }
        CampaignCommand::Start { id, .. } => act(ctx, tenant, id, CampaignAction::Start, out).await?,
        CampaignCommand::Pause { id, .. } => act(ctx, tenant, id, CampaignAction::Pause, out).await?,
        CampaignCommand::Resume { id, .. } => act(ctx, tenant, id, CampaignAction::Resume, out).await?,
        CampaignCommand::Stop { id, .. } => act(ctx, tenant, id, CampaignAction::Stop, out).await?,
    }
    Ok(())
}

async fn act(
    ctx: &Ctx,
    tenant: &Tenant,
    id: uuid::Uuid,
    action: CampaignAction,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    let c = campaigns::act(ctx, tenant.id, id, action).await.map_err(failure)?;
    writeln!(out, "{} is {}", c.id, c.status.as_str())?;
    Ok(())
}

async fn show(ctx: &Ctx, c: &Campaign, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(out, "{}  {}", c.id, c.name)?;
    writeln!(out, "status: {}   kind: {}   steps: {}", c.status.as_str(), c.kind.as_str(), c.steps.len())?;
    let counts = campaigns::counts(ctx, c.tenant_id, c.id).await.map_err(failure)?;
    writeln!(out, "enrolled: {}   steps sent: {}", counts.total(), counts.steps_sent)?;
    for state in EnrollmentState::ALL {
        writeln!(out, "  {:<12} {}", state.as_str(), counts.get(*state))?;
    }
    if c.status == frontdesk_domain::campaigns::CampaignStatus::Draft {
        let p = campaigns::preview(ctx, c, 0).await.map_err(failure)?;
        writeln!(out, "would reach now: {}{}", p.audience, if p.capped { "+" } else { "" })?;
    }
    Ok(())
}

/// A failure as a message for a person at a terminal.
fn failure(e: CampaignFailure) -> anyhow::Error {
    anyhow!("{e}")
}
