//! API keys: issuing, authenticating and revoking them.

use crate::Ctx;
use frontdesk_domain::TenantId;
use frontdesk_domain::api_key::ApiKeySecret;
use frontdesk_domain::api_key_scope::ScopeSet;
use frontdesk_store::{ApiKeyRecord, NewApiKey, StoreError, StoreResult};

/// Creates a key with every scope for a tenant. The secret is returned once and only its
/// hash is stored.
pub async fn issue_api_key(
    ctx: &Ctx,
    tenant: TenantId,
    name: &str,
) -> StoreResult<(ApiKeyRecord, ApiKeySecret)> {
    issue_scoped_api_key(ctx, tenant, name, ScopeSet::full()).await
}

/// Creates a key limited to `scopes`; as `issue_api_key` otherwise.
pub async fn issue_scoped_api_key(
    ctx: &Ctx,
    tenant: TenantId,
    name: &str,
    scopes: ScopeSet,
) -> StoreResult<(ApiKeyRecord, ApiKeySecret)> {
    // A prefix collision is astronomically rare but harmless: draw again.
    for _ in 0..3 {
        let secret = ApiKeySecret::from_random(rand::random(), rand::random());
        let new = NewApiKey {
            tenant_id: tenant,
            prefix: secret.prefix().to_owned(),
            hash: secret.hash(),
            name: name.to_owned(),
            scopes: scopes.clone(),
        };
        match ctx.store.create_api_key(&new, ctx.clock.now()).await {
            Ok(record) => return Ok((record, secret)),
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::duplicate(frontdesk_store::Record::ApiKey))
}

/// Returns the live key matching what a client presented, or `None` for anything else
/// (malformed, unknown, wrong secret, revoked). The hash comparison is constant-time.
pub async fn authenticate(ctx: &Ctx, presented: &str) -> StoreResult<Option<ApiKeyRecord>> {
    let Some(secret) = ApiKeySecret::parse(presented.trim()) else {
        return Ok(None);
    };
    let Some(record) = ctx.store.api_key_by_prefix(secret.prefix()).await? else {
        return Ok(None);
    };
    let valid = record.hash.matches(&secret.hash()) && record.revoked_at.is_none();
    Ok(valid.then_some(record))
}
