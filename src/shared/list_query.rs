//! Which webhooks the browser list shows, in what order and how many a
//! page: kept in the list's address, shared by both sides.

use serde::{Deserialize, Serialize};

/// Which webhooks the browser list shows and in what order: kept in the
/// address (`/webhooks?q=&status=&sort=&dir=`) and in every link the list
/// makes. The REST list ignores all of this (the contract has none of it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Part of the name or description, any case; trimmed, at most 100 characters.
    pub search: String,
    /// `Some(true)`: active ones only; `Some(false)`: inactive ones only.
    pub active: Option<bool>,
    pub sort: SortKey,
    pub descending: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// The API's order: by id, oldest first.
    #[default]
    Id,
    Name,
    Created,
    Updated,
}

impl SortKey {
    pub const COLUMNS: [SortKey; 3] = [SortKey::Name, SortKey::Created, SortKey::Updated];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Id => "",
            SortKey::Name => "name",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
        }
    }
}

impl ListQuery {
    pub const MAX_SEARCH_CHARS: usize = 100;

    /// From the address's raw values; anything unknown is the default, and
    /// control characters are no part of a search (a NUL would reach the
    /// database's text search).
    pub fn from_params(
        search: Option<&str>,
        status: Option<&str>,
        sort: Option<&str>,
        dir: Option<&str>,
    ) -> Self {
        let search: String = search
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim()
            .chars()
            .take(Self::MAX_SEARCH_CHARS)
            .collect();
        let active = match status {
            Some("active") => Some(true),
            Some("inactive") => Some(false),
            _ => None,
        };
        let sort = [SortKey::Name, SortKey::Created, SortKey::Updated]
            .into_iter()
            .find(|key| Some(key.code()) == sort)
            .unwrap_or_default();
        ListQuery {
            search: search.trim().to_owned(),
            active,
            sort,
            descending: dir == Some("desc"),
        }
    }

    pub fn status_code(&self) -> &'static str {
        match self.active {
            None => "",
            Some(true) => "active",
            Some(false) => "inactive",
        }
    }

    /// The list's address with this query and `page`/`page_size`; only
    /// values that differ from the defaults appear.
    pub fn href(&self, page: i64, page_size: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.search.is_empty() {
            pairs.push(("q", self.search.clone()));
        }
        if self.active.is_some() {
            pairs.push(("status", self.status_code().to_owned()));
        }
        if self.sort != SortKey::Id {
            pairs.push(("sort", self.sort.code().to_owned()));
        }
        if self.descending {
            pairs.push(("dir", "desc".to_owned()));
        }
        if page != 1 {
            pairs.push(("page", page.to_string()));
        }
        if page_size != DEFAULT_PAGE_SIZE {
            pairs.push(("page_size", page_size.to_string()));
        }
        let query: Vec<String> = pairs
            .iter()
            .map(|(key, value)| format!("{key}={}", quote_plus(value)))
            .collect();
        if query.is_empty() {
            "/webhooks".to_owned()
        } else {
            format!("/webhooks?{}", query.join("&"))
        }
    }

    /// Ordered by `key`: the other direction when it already is, else ascending.
    pub fn sorted_by(&self, key: SortKey) -> ListQuery {
        ListQuery {
            sort: key,
            descending: self.sort == key && !self.descending,
            ..self.clone()
        }
    }

    pub fn is_filtered(&self) -> bool {
        !self.search.is_empty() || self.active.is_some()
    }
}

/// Python's `quote_plus` (as the API's page links use it, and fine for any
/// address): letters, digits and `_.-~` stay; space is `+`; every other byte
/// of the UTF-8 text is `%XX`.
pub fn quote_plus(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' | b'~' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Page sizes: the API's default and maximum, and the browser list's choices.
pub const DEFAULT_PAGE_SIZE: i64 = 25;
pub const MAX_PAGE_SIZE: i64 = 100;
pub const PAGE_SIZES: [i64; 4] = [10, DEFAULT_PAGE_SIZE, 50, MAX_PAGE_SIZE];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_queries_round_trip_through_the_address() {
        let query = ListQuery::from_params(
            Some("  Ops & alerts ü "),
            Some("inactive"),
            Some("name"),
            Some("desc"),
        );
        assert_eq!(query.search, "Ops & alerts ü");
        assert_eq!(query.active, Some(false));
        assert_eq!(
            query.href(2, 50),
            "/webhooks?q=Ops+%26+alerts+%C3%BC&status=inactive&sort=name&dir=desc&page=2&page_size=50"
        );
        assert_eq!(ListQuery::default().href(1, DEFAULT_PAGE_SIZE), "/webhooks");
        let junk = ListQuery::from_params(None, Some("maybe"), Some("url"), Some("up"));
        assert_eq!(junk, ListQuery::default());
        let long = "x".repeat(300);
        assert_eq!(
            ListQuery::from_params(Some(&long), None, None, None)
                .search
                .len(),
            ListQuery::MAX_SEARCH_CHARS
        );
    }

    #[test]
    fn sorting_by_the_same_column_again_reverses_it() {
        let by_name = ListQuery::default().sorted_by(SortKey::Name);
        assert_eq!((by_name.sort, by_name.descending), (SortKey::Name, false));
        let reversed = by_name.sorted_by(SortKey::Name);
        assert!(reversed.descending);
        assert!(!reversed.sorted_by(SortKey::Created).descending);
    }

    #[test]
    fn page_sizes_include_the_default_and_stop_at_the_maximum() {
        assert!(PAGE_SIZES.contains(&DEFAULT_PAGE_SIZE));
        assert_eq!(PAGE_SIZES.iter().max(), Some(&MAX_PAGE_SIZE));
    }
}
