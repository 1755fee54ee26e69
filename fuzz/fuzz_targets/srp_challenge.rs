//! SALT / SRP_B / SECRET_BLOCK from a hostile server: parsing never panics, a rejected value
//! never yields a signature, and an accepted one always yields a well-formed claim that does
//! not depend on how the hex was written (case, leading zeros).
#![no_main]

use arbitrary::Arbitrary;
use base64::Engine as _;
use cognito_proto::srp::{self, Ephemeral, ServerChallenge, SrpError};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    salt: &'a str,
    srp_b: &'a str,
    secret_block: &'a str,
    user: &'a str,
    password: &'a str,
    a: u64,
}

fuzz_target!(|input: Input<'_>| {
    let eph = match Ephemeral::from_private(BigUint::from(input.a)) {
        Ok(eph) => eph,
        Err(_) => return,
    };
    let parsed = ServerChallenge::parse(input.salt, input.srp_b, input.secret_block);
    let Ok(challenge) = parsed else {
        // Rejections are the typed errors, and only for input that is really wrong.
        match parsed.unwrap_err() {
            SrpError::Empty { .. }
            | SrpError::InvalidHex { .. }
            | SrpError::TooLong { .. }
            | SrpError::InvalidBase64 { .. }
            | SrpError::ServerKeyZero => {}
            other => panic!("unexpected rejection {other:?}"),
        }
        return;
    };
    let ts = "Tue Nov 3 07:05:22 UTC 2026";
    let claim = match srp::password_claim_at(&eph, "us-east-1_Fuzz", input.user, input.password, &challenge, ts) {
        Ok(claim) => claim,
        Err(SrpError::ScramblerZero) => return,
        Err(other) => panic!("accepted challenge failed later: {other:?}"),
    };
    assert_eq!(claim.signature.len(), 44);
    assert!(base64::engine::general_purpose::STANDARD.decode(&claim.signature).is_ok());
    assert_eq!(claim.secret_block, input.secret_block);
    // The same integers written differently sign identically.
    let respelled = ServerChallenge::parse(
        &format!("0{}", input.salt.to_ascii_uppercase()),
        &format!("00{}", input.srp_b.to_ascii_lowercase()),
        input.secret_block,
    );
    if let Ok(respelled) = respelled {
        let again = srp::password_claim_at(&eph, "us-east-1_Fuzz", input.user, input.password, &respelled, ts)
            .expect("same values");
        assert_eq!(again.signature, claim.signature);
    }
});
