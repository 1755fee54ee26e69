//! Session logic: token decoding, expiry and refresh decisions, refresh and sign-out requests,
//! the stored session record, the [`SessionStore`] trait and the JavaScript client's key
//! layout.
//!
//! Everything here is pure: time comes in as seconds since the Unix epoch (`now`), and requests
//! come out as values for a driver to send.
//!
//! A driver's life cycle of a session:
//! 1. sign-in produces tokens: [`TokenSet::new`] with the local time they arrived, then
//!    [`SessionRecord::set_tokens`] and [`SessionStore::save`];
//! 2. before each call that needs the access token: [`TokenSet::needs_refresh`] with
//!    [`DEFAULT_REFRESH_MARGIN`]; if true, coordinate callers through a [`RefreshGate`]
//!    (one request for many callers, known client bug docs/protocol.md#pitfall-18);
//! 3. the leader sends the refresh request, applies the response to the tokens, or classifies
//!    the error: clear the tokens only when the session is dead (known client bug docs/protocol.md#pitfall-20);
//! 4. sign-out sends the revoke or global sign-out request and clears the tokens, keeping the
//!    remembered device (known client bug docs/protocol.md#pitfall-24).

mod gate;
pub mod js;
mod record;
mod refresh;
mod signout;
mod store;
mod token;
mod tokens;

pub use gate::{RefreshGate, RefreshResult, RefreshStart, RefreshTicket, StaleTicket};
pub use record::{RECORD_VERSION, RecordError, SessionRecord};
pub use refresh::{Refresh, RefreshErrorAction, RefreshMethod};
pub use signout::{
    global_sign_out, handle_global_sign_out_response, handle_revoke_response, sign_out,
};
pub use store::{SessionStore, SessionStoreError};
pub use token::{Header, Jwt, Segment, TokenError, TokenUseClaim, UnverifiedClaims};
pub use tokens::{DEFAULT_REFRESH_MARGIN, TokenSet};

/// `crate::ops` still carries its own stand-in secret type; these copy between the two (a
/// plain clone once they are the same type).
fn to_ops(s: &crate::secret::SecretString) -> crate::ops::SecretString {
    crate::ops::SecretString::new(s.expose_secret().clone())
}

fn from_ops(s: &crate::ops::SecretString) -> crate::secret::SecretString {
    crate::secret::SecretString::new(s.expose_secret().clone())
}
