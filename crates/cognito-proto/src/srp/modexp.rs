//! Modular exponentiation in the fixed SRP group: the 3072-bit prime `N` of RFC 5054
//! (Appendix A) with generator `g = 2`.
//!
//! A Cognito login spends nearly all of its CPU time in three powers modulo `N`:
//! `A = g^a` (a 1024-bit `a`), `g^x` (a 256-bit `x`) and `S = base^(a + u·x)` (a ~1025-bit
//! exponent with a variable base). `num-bigint`'s general `modpow` does each with heap-allocated
//! numbers of any size; this module does them with fixed-size arithmetic specialised to `N`:
//!
//! * **Representation.** Numbers below `N` are `[u64; 48]` arrays, least significant limb first,
//!   kept in Montgomery form `x·R mod N` with `R = 2^3072`. Nothing is allocated in the inner
//!   loops.
//! * **Montgomery multiplication** ([`mont_mul`]): the full 96-limb product followed by a
//!   word-by-word Montgomery reduction ([`redc`]). Squaring ([`mont_sqr`]) computes each cross
//!   product once and doubles them, which saves about a quarter of the work of a multiplication.
//!   `N ≡ -1 (mod 2^64)`, so the per-word reduction factor `-N^-1 mod 2^64` is 1; the code still
//!   computes it ([`N0_INV`]) rather than assuming it.
//! * **Variable base** ([`pow_mod_n`]): left-to-right sliding-window exponentiation over a table
//!   of odd powers, with the window width chosen from the exponent length.
//! * **Fixed base `g`** ([`pow_g`]): a comb (Lim–Lee fixed-base method). The exponent, up to
//!   [`COMB_CAPACITY`] bits, is cut into four 256-bit chunks, each read as an 8×32 bit matrix.
//!   Tables hold, for every chunk and every 8-bit column pattern `s`, the product
//!   `∏ g^(2^(256·chunk + 32·row))` over the rows set in `s`. A power then costs 31 squarings and
//!   up to 128 multiplications instead of ~1024 squarings. The tables (4 × 256 entries, 384 KiB)
//!   are built once, lazily, on first use, in a [`OnceLock`].
//! * **Longer exponents for `g`** use `g = 2` directly: multiplying by `2^d` (d < 64) is a shift
//!   and a one-limb reduction, so a left-to-right fixed-window power costs one squaring per
//!   exponent bit and almost nothing else.
//!
//! The code is not constant-time (neither is `num-bigint`'s `modpow`, nor the reference
//! JavaScript client): the sequence of operations and the table entries read depend on the
//! exponent bits.
//!
//! Every function is checked against `num-bigint`'s `modpow` in the tests at the bottom.

use std::sync::OnceLock;

use num_bigint::BigUint;
use zeroize::Zeroize;

/// Number of 64-bit limbs in a residue modulo `N`.
const LIMBS: usize = 48;

/// A residue modulo `N`, least significant limb first.
type Limbs = [u64; LIMBS];

/// A double-width product, least significant limb first.
type Wide = [u64; 2 * LIMBS];

/// `N` in hexadecimal (RFC 5054 Appendix A, 3072-bit group).
const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// The modulus `N` as limbs.
const N: Limbs = parse_hex_limbs(N_HEX);

/// `-N^-1 mod 2^64`, the factor of one Montgomery reduction step.
const N0_INV: u64 = neg_inv_u64(N[0]);

/// `R mod N = 2^3072 - N` (as `2^3071 < N < 2^3072`): the Montgomery form of 1.
const ONE: Limbs = r_mod_n();

/// Exponents of `g` up to this many bits use the comb tables; longer ones use the shift method.
const COMB_CAPACITY: u64 = (COMB_CHUNKS * COMB_TEETH * COMB_SPACING) as u64;

/// Number of 256-bit exponent chunks the comb covers (one table each).
const COMB_CHUNKS: usize = 4;
/// Rows ("teeth") per chunk: a table has `2^COMB_TEETH` entries.
const COMB_TEETH: usize = 8;
/// Columns per chunk: the number of squarings of one fixed-base power, plus one.
const COMB_SPACING: usize = 32;
/// Window width of the shift method for long exponents of `g`: digits stay below 64.
const SHIFT_WINDOW: u64 = 6;

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/// `g^exp mod N` with `g = 2`, for an exponent of any size (0 gives 1).
pub fn pow_g(exp: &BigUint) -> BigUint {
    let mut digits = exp.to_u64_digits();
    let bits = exp.bits();
    let mut acc = if bits == 0 {
        ONE
    } else if bits <= COMB_CAPACITY {
        comb().pow(&digits)
    } else {
        pow2_shift(&digits, bits)
    };
    digits.zeroize();
    let out = from_mont(&acc);
    acc.zeroize();
    limbs_to_biguint(&out)
}

/// `base^exp mod N` for any base and any exponent size (0 gives 1, also for a zero base).
///
/// The base is expected to be already reduced below `N` (as the SRP code guarantees); a larger
/// base is reduced first.
pub fn pow_mod_n(base: &BigUint, exp: &BigUint) -> BigUint {
    let bits = exp.bits();
    if bits == 0 {
        return BigUint::from(1u32);
    }
    let mut b = if base < crate::srp::modulus() {
        biguint_to_limbs(base)
    } else {
        biguint_to_limbs(&(base % crate::srp::modulus()))
    };
    let mut digits = exp.to_u64_digits();
    let mut b_mont = to_mont(&b);
    let mut acc = pow_sliding(&b_mont, &digits, bits);
    let out = from_mont(&acc);
    b.zeroize();
    b_mont.zeroize();
    digits.zeroize();
    acc.zeroize();
    limbs_to_biguint(&out)
}

// ---------------------------------------------------------------------------------------------
// Constants computed at compile time
// ---------------------------------------------------------------------------------------------

/// Parses exactly `16 * LIMBS` hexadecimal digits into limbs (compile time only).
const fn parse_hex_limbs(hex: &str) -> Limbs {
    let bytes = hex.as_bytes();
    assert!(bytes.len() == 16 * LIMBS, "N must have 768 hex digits");
    let mut out = [0u64; LIMBS];
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[bytes.len() - 1 - i];
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        };
        out[i / 16] |= (v as u64) << (4 * (i % 16));
        i += 1;
    }
    out
}

/// `-n^-1 mod 2^64` for odd `n`, by Newton iteration (each step doubles the correct bits).
const fn neg_inv_u64(n: u64) -> u64 {
    assert!(n & 1 == 1, "the modulus must be odd");
    let mut inv: u64 = 1; // correct to 1 bit
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(n.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg()
}

/// `2^3072 mod N`, valid because the top bit of `N` is set (so `R - N < N`).
const fn r_mod_n() -> Limbs {
    assert!(N[LIMBS - 1] >> 63 == 1, "N must have its top bit set");
    // Two's complement of N over 3072 bits.
    let mut out = [0u64; LIMBS];
    let mut carry = 1u64;
    let mut i = 0;
    while i < LIMBS {
        let (v, c) = (!N[i]).overflowing_add(carry);
        out[i] = v;
        carry = c as u64;
        i += 1;
    }
    out
}

/// `R^2 mod N`, the factor that converts into Montgomery form (built once, by doubling).
fn r2() -> &'static Limbs {
    static R2: OnceLock<Limbs> = OnceLock::new();
    R2.get_or_init(|| {
        // ONE = R mod N; doubling it 3072 times gives R * 2^3072 = R^2 (mod N).
        let mut x = ONE;
        for _ in 0..64 * LIMBS {
            x = mul_pow2(&x, 1);
        }
        x
    })
}

// ---------------------------------------------------------------------------------------------
// Limb arithmetic
// ---------------------------------------------------------------------------------------------

/// `a * b + c + carry` as (low, high) words; never overflows 128 bits.
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) * (b as u128) + (c as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `a + b + carry` as (sum, carry out).
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `x >= N`.
#[inline]
fn geq_n(x: &Limbs) -> bool {
    for i in (0..LIMBS).rev() {
        if x[i] != N[i] {
            return x[i] > N[i];
        }
    }
    true
}

/// `x -= N` (wrapping; the caller knows the true value is at least `N`).
#[inline]
fn sub_n(x: &mut Limbs) {
    let mut borrow = false;
    for (xi, ni) in x.iter_mut().zip(N.iter()) {
        let (d, b1) = xi.overflowing_sub(*ni);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        *xi = d;
        borrow = b1 | b2;
    }
}

/// Reduces `x + carry·2^3072`, known to be below `2N`, into `[0, N)`.
#[inline]
fn final_sub(mut x: Limbs, carry: u64) -> Limbs {
    if carry != 0 || geq_n(&x) {
        sub_n(&mut x);
    }
    x
}

/// Full product `a·b` (schoolbook, 48×48 limbs).
#[inline]
fn mul_wide(a: &Limbs, b: &Limbs) -> Wide {
    let mut t = [0u64; 2 * LIMBS];
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = 0;
        let row = &mut t[i..i + LIMBS];
        for (tj, &bj) in row.iter_mut().zip(b.iter()) {
            (*tj, carry) = mac(ai, bj, *tj, carry);
        }
        t[i + LIMBS] = carry;
    }
    t
}

/// Full square `a²`: every cross product `a_i·a_j` (i < j) once, doubled, plus the squares.
#[inline]
fn sqr_wide(a: &Limbs) -> Wide {
    let mut t = [0u64; 2 * LIMBS];
    // Cross products.
    for i in 0..LIMBS - 1 {
        let ai = a[i];
        let mut carry = 0;
        let row = &mut t[2 * i + 1..i + LIMBS];
        for (tj, &aj) in row.iter_mut().zip(a[i + 1..].iter()) {
            (*tj, carry) = mac(ai, aj, *tj, carry);
        }
        t[i + LIMBS] = carry;
    }
    // Double them (shift left by one bit) ...
    let mut hi = 0;
    for w in t.iter_mut() {
        let next = *w >> 63;
        *w = (*w << 1) | hi;
        hi = next;
    }
    // ... and add the diagonal squares a_i².
    let mut carry = 0;
    for (i, &ai) in a.iter().enumerate() {
        let sq = (ai as u128) * (ai as u128);
        (t[2 * i], carry) = adc(t[2 * i], sq as u64, carry);
        (t[2 * i + 1], carry) = adc(t[2 * i + 1], (sq >> 64) as u64, carry);
    }
    t
}

/// Montgomery reduction: `t · R^-1 mod N` for `t < N·R`.
#[inline]
fn redc(t: &mut Wide) -> Limbs {
    let mut hi_carry = 0;
    for i in 0..LIMBS {
        let m = t[i].wrapping_mul(N0_INV);
        let mut carry = 0;
        let row = &mut t[i..i + LIMBS];
        for (tj, &nj) in row.iter_mut().zip(N.iter()) {
            (*tj, carry) = mac(m, nj, *tj, carry);
        }
        (t[i + LIMBS], hi_carry) = adc(t[i + LIMBS], carry, hi_carry);
    }
    let mut out = [0u64; LIMBS];
    out.copy_from_slice(&t[LIMBS..]);
    // (t + m·N) / R < (N·R + R·N) / R = 2N.
    final_sub(out, hi_carry)
}

/// Montgomery product `a·b·R^-1 mod N` of two residues in Montgomery form.
#[inline]
fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    let mut t = mul_wide(a, b);
    let out = redc(&mut t);
    t.zeroize();
    out
}

/// Montgomery square `a²·R^-1 mod N`.
#[inline]
fn mont_sqr(a: &Limbs) -> Limbs {
    let mut t = sqr_wide(a);
    let out = redc(&mut t);
    t.zeroize();
    out
}

/// `x·2^d mod N` for `x < N` and `d < 64`: a shift, then the bits above 2^3072 folded back in
/// with `2^3072 ≡ R - N (mod N)`. Works the same for plain and Montgomery-form residues.
fn mul_pow2(x: &Limbs, d: u32) -> Limbs {
    debug_assert!(d < 64);
    if d == 0 {
        return *x;
    }
    let mut y = [0u64; LIMBS];
    let top = x[LIMBS - 1] >> (64 - d);
    y[0] = x[0] << d;
    for i in 1..LIMBS {
        y[i] = (x[i] << d) | (x[i - 1] >> (64 - d));
    }
    // y + top·2^3072 ≡ y + top·(R mod N). top < 2^63 and R mod N < 2^3007, so the sum is below
    // 2^3072 + 2^3070: at most one more carry, folded in the same way.
    let mut carry = fold_top(&mut y, top);
    while carry != 0 {
        carry = fold_top(&mut y, carry);
    }
    if geq_n(&y) {
        sub_n(&mut y);
    }
    y
}

/// `y += k·(R mod N)`, returning the carry out of 2^3072.
#[inline]
fn fold_top(y: &mut Limbs, k: u64) -> u64 {
    let mut carry = 0;
    for (yi, &ri) in y.iter_mut().zip(ONE.iter()) {
        (*yi, carry) = mac(k, ri, *yi, carry);
    }
    carry
}

/// Into Montgomery form: `x·R mod N`.
#[inline]
fn to_mont(x: &Limbs) -> Limbs {
    mont_mul(x, r2())
}

/// Out of Montgomery form: `x·R^-1 mod N`.
#[inline]
fn from_mont(x: &Limbs) -> Limbs {
    let mut t = [0u64; 2 * LIMBS];
    t[..LIMBS].copy_from_slice(x);
    let out = redc(&mut t);
    t.zeroize();
    out
}

/// Limbs of `x < 2^3072` (the caller reduces first).
fn biguint_to_limbs(x: &BigUint) -> Limbs {
    let mut out = [0u64; LIMBS];
    for (o, d) in out.iter_mut().zip(x.iter_u64_digits()) {
        *o = d;
    }
    out
}

/// The `BigUint` of a limb array.
fn limbs_to_biguint(x: &Limbs) -> BigUint {
    let mut words: Vec<u32> = Vec::with_capacity(2 * LIMBS);
    for &l in x {
        words.push(l as u32);
        words.push((l >> 32) as u32);
    }
    BigUint::new(words)
}

/// `len ≤ 64` bits of the exponent starting at bit `pos`; bits beyond its end read as 0.
#[inline]
fn bits_at(e: &[u64], pos: u64, len: u64) -> u64 {
    debug_assert!((1..=64).contains(&len));
    let limb = (pos / 64) as usize;
    let shift = pos % 64;
    let lo = e.get(limb).copied().unwrap_or(0) >> shift;
    let hi = if shift == 0 {
        0
    } else {
        e.get(limb + 1).copied().unwrap_or(0) << (64 - shift)
    };
    let v = lo | hi;
    if len == 64 {
        v
    } else {
        v & ((1u64 << len) - 1)
    }
}

/// Bit `pos` of the exponent.
#[inline]
fn bit(e: &[u64], pos: u64) -> bool {
    e.get((pos / 64) as usize)
        .is_some_and(|l| (l >> (pos % 64)) & 1 == 1)
}

// ---------------------------------------------------------------------------------------------
// Exponentiation
// ---------------------------------------------------------------------------------------------

/// Sliding-window width for an exponent of `bits` bits: minimises squarings + table set-up +
/// about `bits / (w + 1)` multiplications.
fn window_width(bits: u64) -> u64 {
    match bits {
        0..=24 => 1,
        25..=80 => 3,
        81..=240 => 4,
        241..=672 => 5,
        673..=1792 => 6,
        _ => 7,
    }
}

/// `b^e` in Montgomery form, for `b` in Montgomery form and an exponent `e` of `bits > 0` bits.
fn pow_sliding(b: &Limbs, e: &[u64], bits: u64) -> Limbs {
    let w = window_width(bits);
    // table[i] = b^(2i + 1)
    let mut table: Vec<Limbs> = Vec::with_capacity(1 << (w - 1));
    table.push(*b);
    if w > 1 {
        let mut b2 = mont_sqr(b);
        for i in 1..(1usize << (w - 1)) {
            let next = mont_mul(&table[i - 1], &b2);
            table.push(next);
        }
        b2.zeroize();
    }
    let mut acc: Option<Limbs> = None;
    let mut i = bits; // number of exponent bits not yet processed
    while i > 0 {
        if !bit(e, i - 1) {
            if let Some(a) = acc.as_mut() {
                *a = mont_sqr(a);
            }
            i -= 1;
            continue;
        }
        // Longest window [j, i) of at most w bits that ends in a set bit.
        let mut j = i.saturating_sub(w);
        while !bit(e, j) {
            j += 1;
        }
        let len = i - j;
        let digit = bits_at(e, j, len) as usize; // odd
        let entry = &table[digit >> 1];
        acc = Some(match acc {
            None => *entry,
            Some(mut a) => {
                for _ in 0..len {
                    a = mont_sqr(&a);
                }
                mont_mul(&a, entry)
            }
        });
        i = j;
    }
    for t in table.iter_mut() {
        t.zeroize();
    }
    // `bits > 0` means the top bit is set, so the loop assigned `acc`.
    acc.unwrap_or(ONE)
}

/// `2^e` in Montgomery form by left-to-right fixed windows of [`SHIFT_WINDOW`] bits: per window,
/// that many squarings and one multiplication by `2^digit`, which is a shift.
fn pow2_shift(e: &[u64], bits: u64) -> Limbs {
    let mut acc = ONE;
    let mut first = true;
    let mut i = bits;
    // The top window takes the remainder so that the others are aligned.
    let mut len = match bits % SHIFT_WINDOW {
        0 => SHIFT_WINDOW,
        r => r,
    };
    while i > 0 {
        let digit = bits_at(e, i - len, len) as u32;
        if !first {
            for _ in 0..len {
                acc = mont_sqr(&acc);
            }
        }
        acc = mul_pow2(&acc, digit);
        first = false;
        i -= len;
        len = SHIFT_WINDOW;
    }
    acc
}

/// Fixed-base comb tables for `g = 2` (see the module documentation).
struct Comb {
    /// `table[chunk * 256 + s]` = `∏_{row in s} g^(2^(256·chunk + 32·row))`, Montgomery form.
    table: Box<[Limbs]>,
}

/// The comb tables, built on first use.
fn comb() -> &'static Comb {
    static COMB: OnceLock<Comb> = OnceLock::new();
    COMB.get_or_init(Comb::build)
}

impl Comb {
    /// Builds the tables: 32 bases `g^(2^(32·i))` by repeated squaring, then every subset
    /// product of each chunk's 8 bases (one multiplication per entry).
    fn build() -> Comb {
        let per_table = 1usize << COMB_TEETH;
        let mut bases: Vec<Limbs> = Vec::with_capacity(COMB_CHUNKS * COMB_TEETH);
        let mut g = mul_pow2(&ONE, 1); // 2 in Montgomery form
        for _ in 0..COMB_CHUNKS * COMB_TEETH {
            bases.push(g);
            for _ in 0..COMB_SPACING {
                g = mont_sqr(&g);
            }
        }
        let mut table = vec![ONE; COMB_CHUNKS * per_table].into_boxed_slice();
        for chunk in 0..COMB_CHUNKS {
            let t = &mut table[chunk * per_table..(chunk + 1) * per_table];
            for s in 1..per_table {
                let top = usize::BITS - 1 - s.leading_zeros(); // highest row in s
                let rest = s & !(1 << top);
                let base = &bases[chunk * COMB_TEETH + top as usize];
                t[s] = if rest == 0 {
                    *base
                } else {
                    mont_mul(&t[rest], base)
                };
            }
        }
        Comb { table }
    }

    /// `g^e` in Montgomery form for `0 < e < 2^COMB_CAPACITY`.
    fn pow(&self, e: &[u64]) -> Limbs {
        let per_table = 1usize << COMB_TEETH;
        let chunk_bits = (COMB_TEETH * COMB_SPACING) as u64;
        let bits = e.len() as u64 * 64; // an upper bound; bits_at reads zeros past the end
        let chunks = (bits.div_ceil(chunk_bits) as usize).min(COMB_CHUNKS);
        let mut acc: Option<Limbs> = None;
        for col in (0..COMB_SPACING as u64).rev() {
            if let Some(a) = acc.as_mut() {
                *a = mont_sqr(a);
            }
            for chunk in 0..chunks {
                let base = chunk as u64 * chunk_bits + col;
                let mut s = 0usize;
                for row in 0..COMB_TEETH as u64 {
                    s |= (bit(e, base + row * COMB_SPACING as u64) as usize) << row;
                }
                if s != 0 {
                    let entry = &self.table[chunk * per_table + s];
                    acc = Some(match acc {
                        None => *entry,
                        Some(a) => mont_mul(&a, entry),
                    });
                }
            }
        }
        acc.unwrap_or(ONE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    fn n() -> BigUint {
        BigUint::parse_bytes(N_HEX.as_bytes(), 16).expect("N parses")
    }

    fn random_below_bits(rng: &mut ChaCha20Rng, bits: usize) -> BigUint {
        let mut bytes = vec![0u8; bits.div_ceil(8)];
        rng.fill_bytes(&mut bytes);
        if !bits.is_multiple_of(8)
            && let Some(b) = bytes.first_mut()
        {
            *b &= (1u8 << (bits % 8)) - 1;
        }
        BigUint::from_bytes_be(&bytes)
    }

    fn random_residue(rng: &mut ChaCha20Rng) -> BigUint {
        random_below_bits(rng, 3100) % n()
    }

    #[test]
    fn constants_match_n() {
        let n = n();
        assert_eq!(n.bits(), 3072);
        assert_eq!(limbs_to_biguint(&N), n);
        assert_eq!(*crate::srp::modulus(), n, "the same N as srp::modulus()");
        let r: BigUint = BigUint::from(1u32) << 3072;
        assert_eq!(limbs_to_biguint(&ONE), &r % &n);
        assert_eq!(limbs_to_biguint(r2()), (&r * &r) % &n);
        assert_eq!(
            N[0].wrapping_mul(N0_INV),
            u64::MAX,
            "N0_INV = -N^-1 mod 2^64"
        );
    }

    #[test]
    fn mont_mul_and_sqr_match_biguint() {
        let n = n();
        let r: BigUint = BigUint::from(1u32) << 3072;
        let r_inv = r.modpow(&(&n - 2u32), &n);
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut cases = vec![BigUint::from(0u32), BigUint::from(1u32), &n - 1u32];
        for _ in 0..20 {
            cases.push(random_residue(&mut rng));
        }
        for a in &cases {
            let al = biguint_to_limbs(a);
            assert_eq!(
                limbs_to_biguint(&mont_sqr(&al)),
                (a * a * &r_inv) % &n,
                "square of {a:x}"
            );
            for b in &cases {
                let bl = biguint_to_limbs(b);
                assert_eq!(limbs_to_biguint(&mont_mul(&al, &bl)), (a * b * &r_inv) % &n);
            }
            assert_eq!(limbs_to_biguint(&from_mont(&to_mont(&al))), *a);
        }
    }

    #[test]
    fn mul_pow2_matches_biguint() {
        let n = n();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let mut cases = vec![BigUint::from(0u32), BigUint::from(1u32), &n - 1u32];
        for _ in 0..10 {
            cases.push(random_residue(&mut rng));
        }
        for x in &cases {
            for d in 0..64u32 {
                let got = limbs_to_biguint(&mul_pow2(&biguint_to_limbs(x), d));
                assert_eq!(got, (x << d) % &n, "x = {x:x}, d = {d}");
            }
        }
    }

    #[test]
    fn pow_mod_n_matches_modpow_on_random_inputs() {
        let n = n();
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        for bits in [
            1, 2, 5, 24, 25, 63, 64, 65, 80, 81, 128, 240, 241, 256, 500, 672, 673, 1024, 1025,
            1500, 1792, 1793, 2048, 3071, 3072, 3073, 4000, 6144,
        ] {
            for _ in 0..2 {
                let base = random_residue(&mut rng);
                let exp = random_below_bits(&mut rng, bits) | (BigUint::from(1u32) << (bits - 1));
                assert_eq!(
                    pow_mod_n(&base, &exp),
                    base.modpow(&exp, &n),
                    "bits = {bits}"
                );
            }
        }
    }

    #[test]
    fn pow_mod_n_edge_cases() {
        let n = n();
        let one = BigUint::from(1u32);
        let zero = BigUint::from(0u32);
        let mut rng = ChaCha20Rng::seed_from_u64(4);
        let exps = [
            zero.clone(),
            one.clone(),
            BigUint::from(2u32),
            BigUint::from(u64::MAX),
            &n - 1u32,
            &n - 2u32,
            n.clone(),
            (&one << 1024) - 1u32,
            one.clone() << 1024,
            random_below_bits(&mut rng, 1025),
        ];
        let bases = [
            zero.clone(),
            one.clone(),
            BigUint::from(2u32),
            &n - 1u32,
            &n - 2u32,
            random_residue(&mut rng),
        ];
        for b in &bases {
            for e in &exps {
                assert_eq!(pow_mod_n(b, e), b.modpow(e, &n), "base {b:x} exp {e:x}");
            }
        }
        // Exponent 0 gives 1, also for base 0 (as modpow does).
        assert_eq!(pow_mod_n(&zero, &zero), one);
        // Fermat: b^(N-1) = 1 for b != 0.
        assert_eq!(pow_mod_n(&BigUint::from(3u32), &(&n - 1u32)), one);
        // A base at or above N is reduced first.
        let big = &n * 3u32 + 5u32;
        let e = BigUint::from(12345u32);
        assert_eq!(pow_mod_n(&big, &e), BigUint::from(5u32).modpow(&e, &n));
        assert_eq!(pow_mod_n(&n, &e), zero);
    }

    #[test]
    fn pow_g_matches_modpow_on_random_inputs() {
        let n = n();
        let g = BigUint::from(2u32);
        let mut rng = ChaCha20Rng::seed_from_u64(5);
        for bits in [
            1, 2, 6, 7, 31, 32, 33, 63, 64, 65, 255, 256, 257, 511, 512, 513, 768, 1000, 1023,
            1024, 1025, 1030, 2048, 3071, 3072, 3073, 5000,
        ] {
            for _ in 0..2 {
                let exp = random_below_bits(&mut rng, bits) | (BigUint::from(1u32) << (bits - 1));
                assert_eq!(pow_g(&exp), g.modpow(&exp, &n), "bits = {bits}");
            }
        }
        // Sparse exponents: single bits at every comb row/column boundary.
        for p in (0..1100u64).step_by(31) {
            let exp = BigUint::from(1u32) << p;
            assert_eq!(pow_g(&exp), g.modpow(&exp, &n), "2^{p}");
        }
    }

    #[test]
    fn pow_g_edge_cases() {
        let n = n();
        let g = BigUint::from(2u32);
        let one = BigUint::from(1u32);
        assert_eq!(pow_g(&BigUint::from(0u32)), one);
        assert_eq!(pow_g(&one), g);
        assert_eq!(pow_g(&BigUint::from(3072u32)), (&one << 3072) % &n);
        // g generates the subgroup of order q = (N - 1) / 2.
        let q = (&n - 1u32) >> 1;
        assert_eq!(pow_g(&q), one);
        assert_eq!(pow_g(&(&q + 1u32)), g);
        for e in [
            (&one << 1024) - 1u32, // the largest comb exponent: every table entry used
            one.clone() << 1024,   // the smallest shift-method exponent
            &n - 1u32,
            n.clone(),
        ] {
            assert_eq!(pow_g(&e), g.modpow(&e, &n), "exp {e:x}");
        }
        // The comb and the shift method agree on every comb-sized exponent.
        let mut rng = ChaCha20Rng::seed_from_u64(6);
        for bits in [1usize, 100, 256, 700, 1024] {
            let e = random_below_bits(&mut rng, bits) | (BigUint::from(1u32) << (bits - 1));
            let digits = e.to_u64_digits();
            assert_eq!(comb().pow(&digits), pow2_shift(&digits, e.bits()));
        }
    }

    #[test]
    fn pow_mod_n_of_g_agrees_with_pow_g() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let g = BigUint::from(2u32);
        for bits in [10usize, 256, 1024, 1025, 2000] {
            let e = random_below_bits(&mut rng, bits);
            assert_eq!(pow_mod_n(&g, &e), pow_g(&e));
        }
    }
}
