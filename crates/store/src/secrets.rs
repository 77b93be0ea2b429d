use crate::StoreResult;
use crate::at_rest::{ResealProgress, SecretsCensus};
use async_trait::async_trait;

/// The secrets a store keeps encrypted at rest (tenant settings credentials, TOTP seeds,
/// webhook signing secrets), seen as a whole: for the startup check and for key rotation.
#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Opens every stored secret with the store's key ring and counts them by key; the
    /// first one that does not open is reported, not returned as an error, so the caller
    /// can explain it.
    async fn check_secrets(&self) -> StoreResult<SecretsCensus>;
    /// Rewrites every row holding a secret not sealed with the current key (plaintext or an
    /// old key), one row at a time and without changing its version, calling `progress`
    /// after each row. Fails on a value no configured key opens.
    async fn reseal_secrets(
        &self,
        progress: &(dyn Fn(ResealProgress) + Send + Sync),
    ) -> StoreResult<ResealProgress>;
}
