//! The cheap SRP parsers, all fed the same text: hex (`srp::parse_hex`, as for `SALT` and
//! `SRP_B`), standard base64 (`srp::parse_base64`, as for `SECRET_BLOCK`), `TIMESTAMP`
//! (`srp::parse_timestamp`), the pool name, and `ServerChallenge::parse` with the text in each
//! position.
//!
//! Invariants (oracles written from the protocol doc, not from the code):
//! * hex is accepted iff it is 1..=1024 ASCII hex digits, and then its value prints back as
//!   the same digits (lowercase, leading zeros dropped); `pad` of it is the minimal
//!   two's-complement encoding of that value;
//! * base64 is accepted iff it is canonical standard padded base64, so it encodes back to the
//!   same text; URL-safe or unpadded text is refused;
//! * a `TIMESTAMP` that parses formats back to the same text; every formatted time (years
//!   1970-9999) parses back to itself;
//! * `ServerChallenge::parse` fails iff one of its fields fails or `B mod N = 0`.
#![no_main]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognito_proto::srp::{self, ServerChallenge, SrpError};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;
use num_traits::Zero;

const SALT: &str = "8a1b2c3d4e5f60718293a4b5c6d7e8f9";
const SRP_B: &str = "0b7c21e6a7d9c5f2e1d0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3a29180f7e6d5c";
const SECRET_BLOCK: &str = "c2VjcmV0IGJsb2Nr";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();

    // Hex.
    let hex = srp::parse_hex("SALT", text);
    let valid_hex =
        !text.is_empty() && text.len() <= 1024 && text.bytes().all(|b| b.is_ascii_hexdigit());
    match &hex {
        Ok(v) => {
            assert!(valid_hex, "accepted hex {text:?}");
            let digits = text.trim_start_matches('0').to_ascii_lowercase();
            let digits = if digits.is_empty() {
                "0".to_owned()
            } else {
                digits
            };
            assert_eq!(srp::to_hex(v), digits);
            check_pad(v);
        }
        Err(SrpError::Empty { field: "SALT" }) => assert!(text.is_empty()),
        Err(SrpError::TooLong { field: "SALT" }) => assert!(text.len() > 1024),
        Err(SrpError::InvalidHex { field: "SALT" }) => assert!(!valid_hex),
        Err(e) => panic!("unexpected hex error {e:?}"),
    }

    // Base64.
    let b64 = srp::parse_base64("SECRET_BLOCK", text);
    match &b64 {
        Ok(bytes) => {
            assert_eq!(
                STANDARD.encode(bytes),
                text,
                "accepted non-canonical base64"
            );
            assert!(!text.contains(['-', '_']) && text.len() % 4 == 0);
        }
        Err(SrpError::Empty { .. }) => assert!(text.is_empty()),
        Err(SrpError::InvalidBase64 {
            field: "SECRET_BLOCK",
        }) => {
            assert!(STANDARD.decode(text).is_err(), "refused valid base64");
        }
        Err(e) => panic!("unexpected base64 error {e:?}"),
    }

    // ServerChallenge with the text in each position.
    let as_salt = ServerChallenge::parse(text, SRP_B, SECRET_BLOCK);
    assert_eq!(as_salt.is_ok(), hex.is_ok());
    let as_b = ServerChallenge::parse(SALT, text, SECRET_BLOCK);
    let b_ok = srp::parse_hex("SRP_B", text).is_ok_and(|b| !(b % srp::modulus()).is_zero());
    assert_eq!(as_b.is_ok(), b_ok);
    if let Err(SrpError::ServerKeyZero) = as_b {
        let b = srp::parse_hex("SRP_B", text).expect("B = 0 mod N is valid hex");
        assert!((b % srp::modulus()).is_zero());
    }
    let as_block = ServerChallenge::parse(SALT, SRP_B, text);
    match (&as_block, &b64) {
        (Ok(c), Ok(_)) => assert_eq!(c.secret_block_b64(), text),
        (Err(_), Err(_)) => {}
        _ => panic!("ServerChallenge and parse_base64 disagree on {text:?}"),
    }

    // TIMESTAMP.
    if let Some(t) = srp::parse_timestamp(text) {
        assert_eq!(srp::format_timestamp(t), text);
    }
    let secs = fnv(data) % 253_402_300_800; // up to 9999-12-31T23:59:59
    assert_eq!(
        srp::parse_timestamp(&srp::format_timestamp(secs)),
        Some(secs)
    );

    // Pool name: the part after the first `_` of `<region>_<name>`.
    match srp::pool_name(text) {
        Ok(name) => {
            let (region, rest) = text.split_once('_').expect("accepted without `_`");
            assert!(!region.is_empty() && !rest.is_empty());
            assert_eq!(name, rest);
        }
        Err(SrpError::InvalidPoolId) => {
            assert!(
                text.split_once('_')
                    .is_none_or(|(r, n)| r.is_empty() || n.is_empty())
            );
        }
        Err(e) => panic!("unexpected pool id error {e:?}"),
    }
});

/// `pad` is the minimal big-endian two's-complement encoding (known client bug docs/protocol.md#pitfall-1).
fn check_pad(v: &BigUint) {
    let p = srp::pad(v);
    assert_eq!(&BigUint::from_bytes_be(&p), v);
    assert!(!p.is_empty() && p[0] < 0x80, "pad is negative");
    if p.len() > 1 {
        assert!(!(p[0] == 0 && p[1] < 0x80), "pad is not minimal");
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
