//! `SecretStore`: the startup check of the secrets sealed at rest (tenant settings
//! credentials, TOTP seeds, webhook signing secrets) and their re-sealing under
//! the current key (`frontdesk secrets rotate`). Rows are rewritten one at a time with a
//! compare-and-set on what was read, so a concurrent edit is never overwritten, and without
//! touching versions: the content does not change, only its encryption.

/// `SecretStore` for a backend.
#[macro_export]
macro_rules! secret_store {
    ($store:ty) => {
        const _: () = {
            use frontdesk_store::at_rest::{self, ResealProgress, SecretsCensus};
            use frontdesk_store::*;
            use serde_json::Value;
            use sqlx::types::Json;
            use uuid::Uuid;
            use $crate::deps::{async_trait, frontdesk_store, serde_json, sqlx, uuid};
            use $crate::webhooks::{SecretColumn, open_secret, secret_context, secret_place};
            use $crate::{SqlBackend as _, exec, fetch};

            const SETTINGS: &str = "SELECT tenant_id, body, version FROM tenant_settings ORDER BY tenant_id";
            const SEEDS: &str = "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id";
            const SIGNING: &str =
                "SELECT tenant_id, id, secret, previous_secret FROM webhook_subscriptions ORDER BY tenant_id, id";

            impl $store {
                /// Whether every secret of a stored settings document is sealed as the ring
                /// would seal it now.
                fn settings_current(&self, body: &Value) -> bool {
                    let ring = self.key_ring();
                    at_rest::each_stored_secret(body, |v| if ring.is_current(v) { Ok(()) } else { Err(()) })
                        .is_ok()
                }

                /// Re-seals one tenant's settings; false when they changed meanwhile.
                async fn reseal_settings(
                    &self,
                    tenant: Uuid,
                    body: Value,
                    version: i64,
                ) -> StoreResult<bool> {
                    let ring = self.key_ring();
                    let open =
                        at_rest::open_settings(body, ring, tenant.into()).map_err(StoreError::backend)?;
                    let sealed = at_rest::seal_settings(&open, ring, tenant.into());
                    let sql = "UPDATE tenant_settings SET body = $1 WHERE tenant_id = $2 AND version = $3";
                    Ok(exec!(self.writer(), sql, Json(sealed), tenant, version)? == 1)
                }

                /// Re-seals one subscription's signing secrets if either is not current;
                /// whether it rewrote them. A save meanwhile (which seals with the current
                /// key) makes the compare-and-set match nothing, which is as good.
                async fn reseal_signing(
                    &self,
                    (tenant, id, secret, previous): (Uuid, Uuid, String, Option<String>),
                ) -> StoreResult<bool> {
                    let ring = self.key_ring();
                    if ring.is_current(&secret) && previous.as_deref().is_none_or(|p| ring.is_current(p)) {
                        return Ok(false);
                    }
                    let reseal = |stored: &str, column| -> StoreResult<String> {
                        let plain = open_secret(ring, stored, tenant, id, column)?;
                        Ok(ring.seal(&plain, &secret_context(tenant, id, column)))
                    };
                    let new_secret = reseal(&secret, SecretColumn::Secret)?;
                    let new_previous = previous.as_deref().map(|p| reseal(p, SecretColumn::Previous)).transpose()?;
                    let sql = "UPDATE webhook_subscriptions SET secret = $1, previous_secret = $2
                               WHERE tenant_id = $3 AND id = $4 AND secret = $5
                                 AND COALESCE(previous_secret, '') = COALESCE($6, '')";
                    exec!(self.writer(), sql, new_secret, new_previous, tenant, id, &secret, previous.as_deref())?;
                    Ok(true)
                }
            }

            #[async_trait::async_trait]
            impl SecretStore for $store {
                async fn check_secrets(&self) -> StoreResult<SecretsCensus> {
                    let ring = self.key_ring();
                    let mut census = SecretsCensus::default();
                    let rows: Vec<(Uuid, Json<Value>, i64)> = fetch!(fetch_all(self.reader()), SETTINGS)?;
                    for (tenant, body, _) in rows {
                        let context = at_rest::settings_context(tenant.into());
                        let place = format!("the settings of tenant {tenant}");
                        let counted = at_rest::each_stored_secret::<()>(&body.0, |v| {
                            census.count(ring, v, &context, &place);
                            Ok(())
                        });
                        if let Err(at_rest::OpenSettingsErrorOr::Document(e)) = counted {
                            census.unreadable.get_or_insert_with(|| format!("{place}: {e}"));
                        }
                    }
                    let seeds: Vec<(Uuid, String)> = fetch!(fetch_all(self.reader()), SEEDS)?;
                    for (user, seed) in seeds {
                        let place = format!("the TOTP seed of user {user}");
                        census.count(ring, &seed, &at_rest::totp_context(user), &place);
                    }
                    let signing: Vec<(Uuid, Uuid, String, Option<String>)> =
                        fetch!(fetch_all(self.reader()), SIGNING)?;
                    for (tenant, id, secret, previous) in signing {
                        let columns = [(SecretColumn::Secret, Some(secret)), (SecretColumn::Previous, previous)];
                        for (column, stored) in columns {
                            if let Some(stored) = stored {
                                let context = secret_context(tenant, id, column);
                                census.count(ring, &stored, &context, &secret_place(id, column));
                            }
                        }
                    }
                    Ok(census)
                }

                async fn reseal_secrets(
                    &self,
                    progress: &(dyn Fn(ResealProgress) + Send + Sync),
                ) -> StoreResult<ResealProgress> {
                    let ring = self.key_ring();
                    let settings: Vec<(Uuid, Json<Value>, i64)> = fetch!(fetch_all(self.reader()), SETTINGS)?;
                    let seeds: Vec<(Uuid, String)> = fetch!(fetch_all(self.reader()), SEEDS)?;
                    let signing: Vec<(Uuid, Uuid, String, Option<String>)> =
                        fetch!(fetch_all(self.reader()), SIGNING)?;
                    let total = settings.len() + seeds.len() + signing.len();
                    let mut p = ResealProgress { total: total as u64, ..Default::default() };
                    for (tenant, body, version) in settings {
                        let (mut body, mut version) = (body.0, version);
                        // A settings save between our read and our write: read again.
                        for _ in 0..10 {
                            if self.settings_current(&body)
                                || self.reseal_settings(tenant, body.clone(), version).await?
                            {
                                break;
                            }
                            let sql = "SELECT body, version FROM tenant_settings WHERE tenant_id = $1";
                            let fresh: (Json<Value>, i64) = fetch!(fetch_one(self.writer()), sql, tenant)?;
                            (body, version) = (fresh.0.0, fresh.1);
                        }
                        if !self.settings_current(&body) {
                            p.rewritten += 1;
                        }
                        p.done += 1;
                        progress(p);
                    }
                    for (user, seed) in seeds {
                        if !ring.is_current(&seed) {
                            let context = at_rest::totp_context(user);
                            let plain = ring.open(&seed, &context).map_err(StoreError::backend)?;
                            let sql = "UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3";
                            // Zero rows: the seed was replaced meanwhile, by a current one.
                            exec!(self.writer(), sql, ring.seal(&plain, &context), user, &seed)?;
                            p.rewritten += 1;
                        }
                        p.done += 1;
                        progress(p);
                    }
                    for row in signing {
                        if self.reseal_signing(row).await? {
                            p.rewritten += 1;
                        }
                        p.done += 1;
                        progress(p);
                    }
                    Ok(p)
                }
            }
        };
    };
}
