//! `SecretStore`: the startup check of the secrets sealed at rest and their re-sealing under
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
            use $crate::{SqlBackend as _, exec, fetch};

            const SETTINGS: &str = "SELECT tenant_id, body, version FROM tenant_settings ORDER BY tenant_id";
            const SEEDS: &str = "SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL ORDER BY id";

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
                    Ok(census)
                }

                async fn reseal_secrets(
                    &self,
                    progress: &(dyn Fn(ResealProgress) + Send + Sync),
                ) -> StoreResult<ResealProgress> {
                    let ring = self.key_ring();
                    let settings: Vec<(Uuid, Json<Value>, i64)> = fetch!(fetch_all(self.reader()), SETTINGS)?;
                    let seeds: Vec<(Uuid, String)> = fetch!(fetch_all(self.reader()), SEEDS)?;
                    let mut p =
                        ResealProgress { total: (settings.len() + seeds.len()) as u64, ..Default::default() };
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
                    Ok(p)
                }
            }
        };
    };
}
