//! What an API key may do. A key holds one or more scopes; a request is allowed when any of
//! them allows it. Which routes each scope covers is the web layer's rule (it knows the
//! routes); here are the names, their parsing and the set stored with a key.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    /// Everything the API offers (every key issued before scopes existed).
    Full,
    /// Reads only: GET and HEAD.
    ReadOnly,
    /// Only the inbound-integration routes a CRM or ad-form tool posts to.
    Webhooks,
    /// Only the tools a voice or chat assistant calls mid-conversation, and the
    /// assistant's read-only tools (`/api/v1/assistant/...`, MCP).
    Assistant,
    /// The assistant's tools that change data (book, send a message): never implied by
    /// another scope, `full` included, so a key given to an AI client books only when
    /// someone chose that explicitly.
    AssistantWrite,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown API key scope {0:?}: use full, read_only, webhooks, assistant or assistant_write")]
pub struct UnknownScope(pub String);

impl ApiKeyScope {
    pub const ALL: [ApiKeyScope; 5] =
        [Self::Full, Self::ReadOnly, Self::Webhooks, Self::Assistant, Self::AssistantWrite];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::ReadOnly => "read_only",
            Self::Webhooks => "webhooks",
            Self::Assistant => "assistant",
            Self::AssistantWrite => "assistant_write",
        }
    }

    /// Accepts `read_only` and the CLI's `read-only`, in any case.
    pub fn parse(raw: &str) -> Result<Self, UnknownScope> {
        let normal = raw.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL.into_iter().find(|s| s.as_str() == normal).ok_or_else(|| UnknownScope(raw.to_owned()))
    }
}

impl fmt::Display for ApiKeyScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A key's scopes: never empty, sorted, without repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSet(Vec<ApiKeyScope>);

impl ScopeSet {
    pub fn full() -> Self {
        Self(vec![ApiKeyScope::Full])
    }

    /// `None` for an empty list: a key that may do nothing is a mistake, not a choice.
    pub fn new(scopes: impl IntoIterator<Item = ApiKeyScope>) -> Option<Self> {
        let mut v: Vec<_> = scopes.into_iter().collect();
        v.sort();
        v.dedup();
        (!v.is_empty()).then_some(Self(v))
    }

    pub fn contains(&self, scope: ApiKeyScope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = ApiKeyScope> + '_ {
        self.0.iter().copied()
    }

    /// The stored form: names joined by commas.
    pub fn to_csv(&self) -> String {
        self.0.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
    }

    pub fn from_csv(raw: &str) -> Result<Self, UnknownScope> {
        let scopes = raw.split(',').filter(|s| !s.trim().is_empty()).map(ApiKeyScope::parse);
        Self::new(scopes.collect::<Result<Vec<_>, _>>()?).ok_or_else(|| UnknownScope(raw.to_owned()))
    }
}

impl Default for ScopeSet {
    fn default() -> Self {
        Self::full()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_spellings_and_round_trips() {
        assert_eq!(ApiKeyScope::parse("read-only"), Ok(ApiKeyScope::ReadOnly));
        assert_eq!(ApiKeyScope::parse(" READ_ONLY "), Ok(ApiKeyScope::ReadOnly));
        assert!(ApiKeyScope::parse("admin").is_err());
        let set =
            ScopeSet::new([ApiKeyScope::Assistant, ApiKeyScope::ReadOnly, ApiKeyScope::Assistant]).unwrap();
        assert_eq!(set.to_csv(), "read_only,assistant");
        assert_eq!(ScopeSet::from_csv(&set.to_csv()), Ok(set));
        assert_eq!(ScopeSet::from_csv("full"), Ok(ScopeSet::full()));
        assert!(ScopeSet::from_csv("").is_err());
        assert!(ScopeSet::from_csv("full,root").is_err());
        assert!(ScopeSet::new([]).is_none());
    }
}
