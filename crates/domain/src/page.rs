//! Keyset pagination shared by every list endpoint: ids are time-ordered, so "after this
//! id" is a stable cursor that does not skip or repeat rows while new ones arrive.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Return rows strictly older than this id (lists are newest first).
    pub before: Option<Uuid>,
    pub limit: u32,
}

impl PageRequest {
    pub fn new(before: Option<Uuid>, limit: Option<u32>) -> Self {
        let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        Self { before, limit }
    }

    /// Fetch one row more than asked to learn whether another page exists.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self::new(None, None)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `before` to get the next page; absent on the last page.
    pub next_cursor: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from up to `fetch_limit()` rows, newest first.
    pub fn from_rows(mut rows: Vec<T>, request: PageRequest, id_of: impl Fn(&T) -> Uuid) -> Self {
        let has_more = rows.len() > request.limit as usize;
        rows.truncate(request.limit as usize);
        let next_cursor = if has_more { rows.last().map(id_of) } else { None };
        Self { items: rows, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_clamped() {
        assert_eq!(PageRequest::new(None, Some(0)).limit, 1);
        assert_eq!(PageRequest::new(None, Some(10_000)).limit, MAX_LIMIT);
        assert_eq!(PageRequest::new(None, None).limit, DEFAULT_LIMIT);
    }

    #[test]
    fn cursor_only_when_more_rows_exist() {
        let req = PageRequest::new(None, Some(2));
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let page = Page::from_rows(ids.clone(), req, |u| *u);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.next_cursor, Some(ids[1]));
        let last = Page::from_rows(ids[..2].to_vec(), req, |u| *u);
        assert_eq!(last.next_cursor, None);
    }
}
