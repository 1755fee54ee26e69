//! Secrets: values that are zeroized on drop and never printed.
//!
//! Passwords, SRP private values, derived keys, device passwords, tokens and client secrets are
//! held in [`Secret`]. Its `Debug` prints `[redacted]`, it has no `Display`, and the value is
//! read through the explicit [`Secret::expose_secret`], so an accidental `{:?}` in a log line
//! cannot leak it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A value that is zeroized when dropped and redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T: Zeroize>(T);

/// A secret string (password, token, session, client secret).
pub type SecretString = Secret<String>;

impl<T: Zeroize> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// Reads the value. Every read of a secret goes through this call, so it is easy to audit.
    pub fn expose_secret(&self) -> &T {
        &self.0
    }

    /// Writes the value in place (for example to fill a buffer from an RNG).
    pub fn expose_secret_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> ZeroizeOnDrop for Secret<T> {}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

impl<T: Zeroize + Serialize> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretString::from("hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&s)), "Some([redacted])");
        assert_eq!(s.expose_secret(), "hunter2");
    }

    #[test]
    fn serde_is_transparent() {
        let s = SecretString::from("tok");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"tok\"");
        let back: SecretString = serde_json::from_str("\"tok\"").unwrap();
        assert_eq!(back, s);
    }
}
