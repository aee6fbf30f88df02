//! A browser that has signed in as a user before carries a signed cookie
//! saying so, and that user's failed sign-ins from elsewhere do not lock it
//! out: a stranger can hold up their own guesses, never the real user's.
//! The cookie names the user and is bound to the user's current password
//! (a password change, which moves `sessions_valid_after`, forgets every
//! browser known before it).

use crate::server::clock::now_millis;
use crate::server::keys::{Purpose, SigningKey};

/// How long a browser stays known after its last sign-in.
pub const KNOWN_FOR_MS: i64 = 180 * 24 * 3600 * 1000;

/// Whom a known-device cookie may vouch for.
#[derive(Clone, Copy, Debug)]
pub(super) struct Holder {
    pub user_id: i64,
    pub sessions_valid_after: i64,
}

/// The cookie's value for `holder`, good until `now` + [`KNOWN_FOR_MS`]:
/// `<user id>.<expiry ms>.<signature>`.
pub(super) fn vouch(key: &SigningKey, holder: Holder, now: i64) -> String {
    let expires = now.saturating_add(KNOWN_FOR_MS);
    let signature = sign(key, holder, expires);
    format!("{}.{expires}.{signature}", holder.user_id)
}

/// The cookie's value for a user who has just proved their password, whose
/// sessions are valid from `sessions_valid_after` (after a password change).
pub fn cookie_for(key: &SigningKey, user_id: i64, sessions_valid_after: i64) -> String {
    let holder = Holder {
        user_id,
        sessions_valid_after,
    };
    vouch(key, holder, now_millis())
}

/// Whether `cookie` is this server's, for `holder`, and not expired.
pub(super) fn vouches_for(key: &SigningKey, cookie: &str, holder: Holder, now: i64) -> bool {
    let mut parts = cookie.splitn(3, '.');
    let (Some(user), Some(expires), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Ok(user_id), Ok(expires)) = (user.parse::<i64>(), expires.parse::<i64>()) else {
        return false;
    };
    user_id == holder.user_id
        && expires > now
        && key.verify(
            Purpose::KnownDevice,
            &[&signed_bytes(holder, expires)],
            signature,
        )
}

fn sign(key: &SigningKey, holder: Holder, expires: i64) -> String {
    key.sign(Purpose::KnownDevice, &[&signed_bytes(holder, expires)])
}

/// What the signature covers: three fixed-width numbers.
fn signed_bytes(holder: Holder, expires: i64) -> [u8; 24] {
    let mut bytes = [0u8; 24];
    bytes[..8].copy_from_slice(&holder.user_id.to_be_bytes());
    bytes[8..16].copy_from_slice(&holder.sessions_valid_after.to_be_bytes());
    bytes[16..].copy_from_slice(&expires.to_be_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cookie_vouches_for_its_user_until_it_expires_or_the_password_changes() {
        let key = SigningKey::random();
        let ann = Holder {
            user_id: 7,
            sessions_valid_after: 1_000,
        };
        let now = 10_000;
        let cookie = vouch(&key, ann, now);
        assert!(vouches_for(&key, &cookie, ann, now));
        assert!(vouches_for(&key, &cookie, ann, now + KNOWN_FOR_MS - 1));
        assert!(!vouches_for(&key, &cookie, ann, now + KNOWN_FOR_MS));
        let bob = Holder { user_id: 8, ..ann };
        assert!(!vouches_for(&key, &cookie, bob, now));
        let after_a_new_password = Holder {
            sessions_valid_after: 5_000,
            ..ann
        };
        assert!(!vouches_for(&key, &cookie, after_a_new_password, now));
        assert!(!vouches_for(&SigningKey::random(), &cookie, ann, now));
        // A later expiry written over the signed one.
        let (user, rest) = cookie.split_once('.').unwrap();
        let signature = rest.split_once('.').unwrap().1;
        let stretched = format!("{user}.{}.{signature}", i64::MAX);
        assert!(!vouches_for(&key, &stretched, ann, now));
        for junk in ["", "7", "7.x.y", "..", "7.99999999999999.abc"] {
            assert!(!vouches_for(&key, junk, ann, now), "{junk:?}");
        }
    }
}
