//! Single-flight refresh (known client bug docs/protocol.md#pitfall-18): the decision part, without locks or IO.
//!
//! A driver keeps one [`RefreshGate`] per user session next to the tokens, under the same lock.
//! Every caller notes [`RefreshGate::generation`] when it reads the tokens. A caller that finds
//! them due for refresh asks [`RefreshGate::begin`] with the generation it saw:
//!
//! * [`RefreshStart::Lead`]: this caller sends the refresh (outside the lock) and reports the
//!   result with [`RefreshGate::finish`];
//! * [`RefreshStart::Join`]: a refresh is in flight; wait for it (condvar, `Notify`, …) and ask
//!   again with the *same* generation;
//! * [`RefreshStart::Finished`]: a refresh attempt ended since this caller looked; re-read the
//!   tokens if it succeeded, report the failure if not. No second request is made.
//!
//! So however many callers find the tokens expired at once, one request goes out, and one
//! failed attempt fails all the callers that were waiting for it instead of each retrying in
//! turn. [`RefreshGate::reset`] (sign-out, tokens cleared) turns any refresh still in flight
//! stale: its [`RefreshGate::finish`] then returns [`StaleTicket`] and its tokens must be
//! dropped, so a late refresh never resurrects a signed-out session.

use std::fmt;

/// How a refresh attempt ended, as far as waiting callers need to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshResult {
    /// New tokens were stored.
    Refreshed,
    /// The attempt failed; tokens were kept (network error, throttling, server error).
    FailedKeptTokens,
    /// The session is dead; tokens were cleared (see `RefreshErrorAction::ClearTokens`).
    SessionEnded,
    /// The session was signed out or its tokens replaced ([`RefreshGate::reset`]).
    Reset,
}

/// The answer of [`RefreshGate::begin`].
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub enum RefreshStart {
    /// Send the refresh request, then call [`RefreshGate::finish`] with this ticket.
    Lead(RefreshTicket),
    /// Another caller's refresh is in flight: wait for it and call `begin` again with the same
    /// generation.
    Join,
    /// An attempt ended after the observed generation; its result.
    Finished(RefreshResult),
}

/// The right to complete one refresh attempt. Not `Clone`: exactly one caller holds it.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a refresh ticket must be given back with RefreshGate::finish"]
pub struct RefreshTicket {
    generation: u64,
}

impl RefreshTicket {
    /// The generation this attempt started from.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

/// [`RefreshGate::finish`] was given a ticket of an attempt that no longer counts (the
/// session was reset meanwhile). The attempt's tokens must not be stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaleTicket;

impl fmt::Display for StaleTicket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("refresh finished after the session was reset; its result is discarded")
    }
}

impl std::error::Error for StaleTicket {}

/// Per-session refresh coordination state (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RefreshGate {
    generation: u64,
    in_flight: bool,
    last: Option<RefreshResult>,
}

impl RefreshGate {
    /// A gate with no attempt yet (generation 0).
    pub fn new() -> Self {
        RefreshGate::default()
    }

    /// The current generation: it grows by one each time an attempt ends or the gate is reset.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether an attempt is in flight.
    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// Asks to refresh, as a caller that read the tokens at generation `observed`.
    pub fn begin(&mut self, observed: u64) -> RefreshStart {
        if self.in_flight {
            return RefreshStart::Join;
        }
        if self.generation != observed {
            return RefreshStart::Finished(self.last.unwrap_or(RefreshResult::Reset));
        }
        self.in_flight = true;
        RefreshStart::Lead(RefreshTicket {
            generation: self.generation,
        })
    }

    /// Ends the attempt of `ticket` with `result` and returns the new generation. Store the
    /// new tokens (or clear them) only when this returns `Ok`, under the same lock.
    pub fn finish(
        &mut self,
        ticket: RefreshTicket,
        result: RefreshResult,
    ) -> Result<u64, StaleTicket> {
        if !self.in_flight || ticket.generation != self.generation {
            return Err(StaleTicket);
        }
        self.in_flight = false;
        self.generation = self.generation.wrapping_add(1);
        self.last = Some(result);
        Ok(self.generation)
    }

    /// The tokens were replaced or cleared from outside a refresh (sign-in, sign-out): any
    /// attempt in flight becomes stale and waiting callers see [`RefreshResult::Reset`].
    pub fn reset(&mut self) -> u64 {
        self.in_flight = false;
        self.generation = self.generation.wrapping_add(1);
        self.last = Some(RefreshResult::Reset);
        self.generation
    }
}
