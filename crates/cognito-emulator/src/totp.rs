//! RFC 6238 TOTP (HMAC-SHA1, 6 digits, 30 s steps), as Cognito's software-token MFA uses it.
//!
//! Public so tests can compute the code an authenticator app would show for a `SecretCode`
//! returned by `AssociateSoftwareToken`, at the emulator's clock
//! ([`crate::Service::now`], which an `EmulatorHandle` derefs to).

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// The TOTP step in seconds.
pub const STEP: u64 = 30;

/// The HOTP value (RFC 4226) of `key` at `counter`, as 6 digits.
pub fn hotp(key: &[u8], counter: u64) -> String {
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(key) else {
        // HMAC accepts keys of any length; this branch is unreachable in practice.
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let d = mac.finalize().into_bytes();
    let offset = (d[19] & 0x0f) as usize;
    let bin = (u32::from(d[offset] & 0x7f) << 24)
        | (u32::from(d[offset + 1]) << 16)
        | (u32::from(d[offset + 2]) << 8)
        | u32::from(d[offset + 3]);
    format!("{:06}", bin % 1_000_000)
}

/// The TOTP code for a base32 secret (as `AssociateSoftwareToken` returns it) at `unix_secs`.
/// `None` when the secret is not base32.
pub fn code(secret_base32: &str, unix_secs: u64) -> Option<String> {
    let key = crate::util::base32_decode(secret_base32)?;
    Some(hotp(&key, unix_secs / STEP))
}

/// Checks `user_code` against the key at `unix_secs`, allowing one step either side, and
/// returns the time step it matched. Every candidate is compared, in constant time.
pub(crate) fn matching_step(key: &[u8], user_code: &str, unix_secs: u64) -> Option<u64> {
    let step = unix_secs / STEP;
    let mut found = None;
    for s in [step.saturating_sub(1), step, step + 1] {
        let expected = hotp(key, s);
        if bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            user_code.as_bytes(),
        )) {
            found = Some(s);
        }
    }
    found
}

/// Checks a code and, when it matches, consumes its time step: a code someone saw over the
/// user's shoulder or in a log must not sign in a second time, so a step already in `used` is
/// refused. `used`
/// keeps only the steps that can still match (the window is one step either side of a clock
/// that never goes back), so it stays a handful of entries.
pub(crate) fn check_and_consume(
    key: &[u8],
    user_code: &str,
    unix_secs: u64,
    used: &mut Vec<u64>,
) -> TotpCheck {
    let Some(step) = matching_step(key, user_code, unix_secs) else {
        return TotpCheck::Mismatch;
    };
    if used.contains(&step) {
        return TotpCheck::Reused;
    }
    let oldest_live = (unix_secs / STEP).saturating_sub(1);
    used.retain(|s| *s >= oldest_live);
    used.push(step);
    TotpCheck::Accepted
}

/// The outcome of [`check_and_consume`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TotpCheck {
    Accepted,
    Mismatch,
    /// The right code, already accepted once.
    Reused,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 seed, truncated to 6 digits.
        let key = b"12345678901234567890";
        assert_eq!(hotp(key, 59 / 30), "287082");
        assert_eq!(hotp(key, 1_111_111_109 / 30), "081804");
        assert_eq!(hotp(key, 1_234_567_890 / 30), "005924");
        assert_eq!(hotp(key, 2_000_000_000 / 30), "279037");
    }

    #[test]
    fn tolerance_is_one_step() {
        let key = b"12345678901234567890";
        let t = 1_234_567_890;
        let step = t / 30;
        assert_eq!(matching_step(key, &hotp(key, step - 1), t), Some(step - 1));
        assert_eq!(matching_step(key, &hotp(key, step + 1), t), Some(step + 1));
        assert_eq!(matching_step(key, &hotp(key, step - 2), t), None);
        assert_eq!(matching_step(key, &hotp(key, step + 2), t), None);
    }

    #[test]
    fn a_code_is_accepted_once_per_step() {
        let key = b"12345678901234567890";
        let t = 1_234_567_890;
        let step = t / 30;
        let mut used = Vec::new();
        let now = hotp(key, step);
        assert_eq!(
            check_and_consume(key, &now, t, &mut used),
            TotpCheck::Accepted
        );
        assert_eq!(
            check_and_consume(key, &now, t, &mut used),
            TotpCheck::Reused
        );
        assert_eq!(
            check_and_consume(key, &now, t + 30, &mut used),
            TotpCheck::Reused
        );
        // The previous step's code is another code of the window: accepted once.
        let before = hotp(key, step - 1);
        assert_eq!(
            check_and_consume(key, &before, t, &mut used),
            TotpCheck::Accepted
        );
        assert_eq!(
            check_and_consume(key, &before, t, &mut used),
            TotpCheck::Reused
        );
        assert_eq!(
            check_and_consume(key, "x", t, &mut used),
            TotpCheck::Mismatch
        );
        // Steps that left the window are forgotten; the list stays short.
        let later = t + 3000;
        let code = hotp(key, later / 30);
        assert_eq!(
            check_and_consume(key, &code, later, &mut used),
            TotpCheck::Accepted
        );
        assert_eq!(used, vec![later / 30]);
    }
}
