//! Identifiers, randomness, encodings and masking.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::cell::RefCell;

use chacha20::ChaCha20Rng;
use rand::Rng;

/// The seeded generator of a deterministic emulator (copyable, so a forked state continues
/// the same sequence).
pub(crate) struct SeededRng(ChaCha20Rng);

impl SeededRng {
    pub(crate) fn new(seed: u64) -> SeededRng {
        SeededRng(<ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(seed))
    }
}

impl Clone for SeededRng {
    fn clone(&self) -> Self {
        SeededRng(ChaCha20Rng::deserialize_state(&self.0.serialize_state()))
    }
}

/// Runs `f`, which may block (a Lambda trigger's call, RSA key generation, the data
/// directory's commit, a `delay` fault). The HTTP server runs requests directly on the worker
/// threads of a multi-thread runtime (`server::handle`), so there `f` first hands the
/// worker's other tasks to another thread (`block_in_place`): a trigger served by the same
/// runtime, or any other connection, keeps being served meanwhile. Anywhere else (the blocking
/// pool, a current-thread runtime's blocking pool, no runtime at all) it simply runs.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current() {
        Ok(h) if h.runtime_flavor() == RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => f(),
    }
}

thread_local! {
    /// The seeded generator of a deterministic emulator, installed on this thread while its
    /// state lock is held (see `crate::StateGuard`); without one, randomness comes from the OS.
    static SCOPED_RNG: RefCell<Option<SeededRng>> = const { RefCell::new(None) };
}

/// Makes `rng` the source of every random value drawn on this thread until [`take_rng`].
pub(crate) fn install_rng(rng: SeededRng) {
    SCOPED_RNG.with(|r| *r.borrow_mut() = Some(rng));
}

/// Removes the generator [`install_rng`] installed (with its advanced state).
pub(crate) fn take_rng() -> Option<SeededRng> {
    SCOPED_RNG.with(|r| r.borrow_mut().take())
}

/// Fills `buf` from the installed seeded generator, or from the OS.
pub(crate) fn fill_random(buf: &mut [u8]) {
    SCOPED_RNG.with(|r| match r.borrow_mut().as_mut() {
        Some(rng) => rng.0.fill_bytes(buf),
        None => rand::rng().fill_bytes(buf),
    })
}

pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    fill_random(&mut v);
    v
}

pub(crate) fn uuid() -> String {
    let mut b = [0u8; 16];
    fill_random(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 0x0f)]));
    }
    out
}

fn random_from(alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| {
            // Rejection sampling keeps the distribution uniform.
            loop {
                let mut b = [0u8; 1];
                fill_random(&mut b);
                let limit = 256 - (256 % alphabet.len());
                if (b[0] as usize) < limit {
                    return alphabet[b[0] as usize % alphabet.len()] as char;
                }
            }
        })
        .collect()
}

const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

pub(crate) fn pool_id(region: &str) -> String {
    format!("{region}_{}", random_from(ALNUM, 9))
}
pub(crate) fn client_id() -> String {
    random_from(LOWER_ALNUM, 26)
}
pub(crate) fn client_secret() -> String {
    random_from(LOWER_ALNUM, 51)
}
pub(crate) fn device_group_key() -> String {
    format!("-{}", random_from(ALNUM, 8))
}
pub(crate) fn six_digits() -> String {
    random_from(b"0123456789", 6)
}
pub(crate) fn session_token() -> String {
    format!("AYABe{}", STANDARD.encode(random_bytes(150)))
}
pub(crate) fn opaque_refresh_token() -> String {
    // The five-segment JWE shape of real refresh tokens; the content is random.
    let header = URL_SAFE_NO_PAD.encode(br#"{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}"#);
    format!(
        "{header}.{}.{}.{}.{}",
        URL_SAFE_NO_PAD.encode(random_bytes(256)),
        URL_SAFE_NO_PAD.encode(random_bytes(12)),
        URL_SAFE_NO_PAD.encode(random_bytes(600)),
        URL_SAFE_NO_PAD.encode(random_bytes(16))
    )
}

/// Masks an e-mail address as AWS's `CodeDeliveryDetails.Destination` does: the first
/// character of the local part and of the domain, each followed by `***` (`a***@e***` for
/// `alice@example.com`; the top-level domain is not shown).
pub(crate) fn mask_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let l = local.chars().next().map(String::from).unwrap_or_default();
            let d = domain.chars().next().map(String::from).unwrap_or_default();
            format!("{l}***@{d}***")
        }
        None => "***".to_string(),
    }
}

/// `+*******1234` style masking of a phone number.
pub(crate) fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.trim_start_matches('+').chars().collect();
    let keep = digits.len().min(4);
    let tail: String = digits[digits.len() - keep..].iter().collect();
    format!("+{}{tail}", "*".repeat(digits.len() - keep))
}

/// RFC 4648 base32 without padding.
pub(crate) fn base32_encode(data: &[u8]) -> String {
    const A: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for &b in data {
        buf = (buf << 8) | u64::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(A[((buf >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// RFC 4648 base32 decoding (padding and case tolerated).
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buf: u64 = 0;
    let mut bits = 0u32;
    for c in s.chars() {
        if c == '=' {
            continue;
        }
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trip_rfc4648_vectors() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW6YQ=").unwrap(), b"foob");
        assert!(base32_decode("1!").is_none());
    }

    #[test]
    fn masks() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(mask_email("t@mail.example.co.uk"), "t***@m***");
        assert_eq!(mask_email("no-at-sign"), "***");
        assert_eq!(mask_phone("+15551234567"), "+*******4567");
        assert_eq!(mask_phone("+447700900123"), "+********0123");
        assert_eq!(mask_phone("+12"), "+12");
    }

    #[test]
    fn uuid_shape() {
        for _ in 0..100 {
            let u = uuid();
            assert_eq!(u.len(), 36);
            let groups: Vec<&str> = u.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(
                u.chars()
                    .all(|c| c == '-' || matches!(c, '0'..='9' | 'a'..='f'))
            );
            assert_eq!(&u[14..15], "4");
            assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        }
    }
}
