//! The values a statement's `$1`, `$2`, … are bound to, in order: typed (so
//! PostgreSQL knows a NULL's type), the same for every driver.

use std::borrow::Cow;
use std::fmt;

/// One value for a statement's placeholder.
#[derive(Clone, PartialEq)]
pub enum Param<'a> {
    Int(Option<i64>),
    Float(Option<f64>),
    Bool(Option<bool>),
    Text(Option<Cow<'a, str>>),
    Bytes(Option<Cow<'a, [u8]>>),
}

/// Values only by their types: a text may be a credential (a Slack URL).
impl fmt::Debug for Param<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Param::Int(_) => "Int",
            Param::Float(_) => "Float",
            Param::Bool(_) => "Bool",
            Param::Text(_) => "Text",
            Param::Bytes(_) => "Bytes",
        })
    }
}

impl Param<'_> {
    /// The same value, owning what it borrowed (for a write sent elsewhere).
    pub fn into_owned(self) -> Param<'static> {
        match self {
            Param::Int(v) => Param::Int(v),
            Param::Float(v) => Param::Float(v),
            Param::Bool(v) => Param::Bool(v),
            Param::Text(v) => Param::Text(v.map(|t| Cow::Owned(t.into_owned()))),
            Param::Bytes(v) => Param::Bytes(v.map(|b| Cow::Owned(b.into_owned()))),
        }
    }
}

/// `&[Param]` from values of any type a [`Param`] is made from.
macro_rules! params {
    ($($value:expr),* $(,)?) => {
        &[$($crate::server::db::Param::from($value)),*][..]
    };
}
pub(crate) use params;

macro_rules! from_value {
    ($($type:ty => $variant:ident($convert:expr)),+ $(,)?) => {
        $(
            impl<'a> From<$type> for Param<'a> {
                fn from(value: $type) -> Self {
                    Param::$variant(Some(($convert)(value)))
                }
            }
            impl<'a> From<Option<$type>> for Param<'a> {
                fn from(value: Option<$type>) -> Self {
                    Param::$variant(value.map($convert))
                }
            }
        )+
    };
}

from_value! {
    i64 => Int(|v| v),
    f64 => Float(|v| v),
    bool => Bool(|v| v),
    &'a str => Text(Cow::Borrowed),
    &'a String => Text(|v: &'a String| Cow::Borrowed(v.as_str())),
    String => Text(Cow::Owned),
    &'a [u8] => Bytes(Cow::Borrowed),
    Vec<u8> => Bytes(Cow::Owned),
}

impl<'a, const N: usize> From<&'a [u8; N]> for Param<'a> {
    fn from(value: &'a [u8; N]) -> Self {
        Param::Bytes(Some(Cow::Borrowed(value)))
    }
}

/// Binds `params` to an sqlx query, in order.
pub(super) fn bind_all<'q, DB>(
    mut query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    params: &'q [Param<'_>],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    DB: sqlx::Database,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<f64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<bool>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q [u8]>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for param in params {
        query = match param {
            Param::Int(v) => query.bind(*v),
            Param::Float(v) => query.bind(*v),
            Param::Bool(v) => query.bind(*v),
            Param::Text(v) => query.bind(v.as_deref()),
            Param::Bytes(v) => query.bind(v.as_deref()),
        };
    }
    query
}

/// Binds `params` to a rusqlite statement's `$1`, `$2`, … by name (a
/// statement may name them in any order).
pub(super) fn bind_rusqlite(
    statement: &mut rusqlite::Statement<'_>,
    params: &[Param<'_>],
) -> Result<(), super::Error> {
    for (number, param) in params.iter().enumerate() {
        let name = format!("${}", number + 1);
        let Some(index) = statement.parameter_index(&name)? else {
            // A parameter the statement does not use (`$2 = $2` aside).
            continue;
        };
        match param {
            Param::Int(v) => statement.raw_bind_parameter(index, v),
            Param::Float(v) => statement.raw_bind_parameter(index, v),
            Param::Bool(v) => statement.raw_bind_parameter(index, v),
            Param::Text(v) => statement.raw_bind_parameter(index, v.as_deref()),
            Param::Bytes(v) => statement.raw_bind_parameter(index, v.as_deref()),
        }?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_typed_params_and_debug_shows_no_value() {
        let secret = String::from("https://hooks.slack.com/services/T0/B0/secret");
        let made: &[Param] = params![7_i64, None::<i64>, true, secret.as_str(), &[1u8, 2][..]];
        assert_eq!(made[0], Param::Int(Some(7)));
        assert_eq!(made[1], Param::Int(None));
        assert_eq!(made[2], Param::Bool(Some(true)));
        assert_eq!(format!("{made:?}"), "[Int, Int, Bool, Text, Bytes]");
        let owned = made[3].clone().into_owned();
        assert_eq!(owned, Param::Text(Some(Cow::Owned(secret.clone()))));
    }
}
