//! Property tests of the SRP building blocks (issue 8): padHex, `TIMESTAMP`, `SECRET_HASH`,
//! the device verifier and `SRP_A`.
//!
//! Each property is checked against an oracle written from the protocol doc (JavaScript's
//! `padHex` on hex strings, a naive calendar), not against the code under test.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cognito_proto::srp::{self, Ephemeral};
use num_bigint::BigUint;
use proptest::prelude::*;

/// The reference client's `padHex`, on hex text: an odd digit count gets a leading `0`, a
/// first digit 8-f gets `00`.
fn js_pad_hex(n: &BigUint) -> Vec<u8> {
    let mut hex = n.to_str_radix(16);
    if hex.len() % 2 == 1 {
        hex.insert(0, '0');
    } else if hex.starts_with(['8', '9', 'a', 'b', 'c', 'd', 'e', 'f']) {
        hex.insert_str(0, "00");
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
        .collect()
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn is_leap(y: u64) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

/// `TIMESTAMP` by counting whole years and months from 1970-01-01 (a Thursday).
fn naive_timestamp(secs: u64) -> String {
    let mut days = secs / 86_400;
    let weekday = WEEKDAYS[((days + 4) % 7) as usize];
    let mut year = 1970;
    loop {
        let len = if is_leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let mut month = 0;
    loop {
        let len = match month {
            1 if is_leap(year) => 29,
            1 => 28,
            3 | 5 | 8 | 10 => 30,
            _ => 31,
        };
        if days < len {
            break;
        }
        days -= len;
        month += 1;
    }
    let rest = secs % 86_400;
    format!(
        "{weekday} {} {} {:02}:{:02}:{:02} UTC {year}",
        MONTHS[month],
        days + 1,
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// 2101-01-01T00:00:00Z: every second of the years 1970 to 2100 lies below.
const END_OF_2100: u64 = 4_133_980_800;

fn big(bytes: &[u8]) -> BigUint {
    BigUint::from_bytes_be(bytes)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// padHex round trip: the bytes read back as the value, they are the reference client's
    /// `padHex`, and their length is the minimal two's-complement length.
    #[test]
    fn pitfall_1_prop_pad_hex_round_trip_and_minimal_length(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let n = big(&bytes);
        let padded = srp::pad(&n);
        prop_assert_eq!(BigUint::from_bytes_be(&padded), n.clone());
        prop_assert_eq!(&padded, &js_pad_hex(&n));
        // A non-negative value needs bits + 1 (sign) bits, rounded up to whole bytes.
        let minimal = (n.bits() as usize + 1).div_ceil(8);
        prop_assert_eq!(padded.len(), minimal.max(1));
        prop_assert!(padded[0] < 0x80);
    }

    /// Values whose top bit is set get the `00` byte; values one byte shorter do not.
    #[test]
    fn pitfall_1_prop_pad_hex_sign_byte(high in 0x80u8..=0xff, rest in proptest::collection::vec(any::<u8>(), 0..48)) {
        let mut bytes = vec![high];
        bytes.extend_from_slice(&rest);
        let padded = srp::pad(&big(&bytes));
        prop_assert_eq!(padded[0], 0);
        prop_assert_eq!(&padded[1..], bytes.as_slice());
        bytes[0] &= 0x7f;
        if bytes[0] != 0 {
            prop_assert_eq!(srp::pad(&big(&bytes)), bytes);
        }
    }

    /// `TIMESTAMP` over random seconds of 1970-2100: the naive calendar's text, and it parses
    /// back to the same second.
    #[test]
    fn pitfall_9_prop_timestamp_1970_to_2100(secs in 0..END_OF_2100) {
        let text = srp::format_timestamp(secs);
        prop_assert_eq!(&text, &naive_timestamp(secs));
        prop_assert_eq!(srp::parse_timestamp(&text), Some(secs));
    }

    /// The hours after midnight are `00`, never `24` (a browser formatter's bug), and the day
    /// is not zero-padded: a zero-padded day or a wrong weekday does not parse.
    #[test]
    fn pitfall_9_prop_timestamp_strict_forms(day in 0..END_OF_2100 / 86_400, secs_in_hour in 0u64..3600) {
        let secs = day * 86_400 + secs_in_hour;
        let text = srp::format_timestamp(secs);
        let parts: Vec<&str> = text.split(' ').collect();
        prop_assert_eq!(parts.len(), 6);
        prop_assert!(parts[3].starts_with("00:"), "{}", text);
        prop_assert!(!parts[2].starts_with('0'));
        if parts[2].len() == 1 {
            let padded = format!("{} {} 0{} {} UTC {}", parts[0], parts[1], parts[2], parts[3], parts[5]);
            prop_assert_eq!(srp::parse_timestamp(&padded), None);
        }
        let wrong_day = WEEKDAYS[(WEEKDAYS.iter().position(|w| *w == parts[0]).unwrap() + 1) % 7];
        let wrong = text.replacen(parts[0], wrong_day, 1);
        prop_assert_eq!(srp::parse_timestamp(&wrong), None);
    }

    /// SECRET_HASH is deterministic and changes when any one input changes.
    #[test]
    fn pitfall_25_prop_secret_hash_determinism(
        username in "\\PC{1,40}",
        other_username in "\\PC{1,40}",
        client_id in "[a-z0-9]{26}",
        other_client_id in "[a-z0-9]{26}",
        secret in "[a-z0-9]{51}",
        other_secret in "[a-z0-9]{51}",
    ) {
        let hash = srp::secret_hash(&username, &client_id, &secret);
        prop_assert_eq!(&hash, &srp::secret_hash(&username, &client_id, &secret));
        prop_assert_eq!(STANDARD.decode(&hash).map(|b| b.len()), Ok(32));
        if other_username != username {
            prop_assert_ne!(&hash, &srp::secret_hash(&other_username, &client_id, &secret));
        }
        if other_client_id != client_id {
            prop_assert_ne!(&hash, &srp::secret_hash(&username, &other_client_id, &secret));
        }
        if other_secret != secret {
            prop_assert_ne!(&hash, &srp::secret_hash(&username, &client_id, &other_secret));
        }
    }
}

proptest! {
    // Each case does several 3072-bit exponentiations.
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The device verifier is deterministic, is base64(PAD(g^x)) over the device group key,
    /// the device key and the device password, and changes when any input changes.
    #[test]
    fn pitfall_14_prop_device_verifier_determinism(
        password in proptest::array::uniform32(any::<u8>()),
        password_tail in proptest::array::uniform8(any::<u8>()),
        salt in proptest::array::uniform16(any::<u8>()),
        flip in 0usize..(40 * 8),
        group_key in "-[A-Za-z0-9]{8}",
        device_key in "us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    ) {
        let mut pw = [0u8; 40];
        pw[..32].copy_from_slice(&password);
        pw[32..].copy_from_slice(&password_tail);
        let reg = srp::register_device_with(&pw, &salt, &group_key, &device_key);
        let again = srp::register_device_with(&pw, &salt, &group_key, &device_key);
        prop_assert_eq!(&reg.verifier_b64, &again.verifier_b64);
        prop_assert_eq!(&reg.salt_b64, &again.salt_b64);
        prop_assert_eq!(reg.device_password.expose_secret(), &STANDARD.encode(pw));

        let salt_n = big(&salt);
        let v = srp::verifier(&salt_n, &group_key, &device_key, reg.device_password.expose_secret());
        prop_assert_eq!(&reg.verifier_b64, &STANDARD.encode(js_pad_hex(&v)));
        prop_assert_eq!(&reg.salt_b64, &STANDARD.encode(js_pad_hex(&salt_n)));

        let mut other_pw = pw;
        other_pw[flip / 8] ^= 1 << (flip % 8);
        let changed_pw = srp::register_device_with(&other_pw, &salt, &group_key, &device_key);
        prop_assert_ne!(&changed_pw.verifier_b64, &reg.verifier_b64);

        let mut other_salt = salt;
        other_salt[flip % 16] ^= 1 << (flip % 8);
        let changed_salt = srp::register_device_with(&pw, &other_salt, &group_key, &device_key);
        prop_assert_ne!(&changed_salt.verifier_b64, &reg.verifier_b64);
        prop_assert_ne!(&changed_salt.salt_b64, &reg.salt_b64);

        let changed_key = srp::register_device_with(&pw, &salt, &group_key, &format!("{device_key}0"));
        prop_assert_ne!(&changed_key.verifier_b64, &reg.verifier_b64);
        let changed_group = srp::register_device_with(&pw, &salt, &format!("{group_key}0"), &device_key);
        prop_assert_ne!(&changed_group.verifier_b64, &reg.verifier_b64);
    }

    /// SRP_A goes out as plain lowercase hex without leading zeros and reads back as A; the
    /// same value written with leading zeros or in upper case parses equal (known client bug docs/protocol.md#pitfall-3, docs/protocol.md#pitfall-4).
    #[test]
    fn pitfall_4_prop_srp_a_hex_round_trip(private in proptest::collection::vec(any::<u8>(), 1..128)) {
        prop_assume!(private.iter().any(|b| *b != 0));
        let eph = Ephemeral::from_private(big(&private)).expect("A is not 0 for a < N");
        let hex = eph.public_hex();
        prop_assert!(!hex.is_empty() && !hex.starts_with('0'));
        prop_assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        prop_assert_eq!(&srp::parse_hex("SRP_A", &hex).unwrap(), eph.public());
        prop_assert_eq!(&srp::parse_hex("SRP_A", &format!("000{}", hex.to_uppercase())).unwrap(), eph.public());
        prop_assert!(eph.public() < srp::modulus());
    }
}
