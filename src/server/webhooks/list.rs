//! The list: one page of an organization's webhooks in id order, read by
//! one query, either on its own or along with the token lookup.

use super::{
    checked_later, PageRequest, ServiceError, Unchecked, Webhook, WebhookPage, WebhookScope,
    COLUMNS,
};
use crate::server::accounts::{self, ApiToken, TokenPrincipal};
use crate::server::db::{self, params, read_by_name, Db, Dialect};
use crate::shared::validation::SlackUrl;

/// One page. The count is the organization's counter (kept by create and
/// delete), read with the caller's identity. `along`: the page, when it was
/// read in the token lookup's own query ([`page_for_token`]).
#[tracing::instrument(level = "debug", skip_all, fields(organization = scope.organization_id))]
pub async fn list(
    db: &Db,
    scope: WebhookScope,
    request: PageRequest,
    along: Option<Unchecked<PageAlong>>,
) -> Result<WebhookPage, ServiceError> {
    let count = scope.webhook_count;
    let (number, num_pages) = request.resolve(count).ok_or(ServiceError::InvalidPage)?;
    let size = request.size();
    let offset = (number - 1) * size;
    let along = along.map(|along| along.open(scope)).transpose()?;
    let packed = match along {
        // The SQL placed the page from the counter it read: the same one.
        Some(PageAlong {
            page_offset,
            page: Some(page),
        }) if page_offset == offset => page,
        _ => {
            let sql = |dialect| {
                let place = Place {
                    organization: "CAST($1 AS BIGINT)",
                    count: "CAST($2 AS BIGINT)",
                    offset: "CAST($3 AS BIGINT)",
                };
                format!(
                    "SELECT {} AS page_offset, {} AS page",
                    place.offset,
                    page_at(dialect, size, &place, &place)
                )
            };
            let values = params![scope.organization_id, count, offset];
            db.read_one::<PageAlong>(&sql(db.dialect()), values)
                .await?
                .and_then(|found| found.page)
                .ok_or(ServiceError::InvalidPage)?
        }
    };
    let items = unpack(&packed)?;
    Ok(WebhookPage {
        count,
        number,
        num_pages,
        size,
        items,
    })
}

/// A page read in the token lookup's query: where the SQL placed it
/// (from the counter it read there), and the page, `None` when the list
/// has no such page.
pub struct PageAlong {
    page_offset: i64,
    page: Option<String>,
}

read_by_name!(PageAlong { page_offset, page });

/// The token lookup and the page `request` asks for, in one query. `None`
/// when no such token exists, or for a page number no list has (nothing is
/// read then).
///
/// The page size and number are written into the SQL: one prepared
/// statement per size and page asked for on a connection (sqlx keeps the
/// 100 last used). PostgreSQL planned a statement anew on every request
/// when either was a parameter, for longer than it ran: a known number
/// folds away part of the query, so a custom plan always looked cheaper
/// than the generic one. A statement not kept is planned on every run too
/// (docs/performance.md).
pub async fn page_for_token(
    db: &Db,
    token: &ApiToken,
    request: PageRequest,
) -> Result<Option<(TokenPrincipal, Unchecked<PageAlong>)>, db::Error> {
    let Some(number) = request.sql_number() else {
        return Ok(None);
    };
    let size = request.size();
    let offset = |count: &str| match number {
        Some(number) => format!("CAST({} AS BIGINT)", (number - 1) * size),
        // The last multiple of the size below the count (0 when empty).
        None => format!("({count} - 1) / {size} * {size}"),
    };
    let sql = |dialect| {
        let here = Place {
            organization: "u.organization_id",
            count: "o.webhook_count",
            offset: &offset("o.webhook_count"),
        };
        let page = match (number, dialect) {
            (Some(1), _) => first_page(dialect, size, here.organization),
            // PostgreSQL's LIMIT and OFFSET take the outer query's columns.
            (_, Dialect::Postgres) => page_at(dialect, size, &here, &here),
            (_, Dialect::Sqlite) => {
                let count = accounts::token_lookup_scalar("o.webhook_count");
                let in_limits = Place {
                    organization: "",
                    count: &count,
                    offset: &offset(&count),
                };
                page_at(dialect, size, &here, &in_limits)
            }
        };
        let columns = format!(", {} AS page_offset, {page} AS page", here.offset);
        accounts::token_lookup(&columns, "")
    };
    let found = db
        .read_one(&sql(db.dialect()), params![token.digest()])
        .await?;
    checked_later(db, found).await
}

/// Where a page is, as SQL expressions: the organization, its number of
/// webhooks, and the page's offset in the list.
struct Place<'a> {
    organization: &'a str,
    count: &'a str,
    offset: &'a str,
}

/// The first page: read forwards whatever the count (an empty list's is
/// `[]`), so the statement asked for most has no backward branch to plan.
/// PostgreSQL plans it on each run when it holds a custom plan cheaper than
/// the generic one, which a connection's first runs on small tables make it
/// believe (docs/performance.md).
fn first_page(dialect: Dialect, size: i64, organization: &str) -> String {
    let forward = packed_page(
        dialect,
        organization,
        "organization_id, id",
        &size.to_string(),
        "0",
    );
    format!("({forward})")
}

/// The page of `size` webhooks at `here` as one JSON array in id order;
/// NULL when the list has no such page. A page in the second half of the
/// list is read from the end backwards, so the last page costs what the
/// first does. `in_limits`: the same count and offset for LIMIT and OFFSET,
/// where SQLite takes no column of an outer query.
fn page_at(dialect: Dialect, size: i64, here: &Place, in_limits: &Place) -> String {
    let (least, greatest) = match dialect {
        Dialect::Sqlite => ("MIN", "MAX"),
        Dialect::Postgres => ("LEAST", "GREATEST"),
    };
    let Place {
        organization,
        count,
        offset,
    } = here;
    let forward = packed_page(
        dialect,
        organization,
        "organization_id, id",
        &size.to_string(),
        in_limits.offset,
    );
    let (count_in_limits, offset_in_limits) = (in_limits.count, in_limits.offset);
    let rest = format!("{count_in_limits} - {offset_in_limits}");
    let backward = packed_page(
        dialect,
        organization,
        "organization_id DESC, id DESC",
        &format!("{least}({size}, {rest})"),
        &format!("{greatest}(0, {rest} - {size})"),
    );
    format!(
        "CASE WHEN {offset} <= {count} / 2 THEN ({forward})
              WHEN {offset} < {count} THEN ({backward}) END"
    )
}

/// The query for a run of an organization's webhooks as one JSON array in
/// id order (`organization`, `limit` and `offset` are SQL). The
/// organization is a range, ordered as the (organization_id, id) index is:
/// with `organization_id = $1` PostgreSQL's planner may walk the primary key
/// in id order and filter, reading every other organization's rows first.
fn packed_page(
    dialect: Dialect,
    organization: &str,
    order: &str,
    limit: &str,
    offset: &str,
) -> String {
    let page = format!(
        "SELECT {COLUMNS} FROM webhooks
         WHERE organization_id >= {organization} AND organization_id <= {organization}
         ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    // In the order the rows come (a page read backwards comes reversed):
    // [`unpack`] puts them in id order. An `ORDER BY` in the aggregate cost
    // SQLite a temporary B-tree per page.
    match dialect {
        Dialect::Sqlite => {
            format!("SELECT json_group_array(json_array({COLUMNS})) FROM ({page})")
        }
        Dialect::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({COLUMNS})), '[]')::text
             FROM ({page}) page"
        ),
    }
}

/// A page's webhooks arrive as one JSON array (the one query written per
/// dialect: `json_group_array` / `json_agg`): one value to hand over instead
/// of a row per webhook, which sqlx's SQLite driver passes between threads
/// one at a time.
#[derive(serde::Deserialize)]
struct PackedWebhook(i64, String, SlackUrl, String, StoredBool, i64, i64);

/// SQLite's JSON has 0/1 for a boolean column; PostgreSQL's true/false.
/// (Read by hand: an untagged enum made serde build an error for every row.)
struct StoredBool(bool);

impl<'de> serde::Deserialize<'de> for StoredBool {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl serde::de::Visitor<'_> for Either {
            type Value = StoredBool;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean, or 0 or 1")
            }
            fn visit_bool<E>(self, value: bool) -> Result<StoredBool, E> {
                Ok(StoredBool(value))
            }
            fn visit_i64<E>(self, value: i64) -> Result<StoredBool, E> {
                Ok(StoredBool(value != 0))
            }
            fn visit_u64<E>(self, value: u64) -> Result<StoredBool, E> {
                Ok(StoredBool(value != 0))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// The packed page's webhooks in id order, whatever order the SQL gave.
fn unpack(packed: &str) -> Result<Vec<Webhook>, ServiceError> {
    let mut rows: Vec<PackedWebhook> =
        serde_json::from_str(packed).map_err(|e| ServiceError::Database(db::Error::decode(e)))?;
    rows.sort_unstable_by_key(|row| row.0);
    Ok(rows
        .into_iter()
        .map(
            |PackedWebhook(id, name, url, description, active, created_at, updated_at)| Webhook {
                id,
                name,
                url,
                description,
                active: active.0,
                created_at,
                updated_at,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::unpack;

    #[test]
    fn a_page_packed_in_any_order_unpacks_in_id_order() {
        let url = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";
        let packed = format!(
            r#"[[9,"nine","{url}","",1,5,6],[3,"three","{url}","",0,1,2],[7,"seven","{url}","",true,3,4]]"#
        );
        let items = unpack(&packed).unwrap();
        let ids: Vec<i64> = items.iter().map(|w| w.id).collect();
        assert_eq!(ids, [3, 7, 9]);
        assert_eq!(items[0].name, "three");
        assert!(!items[0].active && items[1].active && items[2].active);
        assert_eq!((items[2].created_at, items[2].updated_at), (5, 6));
    }
}
