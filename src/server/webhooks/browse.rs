//! The browser list's search, filter and order. Unfiltered in id order it
//! is the API's list (and its fast path); otherwise one counting query and
//! one page query over the organization's webhooks.

use super::pagination::{read_placed_page, Placement};
use super::{list, PageRequest, ServiceError, Webhook, WebhookPage, WebhookScope, COLUMNS};
use crate::server::db::{Db, Dialect, Param};
use crate::shared::list_query::{ListQuery, SortKey};

/// `%term%` for LIKE, with LIKE's own characters taken literally (`\`
/// escapes them).
fn contains_pattern(term: &str) -> String {
    let mut pattern = String::with_capacity(term.len() + 2);
    pattern.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The term as one FTS5 phrase: with the trigram tokenizer, "contains".
fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id))]
pub async fn page(
    db: &Db,
    scope: WebhookScope,
    query: &ListQuery,
    request: PageRequest,
) -> Result<WebhookPage, ServiceError> {
    if !query.is_filtered() && query.sort == SortKey::Id && !query.descending {
        return list(db, scope, request, None).await;
    }
    // Parameters: $1 the organization, then the term (SQLite's index: as a
    // phrase, then as a pattern) and the flag when present, then LIMIT and
    // OFFSET.
    let mut conditions = vec!["organization_id = $1".to_owned()];
    let mut values = vec![Param::from(scope.organization_id)];
    let trigrams = query.search.chars().count() >= 3;
    if !query.search.is_empty() {
        let next = values.len() + 1;
        let (condition, pattern) = match db.dialect() {
            // The FTS5 trigram index (any case) for three characters or
            // more, for the webhooks whose entries are up to date; the rows
            // of those noted since ([`super::search_index`]).
            Dialect::Sqlite if trigrams => {
                values.push(Param::from(fts_phrase(&query.search)));
                let like = next + 1;
                (
                    format!(
                        "((id IN (SELECT rowid FROM webhooks_search WHERE webhooks_search MATCH ${next})
                           AND id NOT IN (SELECT webhook_id FROM webhooks_search_pending))
                          OR (id IN (SELECT webhook_id FROM webhooks_search_pending
                                     WHERE organization_id = $1)
                           AND (name LIKE ${like} ESCAPE '\\' OR description LIKE ${like} ESCAPE '\\')))"
                    ),
                    contains_pattern(&query.search),
                )
            }
            // Shorter terms have no trigram: LIKE reads the rows.
            Dialect::Sqlite => (
                format!("(name LIKE ${next} ESCAPE '\\' OR description LIKE ${next} ESCAPE '\\')"),
                contains_pattern(&query.search),
            ),
            // The trigram indexes (with the organization) serve ILIKE.
            Dialect::Postgres => (
                format!(
                    "(name ILIKE ${next} ESCAPE '\\' OR description ILIKE ${next} ESCAPE '\\')"
                ),
                contains_pattern(&query.search),
            ),
        };
        conditions.push(condition);
        values.push(Param::from(pattern));
    }
    if let Some(active) = query.active {
        conditions.push(format!("active = ${}", values.len() + 1));
        values.push(Param::from(active));
    }
    let filter = conditions.join(" AND ");
    let direction = if query.descending { "DESC" } else { "ASC" };
    let order = match query.sort {
        SortKey::Id => format!("id {direction}"),
        SortKey::Name => format!("lower(name) {direction}, id {direction}"),
        SortKey::Created => format!("created_at {direction}, id {direction}"),
        SortKey::Updated => format!("updated_at {direction}, id {direction}"),
    };
    let searched = db.dialect() == Dialect::Postgres && !query.search.is_empty();
    let rows = |placement: Placement| {
        if !searched {
            return format!("SELECT {COLUMNS} FROM webhooks WHERE {filter} ORDER BY {order}");
        }
        // PostgreSQL, searching: the shape is chosen here, from how many
        // webhooks match, because a plan made without the term's value
        // (after five executions PostgreSQL may) cannot tell a term that
        // matches most rows from one that matches few. Dense matches: the
        // organization's webhooks in id order, filtered, until the page is
        // full. Sparse ones, or another order: every match first (the
        // trigram indexes), then ordered.
        let walked = i128::from(placement.end) * i128::from(scope.webhook_count);
        if query.sort == SortKey::Id && walked <= i128::from(placement.count).pow(2) {
            let matching = conditions[1..].join(" AND ");
            format!(
                "SELECT {COLUMNS} FROM (SELECT organization_id, {COLUMNS} FROM webhooks
                     WHERE organization_id >= $1 AND organization_id <= $1
                     ORDER BY organization_id {direction}, id {direction} OFFSET 0) walk
                 WHERE {matching} ORDER BY organization_id {direction}, id {direction}"
            )
        } else {
            format!(
                "WITH found AS MATERIALIZED (SELECT {COLUMNS} FROM webhooks WHERE {filter})
                 SELECT {COLUMNS} FROM found ORDER BY {order}"
            )
        }
    };
    read_placed_page(
        db,
        request,
        &format!("SELECT COUNT(*) FROM webhooks WHERE {filter}"),
        rows,
        &values,
    )
    .await
}

/// Every webhook the query finds, a page of the largest size at a time
/// (for the command line).
pub async fn every(
    db: &Db,
    scope: WebhookScope,
    query: &ListQuery,
) -> Result<Vec<Webhook>, ServiceError> {
    let mut found = Vec::new();
    for number in 1.. {
        let request = PageRequest::from_query(
            Some(&number.to_string()),
            Some(&crate::shared::list_query::MAX_PAGE_SIZE.to_string()),
        );
        let page = page(db, scope, query, request).await?;
        let more = page.has_next();
        found.extend(page.items);
        if !more {
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::{contains_pattern, fts_phrase};

    #[test]
    fn like_characters_are_taken_literally() {
        assert_eq!(contains_pattern("ops"), "%ops%");
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn fts_terms_are_one_quoted_phrase() {
        assert_eq!(fts_phrase("ops team"), "\"ops team\"");
        assert_eq!(fts_phrase("say \"hi\" OR x"), "\"say \"\"hi\"\" OR x\"");
    }
}
