use super::*;
use chacha20::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn random_uint(rng: &mut ChaCha20Rng, bytes: usize) -> BigUint {
    let mut buf = vec![0u8; bytes];
    rng.fill_bytes(&mut buf);
    BigUint::from_bytes_be(&buf)
}

/// The server side of a handshake, written out independently of the client code.
struct Server {
    b: BigUint,
    big_b: BigUint,
    v: BigUint,
}

impl Server {
    fn new(rng: &mut ChaCha20Rng, v: BigUint) -> Self {
        let n = modulus();
        let b = random_uint(rng, 32);
        let big_b = (multiplier() * &v + generator().modpow(&b, n)) % n;
        Server { b, big_b, v }
    }

    fn key(&self, big_a: &BigUint) -> [u8; 16] {
        let n = modulus();
        let u = hash_u(big_a, &self.big_b);
        let s = (big_a * self.v.modpow(&u, n)).modpow(&self.b, n);
        *derive_key(&s, &u).expose_secret()
    }
}

fn hex(n: &BigUint) -> String {
    to_hex(n)
}

#[test]
fn pitfall_2_multiplier_k_hashes_minimal_encodings() {
    assert_eq!(
        to_hex(multiplier()),
        "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
    );
    assert_eq!(pad(modulus()).len(), 385);
    assert_eq!(pad(generator()), vec![2]);
}

#[test]
fn pitfall_1_pad_hex_is_minimal_twos_complement() {
    let cases: [(u32, &[u8]); 6] = [
        (0, &[0]),
        (2, &[2]),
        (0x7f, &[0x7f]),
        (0x80, &[0, 0x80]),
        (0x100, &[1, 0]),
        (0x8000, &[0, 0x80, 0]),
    ];
    for (value, expected) in cases {
        assert_eq!(pad(&BigUint::from(value)), expected, "PAD({value:#x})");
    }
    // Not a fixed-width pad to |N|: a 0x7f… value keeps its length, 0x80… gains a byte.
    let short = BigUint::parse_bytes(b"7fffffffffffffffffffffffffffffff", 16).unwrap();
    assert_eq!(pad(&short).len(), 16);
    let long = BigUint::parse_bytes(b"80000000000000000000000000000000", 16).unwrap();
    assert_eq!(pad(&long).len(), 17);
}

#[test]
fn pitfall_4_srp_a_is_plain_lowercase_hex() {
    let mut r = rng(4);
    let mut odd_seen = false;
    for _ in 0..64 {
        let eph = Ephemeral::generate(&mut r);
        let a = eph.public_hex();
        assert!(!a.starts_with('0'), "leading zero in {a}");
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_eq!(parse_hex("SRP_A", &a).unwrap(), *eph.public());
        odd_seen |= a.len() % 2 == 1;
    }
    let eph = Ephemeral::from_private(BigUint::from(1u8)).unwrap();
    assert_eq!(eph.public_hex(), "2", "odd-length hex is not padded");
    assert!(
        odd_seen,
        "an odd-length A occurs about 1 time in 16 and must not be padded"
    );
}

#[test]
fn pitfall_5_server_hex_is_validated() {
    for bad in ["", "zz", "0x12", "12 34", "+12", "-1", "1g", "é1"] {
        assert!(parse_hex("SALT", bad).is_err(), "{bad:?} accepted");
    }
    assert_eq!(parse_hex("SALT", "00Ab").unwrap(), BigUint::from(0xabu32));
    assert_eq!(
        parse_hex("SALT", &"f".repeat(2000)),
        Err(SrpError::TooLong { field: "SALT" })
    );
    let block = BASE64.encode([7u8; 32]);
    assert!(matches!(
        ServerChallenge::parse("", "02", &block),
        Err(SrpError::Empty { field: "SALT" })
    ));
    assert!(matches!(
        ServerChallenge::parse("ab", "zz", &block),
        Err(SrpError::InvalidHex { field: "SRP_B" })
    ));
}

#[test]
fn pitfall_6_server_key_zero_mod_n_is_rejected() {
    let block = BASE64.encode([1u8; 16]);
    let n = modulus();
    for b in [BigUint::ZERO, n.clone(), n * 2u8, n * 7u8] {
        assert_eq!(
            ServerChallenge::parse("abcd", &hex(&b), &block).unwrap_err(),
            SrpError::ServerKeyZero,
            "B = {}",
            hex(&b)
        );
    }
    // B = N + 1 is B ≡ 1 (mod N): accepted. u hashes PAD(B) as received, so it differs
    // from B = 1 (the reference client does the same).
    let eph = Ephemeral::from_private(BigUint::from(12345u32)).unwrap();
    let one = ServerChallenge::parse("abcd", "1", &block).unwrap();
    let n_plus_one = ServerChallenge::parse("abcd", &hex(&(n + 1u8)), &block).unwrap();
    let ts = "Tue Nov 3 07:05:22 UTC 2026";
    let a = password_claim_at(&eph, "us-east-1_Pool", "u", "p", &one, ts).unwrap();
    let b = password_claim_at(&eph, "us-east-1_Pool", "u", "p", &n_plus_one, ts).unwrap();
    assert_ne!(
        a.signature, b.signature,
        "u hashes PAD(B) as sent, so the values differ"
    );
}

#[test]
fn pitfall_3_salt_and_b_are_parsed_then_repadded() {
    let mut r = rng(3);
    let eph = Ephemeral::generate(&mut r);
    let block = BASE64.encode([9u8; 48]);
    let salt = random_uint(&mut r, 16);
    let b = random_uint(&mut r, 384) % modulus();
    let ts = "Sat Sep 5 09:03:07 UTC 2026";
    let plain = ServerChallenge::parse(&hex(&salt), &hex(&b), &block).unwrap();
    let zeros = ServerChallenge::parse(
        &format!("0000{}", hex(&salt)),
        &format!("00{}", hex(&b).to_uppercase()),
        &block,
    )
    .unwrap();
    let c1 = password_claim_at(&eph, "eu-west-1_AbC", "uid", "pw", &plain, ts).unwrap();
    let c2 = password_claim_at(&eph, "eu-west-1_AbC", "uid", "pw", &zeros, ts).unwrap();
    assert_eq!(c1.signature, c2.signature);
}

#[test]
fn pitfall_8_secret_block_is_strict_base64_and_echoed_verbatim() {
    let raw = [0xfbu8, 0xff, 0x01, 0x02, 0x03];
    let std = BASE64.encode(raw);
    assert_eq!(std, "+/8BAgM=");
    for bad in ["-_8BAgM=", "+/8BAgM", "+/8BAgM=\n", "****"] {
        assert_eq!(
            ServerChallenge::parse("ab", "cd", bad).unwrap_err(),
            SrpError::InvalidBase64 {
                field: "SECRET_BLOCK"
            },
            "{bad:?}"
        );
    }
    let ch = ServerChallenge::parse("ab", "cd", &std).unwrap();
    let eph = Ephemeral::from_private(BigUint::from(99u8)).unwrap();
    let claim =
        password_claim_at(&eph, "r_p", "u", "p", &ch, "Thu Jan 1 00:00:00 UTC 1970").unwrap();
    assert_eq!(claim.secret_block, std);
}

#[test]
fn pitfall_9_timestamp_format() {
    assert_eq!(
        format_timestamp(1_793_689_522),
        "Tue Nov 3 07:05:22 UTC 2026"
    );
    assert_eq!(format_timestamp(0), "Thu Jan 1 00:00:00 UTC 1970");
    assert_eq!(format_timestamp(86_399), "Thu Jan 1 23:59:59 UTC 1970");
    assert_eq!(
        format_timestamp(86_400),
        "Fri Jan 2 00:00:00 UTC 1970",
        "hour 00, never 24"
    );
    assert_eq!(
        format_timestamp(951_782_400),
        "Tue Feb 29 00:00:00 UTC 2000"
    );
    assert_eq!(
        format_timestamp(4_102_444_799),
        "Thu Dec 31 23:59:59 UTC 2099"
    );
    assert_eq!(
        parse_timestamp("Tue Nov 3 07:05:22 UTC 2026"),
        Some(1_793_689_522)
    );
    for bad in [
        "Tue Nov 03 07:05:22 UTC 2026",
        "Tue Nov  3 07:05:22 UTC 2026",
        "Wed Nov 3 07:05:22 UTC 2026",
        "Tue Nov 3 24:05:22 UTC 2026",
        "Tue Nov 3 7:05:22 UTC 2026",
        "Tue Nov 3 07:05:22 GMT 2026",
        "tue Nov 3 07:05:22 UTC 2026",
        "Tue Nov 31 07:05:22 UTC 2026",
        "Tue Nov 3 07:05:22 UTC 2026 ",
        "",
    ] {
        assert_eq!(parse_timestamp(bad), None, "{bad:?}");
    }
}

#[test]
fn timestamp_round_trips_every_day_1970_to_2100() {
    let mut secs = 0u64;
    let end = 4_133_980_800; // 2101-01-01
    let mut r = rng(9);
    while secs < end {
        let t = secs + r.next_u64() % 86_400;
        let text = format_timestamp(t);
        assert_eq!(parse_timestamp(&text), Some(t), "{text}");
        secs += 86_400;
    }
}

#[test]
fn pitfall_25_secret_hash_matches_an_independent_hmac() {
    // Expected values computed with Python's hmac module.
    assert_eq!(
        secret_hash("alice", "client42", "secret123"),
        "CcgH8xkXjCRw8T+72S+728tpj+3XQhJus8O3DafY3oM="
    );
    assert_eq!(
        secret_hash("用户", "abc", "sëcret"),
        "bzhFTbEeP26+vblZ0Lr3EzcbP0ZPM4aJjKRQpR4u7sM="
    );
}

#[test]
fn client_and_server_derive_the_same_key_for_random_logins() {
    let mut r = rng(42);
    for i in 0..24 {
        let salt = random_uint(&mut r, 16);
        let password = format!("pässwörd-{i}-{}", r.next_u32());
        let uid = format!("user-{i}@example.com");
        let v = verifier(&salt, "AbC123xyz", &uid, &password);
        let server = Server::new(&mut r, v);
        let eph = Ephemeral::generate(&mut r);
        let mut block = vec![0u8; 64];
        r.fill_bytes(&mut block);
        let ch = ServerChallenge::parse(&hex(&salt), &hex(&server.big_b), &BASE64.encode(&block))
            .unwrap();
        let ts = "Tue Nov 3 07:05:22 UTC 2026";
        let claim =
            password_claim_at(&eph, "us-east-1_AbC123xyz", &uid, &password, &ch, ts).unwrap();
        let server_key = server.key(eph.public());
        assert_eq!(claim.key().expose_secret(), &server_key);
        assert_eq!(
            claim.signature,
            claim_signature(&server_key, "AbC123xyz", &uid, &block, ts)
        );
        let wrong = password_claim_at(&eph, "us-east-1_AbC123xyz", &uid, "wrong", &ch, ts).unwrap();
        assert_ne!(wrong.signature, claim.signature);
    }
}

#[test]
fn pitfall_7_signature_binds_user_id_for_srp() {
    let mut r = rng(7);
    let salt = random_uint(&mut r, 16);
    let uid = "8c9e6f2a-1b3d-4c5e-9f70-123456789abc";
    let server = Server::new(&mut r, verifier(&salt, "Pool", uid, "pw"));
    let eph = Ephemeral::generate(&mut r);
    let ch = ServerChallenge::parse(&hex(&salt), &hex(&server.big_b), "AAAA").unwrap();
    let ts = "Mon Jan 15 14:30:05 UTC 2024";
    let right = password_claim_at(&eph, "x_Pool", uid, "pw", &ch, ts).unwrap();
    let alias = password_claim_at(&eph, "x_Pool", "alice@example.com", "pw", &ch, ts).unwrap();
    assert_eq!(right.key().expose_secret(), &server.key(eph.public()));
    assert_ne!(alias.key().expose_secret(), &server.key(eph.public()));
}

#[test]
fn pitfall_14_device_srp_uses_group_key_device_key_and_device_password() {
    let mut r = rng(14);
    let (dgk, dk) = (
        "-v7w9UcY6",
        "us-east-1_0f6c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
    );
    let reg = register_device(&mut r, dgk, dk);
    assert_eq!(
        BASE64
            .decode(reg.device_password.expose_secret())
            .unwrap()
            .len(),
        40
    );
    let salt = BigUint::from_bytes_be(&BASE64.decode(&reg.salt_b64).unwrap());
    let v = BigUint::from_bytes_be(&BASE64.decode(&reg.verifier_b64).unwrap());
    assert_eq!(BASE64.decode(&reg.verifier_b64).unwrap(), pad(&v));
    let server = Server::new(&mut r, v);
    let eph = Ephemeral::generate(&mut r);
    let ch = ServerChallenge::parse(&hex(&salt), &hex(&server.big_b), "c2VjcmV0").unwrap();
    let ts = "Sat Sep 5 09:03:07 UTC 2026";
    let claim =
        device_claim_at(&eph, dgk, dk, reg.device_password.expose_secret(), &ch, ts).unwrap();
    let key = server.key(eph.public());
    assert_eq!(
        claim.signature,
        claim_signature(&key, dgk, dk, b"secret", ts)
    );
    // A verifier built with the username instead of the device key (the .NET bug) fails.
    let wrong = verifier(&salt, dgk, "alice", reg.device_password.expose_secret());
    assert_ne!(wrong, server.v);
}

#[test]
fn secrets_are_redacted_in_debug() {
    let mut r = rng(1);
    let eph = Ephemeral::generate(&mut r);
    let reg = register_device(&mut r, "-g", "r_d");
    let text = format!("{eph:?} {reg:?}");
    assert!(!text.contains(&to_hex(eph.a.expose_secret())));
    assert!(!text.contains(reg.device_password.expose_secret().as_str()));
    assert!(text.contains("[redacted]"));
}

#[test]
fn pool_name_requires_region_and_name() {
    assert_eq!(pool_name("eu-west-1_AbC123xyz"), Ok("AbC123xyz"));
    assert_eq!(pool_name("a_b_c"), Ok("b_c"));
    for bad in ["", "_x", "x_", "nounderscore"] {
        assert_eq!(pool_name(bad), Err(SrpError::InvalidPoolId));
    }
}
