//! TIMESTAMP parsing is strict and round-trips: whatever parses formats back to the same text,
//! and every formatted time parses back to itself.
#![no_main]

use cognito_proto::srp::{format_timestamp, parse_timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: (&[u8], u64)| {
    let (bytes, secs) = data;
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Some(t) = parse_timestamp(text) {
            assert_eq!(format_timestamp(t), text);
        }
    }
    // Years up to 9999 are four digits and must round-trip.
    let secs = secs % 253_402_300_800;
    assert_eq!(parse_timestamp(&format_timestamp(secs)), Some(secs));
});
