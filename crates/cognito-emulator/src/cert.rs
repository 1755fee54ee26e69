//! A minimal DER writer for the one certificate the emulator hands out: a self-signed
//! X.509 v3 certificate of a pool's RSA key (`GetSigningCertificate`).

/// A DER element: tag, definite length, contents.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// An unsigned INTEGER from big-endian bytes (a leading zero keeps it positive).
fn uint(be: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = be.iter().copied().skip_while(|b| *b == 0).collect();
    let mut v = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        v.push(0);
    }
    v.extend_from_slice(&trimmed);
    tlv(0x02, &v)
}

fn oid(encoded: &[u8]) -> Vec<u8> {
    tlv(0x06, encoded)
}

const NULL: [u8; 2] = [0x05, 0x00];
/// 1.2.840.113549.1.1.1 rsaEncryption
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// 1.2.840.113549.1.1.11 sha256WithRSAEncryption
const SHA256_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
/// 2.5.4.3 commonName
const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];

fn name(cn: &str) -> Vec<u8> {
    let atv = seq(&[oid(COMMON_NAME), tlv(0x0c, cn.as_bytes())]);
    seq(&[tlv(0x31, &atv)])
}

/// A UTCTime (years 1950–2049) or GeneralizedTime for an epoch second.
fn time(epoch: u64) -> Vec<u8> {
    let days = (epoch / 86_400) as i64;
    let secs = epoch % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let hms = format!("{:02}{:02}{:02}Z", secs / 3600, secs / 60 % 60, secs % 60);
    if (1950..2050).contains(&y) {
        tlv(0x17, format!("{:02}{m:02}{d:02}{hms}", y % 100).as_bytes())
    } else {
        tlv(0x18, format!("{y:04}{m:02}{d:02}{hms}").as_bytes())
    }
}

/// A self-signed certificate of the RSA key `(n, e)`; `sign` signs the to-be-signed part
/// with the matching private key (PKCS #1 v1.5, SHA-256).
pub(crate) fn self_signed(
    n: &[u8],
    e: &[u8],
    common_name: &str,
    not_before: u64,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    let alg = seq(&[oid(SHA256_WITH_RSA), NULL.to_vec()]);
    let public = seq(&[uint(n), uint(e)]);
    let mut bits = vec![0u8];
    bits.extend_from_slice(&public);
    let spki = seq(&[seq(&[oid(RSA_ENCRYPTION), NULL.to_vec()]), tlv(0x03, &bits)]);
    let serial = {
        use sha2::Digest;
        let h = sha2::Sha256::digest(n);
        uint(&h[..16])
    };
    let tbs = seq(&[
        tlv(0xa0, &uint(&[2])),
        serial,
        alg.clone(),
        name(common_name),
        seq(&[time(not_before), time(not_before + 10 * 365 * 86_400)]),
        name(common_name),
        spki,
    ]);
    let sig = sign(&tbs)?;
    let mut sig_bits = vec![0u8];
    sig_bits.extend_from_slice(&sig);
    Ok(seq(&[tbs, alg, tlv(0x03, &sig_bits)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_lengths_encode_as_der() {
        assert_eq!(time(0), tlv(0x17, b"700101000000Z"));
        assert_eq!(time(951_782_400), tlv(0x17, b"000229000000Z"));
        assert_eq!(time(2_524_608_000), tlv(0x18, b"20500101000000Z"));
        assert_eq!(&tlv(0x04, &[0; 200])[..3], &[0x04, 0x81, 200]);
        assert_eq!(&tlv(0x04, &[0; 300])[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(uint(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![0x02, 0x01, 0x05]);
    }
}
