//! Page-number pagination with DRF's rules, for the API's `?page=&page_size=`
//! and the browser admin's list alike.

use super::ServiceError;
use crate::server::db::{Db, FromColumns, Param, Single};
use crate::shared::list_query::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::shared::validation::trim;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageNumber {
    Number(i128),
    Last,
    /// Not an integer nor `last`: no page matches it.
    Invalid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    number: PageNumber,
    size: i64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            number: PageNumber::Number(1),
            size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    /// From the raw `page` and `page_size` query values. An empty or absent
    /// page is the first; a page size that is not a positive integer is
    /// ignored and one over the maximum is clamped.
    pub fn from_query(page: Option<&str>, page_size: Option<&str>) -> Self {
        let number = match page {
            None | Some("") => PageNumber::Number(1),
            Some("last") => PageNumber::Last,
            Some(raw) => python_int(raw).map_or(PageNumber::Invalid, PageNumber::Number),
        };
        let size = page_size
            .and_then(python_int)
            .filter(|size| *size > 0)
            .map_or(DEFAULT_PAGE_SIZE, |size| {
                size.min(i128::from(MAX_PAGE_SIZE)) as i64
            });
        PageRequest { number, size }
    }

    pub fn size(&self) -> i64 {
        self.size
    }

    /// The page for a query that places it from the count itself: `Some(n)`
    /// a numbered page, `None` the last. The outer `None` is a page no list
    /// has (not an integer, below 1, or so far out that its offset would
    /// not fit in 64 bits).
    pub fn sql_number(&self) -> Option<Option<i64>> {
        match self.number {
            PageNumber::Last => Some(None),
            PageNumber::Number(n) if n >= 1 && n <= i128::from(i64::MAX / MAX_PAGE_SIZE) => {
                Some(Some(n as i64))
            }
            PageNumber::Number(_) | PageNumber::Invalid => None,
        }
    }

    /// The page number and the number of pages for a list of `count` items,
    /// or `None` when the page does not exist. An empty list has one page.
    pub fn resolve(&self, count: i64) -> Option<(i64, i64)> {
        let num_pages = ((count + self.size - 1) / self.size).max(1);
        let number = match self.number {
            PageNumber::Last => num_pages,
            PageNumber::Number(n) if n >= 1 && n <= i128::from(num_pages) => n as i64,
            PageNumber::Number(_) | PageNumber::Invalid => return None,
        };
        Some((number, num_pages))
    }
}

/// The page `request` asks for, in two queries over the same `values`:
/// `count_sql` counts the rows, `rows_sql` (ordered) reads them, with the
/// page's `LIMIT` and `OFFSET` added here. No such page: `InvalidPage`.
pub async fn read_page<T: FromColumns + Send + 'static>(
    db: &Db,
    request: PageRequest,
    count_sql: &str,
    rows_sql: &str,
    values: &[Param<'_>],
) -> Result<Page<T>, ServiceError> {
    read_placed_page(db, request, count_sql, |_| rows_sql.to_owned(), values).await
}

/// Where a page lies in its list, known once the list is counted.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    /// The rows in the list.
    pub count: i64,
    /// How many rows come up to the page's end.
    pub end: i64,
}

/// [`read_page`], the rows' query written once the page is placed: for a
/// query whose best shape depends on how many rows it finds.
pub async fn read_placed_page<T: FromColumns + Send + 'static>(
    db: &Db,
    request: PageRequest,
    count_sql: &str,
    rows_sql: impl FnOnce(Placement) -> String,
    values: &[Param<'_>],
) -> Result<Page<T>, ServiceError> {
    let count = db
        .read_one::<Single<i64>>(count_sql, values)
        .await?
        .map_or(0, |Single(count)| count);
    let (number, num_pages) = request.resolve(count).ok_or(ServiceError::InvalidPage)?;
    let size = request.size();
    let offset = (number - 1) * size;
    let rows_sql = rows_sql(Placement {
        count,
        end: offset + size,
    });
    let next = values.len() + 1;
    let page_sql = format!("{rows_sql} LIMIT ${next} OFFSET ${}", next + 1);
    let mut all = values.to_vec();
    all.extend([Param::from(size), Param::from(offset)]);
    let items = db.read_all(&page_sql, &all).await?;
    Ok(Page {
        count,
        number,
        num_pages,
        size,
        items,
    })
}

/// One page of a list: the webhooks, or a history.
#[derive(Debug)]
pub struct Page<T> {
    pub count: i64,
    pub number: i64,
    pub num_pages: i64,
    pub size: i64,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    pub fn has_next(&self) -> bool {
        self.number < self.num_pages
    }
    pub fn has_previous(&self) -> bool {
        self.number > 1
    }
}

/// Parses an integer the way Python's `int()` does for ASCII input: white
/// space around it, an optional sign, and single `_` between digits. Values
/// beyond `i128` saturate; they are out of every range we check anyway.
pub fn python_int(raw: &str) -> Option<i128> {
    let text = trim(raw);
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i128 = 0;
    for byte in digits.bytes().filter(|b| *b != b'_') {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value
            .saturating_mul(10)
            .saturating_add(i128::from(byte - b'0'));
    }
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_forms() {
        assert_eq!(python_int("12"), Some(12));
        assert_eq!(python_int(" +3 "), Some(3));
        assert_eq!(python_int("-0"), Some(0));
        assert_eq!(python_int("1_000"), Some(1000));
        assert_eq!(python_int("007"), Some(7));
        assert_eq!(
            python_int("99999999999999999999999999999999999999999"),
            Some(i128::MAX)
        );
        for bad in [
            "", " ", "1.0", "1e3", "_1", "1_", "1__0", "abc", "+", "0x10", "١",
        ] {
            assert_eq!(python_int(bad), None, "{bad}");
        }
    }

    #[test]
    fn page_size_defaults_and_clamps() {
        let size = |raw| PageRequest::from_query(None, raw).size();
        assert_eq!(size(None), 25);
        assert_eq!(size(Some("10")), 10);
        assert_eq!(size(Some("1000")), 100);
        for ignored in ["0", "-5", "", "abc", "2.5"] {
            assert_eq!(size(Some(ignored)), 25, "{ignored}");
        }
    }

    #[test]
    fn pages_resolve_against_the_count() {
        let page = |raw| PageRequest::from_query(raw, Some("10"));
        assert_eq!(page(None).resolve(0), Some((1, 1)));
        assert_eq!(page(Some("")).resolve(25), Some((1, 3)));
        assert_eq!(page(Some("3")).resolve(25), Some((3, 3)));
        assert_eq!(page(Some("last")).resolve(25), Some((3, 3)));
        assert_eq!(page(Some("01")).sql_number(), Some(Some(1)));
        assert_eq!(page(Some("2")).sql_number(), Some(Some(2)));
        assert_eq!(page(Some("last")).sql_number(), Some(None));
        for none in ["0", "-1", "x", "92233720368547759", "99999999999999999999"] {
            assert_eq!(page(Some(none)).sql_number(), None, "{none}");
        }
        assert_eq!(
            page(Some("92233720368547758")).sql_number(),
            Some(Some(i64::MAX / 100))
        );
        assert_eq!(page(Some("last")).resolve(0), Some((1, 1)));
        assert_eq!(page(Some("4")).resolve(25), None);
        assert_eq!(page(Some("2")).resolve(0), None);
        assert_eq!(page(Some("0")).resolve(25), None);
        assert_eq!(page(Some("-1")).resolve(25), None);
        assert_eq!(page(Some("Last")).resolve(25), None);
        assert_eq!(page(Some("x")).resolve(25), None);
    }
}
