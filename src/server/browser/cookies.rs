//! The cookies this site sets: their names, attributes and reading. Every
//! one is HttpOnly, SameSite=Strict, path `/`, and when cookies are Secure
//! (see `Config::session_settings`) also `Secure` with the `__Host-` prefix
//! (this host only).

use std::time::Duration;

use axum::http::{header, HeaderMap, HeaderValue};
use tower_sessions::cookie::{Cookie, SameSite};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BrowserCookie {
    /// The session's id (tower-sessions sets it).
    Session,
    /// A failed form's message for the next page, for a browser that is
    /// not signed in (`rejections`).
    Rejection,
    /// This browser signed in as a user before (`accounts::known_device`).
    KnownDevice,
}

impl BrowserCookie {
    pub fn name(self, secure: bool) -> &'static str {
        match (self, secure) {
            (BrowserCookie::Session, true) => "__Host-webhook_admin_session",
            (BrowserCookie::Session, false) => "webhook_admin_session",
            (BrowserCookie::Rejection, true) => "__Host-webhook_admin_rejection",
            (BrowserCookie::Rejection, false) => "webhook_admin_rejection",
            (BrowserCookie::KnownDevice, true) => "__Host-webhook_admin_device",
            (BrowserCookie::KnownDevice, false) => "webhook_admin_device",
        }
    }

    /// This cookie's value in a request's `Cookie` headers.
    pub fn read(self, headers: &HeaderMap, secure: bool) -> Option<String> {
        let name = self.name(secure);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == name)
            .map(|cookie| cookie.value().to_owned())
    }

    /// A `Set-Cookie` value storing `value` for `lifetime`.
    pub fn set(self, value: &str, lifetime: Duration, secure: bool) -> HeaderValue {
        let max_age = time::Duration::try_from(lifetime).unwrap_or(time::Duration::MAX);
        self.header(value, max_age, secure)
    }

    /// A `Set-Cookie` value removing the cookie.
    pub fn clear(self, secure: bool) -> HeaderValue {
        self.header("", time::Duration::ZERO, secure)
    }

    fn header(self, value: &str, max_age: time::Duration, secure: bool) -> HeaderValue {
        let cookie = Cookie::build((self.name(secure), value))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(secure)
            .path("/")
            .max_age(max_age)
            .build();
        HeaderValue::from_str(&cookie.to_string())
            .expect("cookie names and our values are header-safe")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_written_with_every_attribute_and_read_back() {
        let set = BrowserCookie::KnownDevice.set("7.99.abc", Duration::from_secs(60), true);
        let set = set.to_str().unwrap();
        assert!(
            set.starts_with("__Host-webhook_admin_device=7.99.abc;"),
            "{set}"
        );
        for attribute in [
            "HttpOnly",
            "SameSite=Strict",
            "Secure",
            "Path=/",
            "Max-Age=60",
        ] {
            assert!(
                set.split("; ").any(|a| a == attribute),
                "{attribute} in {set}"
            );
        }
        let cleared = BrowserCookie::Rejection.clear(false);
        let cleared = cleared.to_str().unwrap();
        assert!(
            cleared.starts_with("webhook_admin_rejection=;"),
            "{cleared}"
        );
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        assert!(!cleared.contains("Secure"), "{cleared}");

        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; webhook_admin_device=x.y"),
        );
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("webhook_admin_rejection=r"),
        );
        assert_eq!(
            BrowserCookie::KnownDevice.read(&headers, false).as_deref(),
            Some("x.y")
        );
        assert_eq!(
            BrowserCookie::Rejection.read(&headers, false).as_deref(),
            Some("r")
        );
        assert_eq!(BrowserCookie::KnownDevice.read(&headers, true), None);
    }
}
