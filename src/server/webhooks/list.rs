//! The list: one page of an organization's webhooks in id order, read by
//! one query, either on its own or along with the token lookup.

use super::{
    checked_later, read_along, PageRequest, ServiceError, Unchecked, Webhook, WebhookPage,
    WebhookScope, COLUMNS,
};
use crate::server::accounts::{self, ApiToken, TokenPrincipal};
use crate::server::db::{on_conn, Conn};
use crate::validation::SlackUrl;

/// One page. The count is the organization's counter (kept by create and
/// delete), read with the caller's identity. `along`: the page, when it was
/// read in the token lookup's own query ([`page_for_token`]).
pub async fn list(
    conn: &mut Conn,
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
                format!(
                    "WITH here AS (SELECT CAST($1 AS BIGINT) AS organization_id,
                       CAST($2 AS BIGINT) AS webhook_count, CAST($3 AS BIGINT) AS page_offset)
                     SELECT {} FROM here",
                    page_of_here(dialect, size)
                )
            };
            let page: Option<String> = on_conn!(conn,
                Sqlite(c) => sqlx::query_scalar(&sql(Dialect::Sqlite))
                    .bind(scope.organization_id)
                    .bind(count)
                    .bind(offset)
                    .fetch_one(c)
                    .await?,
                Postgres(c) => sqlx::query_scalar(&sql(Dialect::Postgres))
                    .bind(scope.organization_id)
                    .bind(count)
                    .bind(offset)
                    .fetch_one(c)
                    .await?
            );
            page.ok_or(ServiceError::InvalidPage)?
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
#[derive(sqlx::FromRow)]
pub struct PageAlong {
    page_offset: i64,
    page: Option<String>,
}

/// The token lookup and the page `request` asks for, in one query. `None`
/// when no such token exists, or for a page number no list has (nothing is
/// read then). The page size is written into the SQL (one prepared
/// statement per page size in use): with `LIMIT $2` PostgreSQL's generic
/// plan looked costlier than a custom one, so it planned the statement anew
/// on every request (0.33 ms of planning for 0.18 ms of execution).
pub async fn page_for_token(
    conn: &mut Conn,
    token: &ApiToken,
    request: PageRequest,
) -> Result<Option<(TokenPrincipal, Unchecked<PageAlong>)>, sqlx::Error> {
    let Some(number) = request.sql_number() else {
        return Ok(None);
    };
    let size = request.size();
    let sql = |dialect| {
        // The last page (a NULL number) starts at the last multiple of the
        // size below the count (0 for an empty list).
        let offset = format!(
            ", COALESCE((CAST($2 AS BIGINT) - 1) * {size}, (o.webhook_count - 1) / {size} * {size})
             AS page_offset"
        );
        format!(
            "WITH here AS ({}) SELECT here.*, {} AS page FROM here",
            accounts::token_lookup(&offset, ""),
            page_of_here(dialect, size)
        )
    };
    let found = on_conn!(conn,
        Sqlite(c) => read_along(sqlx::query(&sql(Dialect::Sqlite)).bind(token.digest()).bind(number).fetch_optional(c).await?)?,
        Postgres(c) => read_along(sqlx::query(&sql(Dialect::Postgres)).bind(token.digest()).bind(number).fetch_optional(c).await?)?
    );
    checked_later(conn, found).await
}

#[derive(Clone, Copy)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// The page of `size` webhooks at `here.page_offset` of the organization
/// `here.organization_id`, which has `here.webhook_count` (`here`: a one-row
/// CTE), as one JSON array; NULL when the list has no such page. A page in
/// the second half of the list is read from the end backwards, so the last
/// page costs what the first does. (SQLite takes no column of the outer
/// query in LIMIT or OFFSET: they select from `here` again.)
fn page_of_here(dialect: Dialect, size: i64) -> String {
    let (least, greatest) = match dialect {
        Dialect::Sqlite => ("MIN", "MAX"),
        Dialect::Postgres => ("LEAST", "GREATEST"),
    };
    let forward = packed_page(
        dialect,
        "organization_id, id",
        &size.to_string(),
        "(SELECT page_offset FROM here)",
    );
    let backward = packed_page(
        dialect,
        "organization_id DESC, id DESC",
        &format!("(SELECT {least}({size}, webhook_count - page_offset) FROM here)"),
        &format!("(SELECT {greatest}(0, webhook_count - page_offset - {size}) FROM here)"),
    );
    format!(
        "CASE WHEN page_offset <= webhook_count / 2 THEN ({forward})
              WHEN page_offset < webhook_count THEN ({backward}) END"
    )
}

/// The query for a run of `here`'s organization's webhooks as one JSON
/// array in id order (`limit` and `offset` are SQL). The organization is a
/// range, ordered as the (organization_id, id) index is: with
/// `organization_id = $1` PostgreSQL's planner may walk the primary key in
/// id order and filter, reading every other organization's rows first
/// (35 ms for a page of 100,000 behind 200,000 others).
fn packed_page(dialect: Dialect, order: &str, limit: &str, offset: &str) -> String {
    let page = format!(
        "SELECT {COLUMNS} FROM webhooks
         WHERE organization_id >= here.organization_id AND organization_id <= here.organization_id
         ORDER BY {order} LIMIT {limit} OFFSET {offset}"
    );
    match dialect {
        Dialect::Sqlite => {
            format!("SELECT json_group_array(json_array({COLUMNS}) ORDER BY id) FROM ({page})")
        }
        Dialect::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({COLUMNS}) ORDER BY id), '[]')::text
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

fn unpack(packed: &str) -> Result<Vec<Webhook>, ServiceError> {
    let rows: Vec<PackedWebhook> = serde_json::from_str(packed)
        .map_err(|e| ServiceError::Database(sqlx::Error::Decode(Box::new(e))))?;
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
