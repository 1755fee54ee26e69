//! Modular exponentiation in the fixed SRP group: the 3072-bit prime `N` of RFC 5054
//! (Appendix A) with generator `g = 2`.
//!
//! A Cognito login spends nearly all of its CPU time in three powers modulo `N`:
//! `A = g^a` (a 1024-bit `a`), `g^x` (a 256-bit `x`) and `S = base^(a + u·x)` (a ~1025-bit
//! exponent and a variable base). `num-bigint`'s general `modpow` does each with heap-allocated
//! numbers of any size; this module does them with fixed-size arithmetic specialised to `N`:
//!
//! * **Representation.** A residue is 52 limbs of 60 bits, each in a `u64`, least significant
//!   first, kept in Montgomery form `x·R mod N` with `R = 2^3120`. Nothing is allocated in the
//!   inner loops. The 4 spare bits per limb are the point: a product of two limbs is below
//!   2^120, so a whole column of a product (up to 104 such terms plus the carry) sums in one
//!   `u128` without any carry handling. The inner loop is a multiply and an add-with-carry pair
//!   per term, about half the instructions of a 64-bit-limb loop that must track carries out of
//!   128 bits, which more than pays for the 17% more terms.
//! * **Montgomery multiplication** ([`mont_mul`]) by product scanning with integrated
//!   reduction (FIPS): column `k` of the result sums every `a_i·b_(k-i)` and `m_i·N_(k-i)`,
//!   with the Montgomery factors `m_i` chosen column by column so that the low columns vanish.
//!   Squaring ([`mont_sqr`]) sums each column's cross products once, against the doubled
//!   operand.
//! * **AVX-512 IFMA.** On x86-64 processors that have it (checked at run time, once), both
//!   products run on eight-lane 52-bit multiply-adds instead (`ifma.rs`), about three times
//!   faster, with the same inputs, bounds and results limb for limb. Everything else here is
//!   the same on every processor.
//! * **No final subtractions.** `R > 4N` by a wide margin (`R/N > 2^47`), so Montgomery
//!   products of inputs below `2^3096` are below `2N` (Walter's bound): residues stay in
//!   `[0, 2N)` through a whole exponentiation and are reduced fully once, at the end.
//! * **Variable base** ([`pow_mod_n`]): left-to-right sliding-window exponentiation over a table
//!   of odd powers, the window width chosen from the exponent length.
//! * **Fixed base `g`** ([`pow_g`]): a comb (Lim–Lee fixed-base method). The exponent, up to
//!   [`COMB_CAPACITY`] bits, is cut into four 256-bit chunks, each read as an 8×32 bit matrix.
//!   Tables hold, for every chunk and every 8-bit column pattern `s`, the product
//!   `∏ g^(2^(256·chunk + 32·row))` over the rows set in `s`. A power then costs 31 squarings
//!   and up to 128 multiplications instead of ~1024 squarings. The 32 bases are constants
//!   (`comb_bases.rs`, checked by a test); the tables (4 × 256 entries, 416 KiB) are built from
//!   them once, lazily, on first use (988 multiplications), in a [`OnceLock`].
//! * **Longer exponents of `g`** use `g = 2` directly: multiplying by `2^d` is a plain shift
//!   (the headroom above `2N` absorbs it until the next squaring reduces it), so a
//!   left-to-right fixed-window power costs one squaring per exponent bit and nothing else.
//!
//! The code is not constant-time (neither is `num-bigint`'s `modpow`, nor the reference
//! JavaScript client): the sequence of operations and the table entries read depend on the
//! exponent bits.
//!
//! Every function is checked against `num-bigint`'s `modpow` in the tests at the bottom.

mod comb_bases;
#[cfg(target_arch = "x86_64")]
mod ifma;
#[cfg(feature = "server")]
pub mod server;

use std::sync::OnceLock;

use num_bigint::BigUint;
use zeroize::Zeroize;

/// Bits per limb.
const LIMB_BITS: u32 = 60;
/// Mask of one limb.
const MASK: u64 = (1 << LIMB_BITS) - 1;
/// Number of limbs: `R = 2^(60·52) = 2^3120`.
const LIMBS: usize = 52;

/// A residue modulo `N` (below `2^3120`, and below `2N` between operations), 60-bit limbs,
/// least significant first.
type Limbs = [u64; LIMBS];

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

/// The modulus `N` as 60-bit limbs.
const N: Limbs = parse_hex_limbs(N_HEX);

/// `-N^-1 mod 2^60`, the factor of one Montgomery reduction step.
const N0_INV: u64 = neg_inv_limb(N[0]);

/// Exponents of `g` up to this many bits use the comb tables; longer ones use the shift method.
const COMB_CAPACITY: u64 = (COMB_CHUNKS * COMB_TEETH * COMB_SPACING) as u64;

/// Number of 256-bit exponent chunks the comb covers (one table each).
const COMB_CHUNKS: usize = 4;
/// Rows ("teeth") per chunk: a table has `2^COMB_TEETH` entries.
const COMB_TEETH: usize = 8;
/// Columns per chunk: the number of squarings of one fixed-base power, plus one.
const COMB_SPACING: usize = 32;
/// The comb's bases `g^(2^(32·i)) mod N`, `i = 0..32` (from [`comb_bases`]), as limbs.
const COMB_BASES: [Limbs; COMB_CHUNKS * COMB_TEETH] = {
    let mut out = [[0u64; LIMBS]; COMB_CHUNKS * COMB_TEETH];
    let mut i = 0;
    while i < out.len() {
        out[i] = parse_hex_limbs(comb_bases::COMB_BASES_HEX[i]);
        i += 1;
    }
    out
};
/// Window width of the shift method for long exponents of `g`: a residue below `2N` shifted
/// by up to 15 bits stays below `2^3096`, within the no-subtraction bound.
const SHIFT_WINDOW: u64 = 4;

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/// `g^exp mod N` with `g = 2`, for an exponent of any size (0 gives 1).
pub fn pow_g(exp: &BigUint) -> BigUint {
    let mut digits = exp.to_u64_digits();
    let bits = exp.bits();
    let mut acc = if bits == 0 {
        constants().one
    } else if bits <= COMB_CAPACITY {
        comb().pow(&digits)
    } else {
        pow2_shift(&digits, bits)
    };
    digits.zeroize();
    let out = from_mont(&acc);
    acc.zeroize();
    out
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
    let n = crate::srp::modulus();
    let mut b = if base < n {
        biguint_to_limbs(base)
    } else {
        biguint_to_limbs(&(base % n))
    };
    let mut digits = exp.to_u64_digits();
    let mut b_mont = to_mont(&b);
    let mut acc = pow_sliding(&b_mont, &digits, bits);
    let out = from_mont(&acc);
    b.zeroize();
    b_mont.zeroize();
    digits.zeroize();
    acc.zeroize();
    out
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/// Parses exactly 768 hexadecimal digits into 60-bit limbs (compile time only).
const fn parse_hex_limbs(hex: &str) -> Limbs {
    let bytes = hex.as_bytes();
    assert!(bytes.len() == 768, "N must have 768 hex digits");
    let mut out = [0u64; LIMBS];
    let mut i = 0; // digit index from the least significant end; 15 digits per limb
    while i < bytes.len() {
        let c = bytes[bytes.len() - 1 - i];
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        };
        out[i / 15] |= (v as u64) << (4 * (i % 15));
        i += 1;
    }
    out
}

/// `-n^-1 mod 2^60` for odd `n`, by Newton iteration (each step doubles the correct bits).
const fn neg_inv_limb(n: u64) -> u64 {
    assert!(n & 1 == 1, "the modulus must be odd");
    let mut inv: u64 = 1; // correct to 1 bit
    let mut i = 0;
    while i < 6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(n.wrapping_mul(inv)));
        i += 1;
    }
    inv.wrapping_neg() & MASK
}

/// Residues computed once with `num-bigint`.
struct Constants {
    /// `R mod N`: the Montgomery form of 1.
    one: Limbs,
    /// `R^2 mod N`: converts into Montgomery form.
    r2: Limbs,
}

/// The Montgomery constants, built on first use.
fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let n = crate::srp::modulus();
        let r = BigUint::from(1u32) << (LIMB_BITS as usize * LIMBS);
        Constants {
            one: biguint_to_limbs(&(&r % n)),
            r2: biguint_to_limbs(&((&r * &r) % n)),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Limb arithmetic
// ---------------------------------------------------------------------------------------------

/// `acc + odd += Σ x_i·y_(k-i)` for `lo <= i < end` (every index within the limbs). Every
/// term is below 2^122 (`x` may be a doubled operand, below 2^61).
///
/// The exact range is summed: the `(end - lo) % 4` leading terms one by one, the rest in
/// groups of four unrolled by hand (the trip count varies by column, so the compiler would not
/// unroll it). Alternate terms go to a second accumulator, so that two add-with-carry chains
/// run side by side. Both choices were measured on the 3072-bit Montgomery products against
/// zero-padded groups of four into one accumulator: squaring 10%, multiplication 20% faster.
/// The second accumulator `odd` belongs to the caller, which folds it into `acc` once per
/// column, after both of the column's sums (operand and reduction products): 1-3% off a
/// squaring, against folding it after each sum.
#[inline(always)]
fn column(acc: &mut u128, odd: &mut u128, x: &Limbs, y: &Limbs, k: usize, lo: usize, end: usize) {
    if end <= lo {
        return;
    }
    let len = end - lo;
    let xs = &x[lo..end];
    // y_(k-i) for i = end - 1 down to lo: `xs[j]` pairs with `ys[len - 1 - j]`.
    let ys = &y[k + 1 - end..k + 1 - lo];
    let head = len % 4;
    match head {
        1 => *acc += (xs[0] as u128) * (ys[len - 1] as u128),
        2 => {
            *acc += (xs[0] as u128) * (ys[len - 1] as u128);
            *odd += (xs[1] as u128) * (ys[len - 2] as u128);
        }
        3 => {
            *acc += (xs[0] as u128) * (ys[len - 1] as u128);
            *odd += (xs[1] as u128) * (ys[len - 2] as u128);
            *acc += (xs[2] as u128) * (ys[len - 3] as u128);
        }
        _ => {}
    }
    for (xc, yc) in xs[head..]
        .chunks_exact(4)
        .zip(ys[..len - head].rchunks_exact(4))
    {
        *acc += (xc[0] as u128) * (yc[3] as u128);
        *odd += (xc[1] as u128) * (yc[2] as u128);
        *acc += (xc[2] as u128) * (yc[1] as u128);
        *odd += (xc[3] as u128) * (yc[0] as u128);
    }
}

/// Column `k < LIMBS` of the Montgomery reduction: adds `Σ m_i·N_(k-i)` for `i < k`, chooses
/// `m_k` so that the column's low limb vanishes, and leaves the carry in `acc`.
#[inline(always)]
fn reduce_low(acc: &mut u128, odd: &mut u128, m: &mut Limbs, k: usize) {
    column(acc, odd, m, &N, k, 0, k);
    *acc += std::mem::take(odd);
    // N's lowest limb is 2^60 - 1 (N ≡ -1 mod 2^64), so -N^-1 mod 2^60 is 1 and the factor
    // m_k is the column's low limb itself. Adding m_k·N_0 = m_k·2^60 - m_k clears that limb
    // and leaves (acc >> 60) + m_k: no multiplication, and a shorter chain from one column's
    // sum to the next column's factor.
    let mk = (*acc as u64) & MASK;
    m[k] = mk;
    *acc = (*acc >> LIMB_BITS) + mk as u128;
}

// The reduction step above relies on the modulus's lowest limb being all ones.
const _: () = assert!(N[0] == MASK && N0_INV == 1);

/// Column `k ≥ LIMBS` of the Montgomery reduction: adds `Σ m_i·N_(k-i)`, returns the column's
/// limb and leaves the carry in `acc`.
#[inline(always)]
fn reduce_high(acc: &mut u128, odd: &mut u128, m: &Limbs, k: usize) -> u64 {
    column(acc, odd, m, &N, k, k + 1 - LIMBS, LIMBS);
    *acc += std::mem::take(odd);
    let limb = (*acc as u64) & MASK;
    *acc >>= LIMB_BITS;
    limb
}

/// Montgomery product `a·b·R^-1 mod N`, below `2N` for inputs below `2^3096`, by Finely
/// Integrated Product Scanning: column `k` sums every `a_i·b_(k-i)` and `m_i·N_(k-i)`, where
/// the Montgomery factors `m_i` are chosen as the low columns are finished.
///
/// Bound: `(a·b + m·N) / R < 2^6192 / 2^3120 + N < 2N`; a column holds at most 104 terms
/// below 2^120 plus a carry below 2^68, so the `u128` accumulator never overflows.
fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    if let Some(out) = ifma::mont_mul(a, b) {
        return out;
    }
    mont_mul_portable(a, b)
}

/// [`mont_mul`] on any processor.
fn mont_mul_portable(a: &Limbs, b: &Limbs) -> Limbs {
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc: u128 = 0;
    let mut odd: u128 = 0;
    for k in 0..LIMBS {
        column(&mut acc, &mut odd, a, b, k, 0, k + 1);
        reduce_low(&mut acc, &mut odd, &mut m, k);
    }
    for k in LIMBS..2 * LIMBS - 1 {
        column(&mut acc, &mut odd, a, b, k, k + 1 - LIMBS, LIMBS);
        out[k - LIMBS] = reduce_high(&mut acc, &mut odd, &m, k);
    }
    out[LIMBS - 1] = acc as u64; // the result is below 2^3120: nothing is left above
    m.zeroize();
    out
}

/// Montgomery square `a²·R^-1 mod N`: as [`mont_mul`], but each column's cross products
/// `a_i·a_j` (i < j) are summed once, against `2a`, saving a quarter of the multiplications.
///
/// Bound: a column holds at most 26 cross terms below 2^121, one square below 2^120 and 52
/// reduction terms below 2^120, plus a carry below 2^68: below 2^127.
fn mont_sqr(a: &Limbs) -> Limbs {
    #[cfg(target_arch = "x86_64")]
    if let Some(out) = ifma::mont_sqr(a) {
        return out;
    }
    mont_sqr_portable(a)
}

/// [`mont_sqr`] on any processor.
fn mont_sqr_portable(a: &Limbs) -> Limbs {
    let mut twice = [0u64; LIMBS];
    for (t, x) in twice.iter_mut().zip(a) {
        *t = x << 1;
    }
    let mut m = [0u64; LIMBS];
    let mut out = [0u64; LIMBS];
    let mut acc: u128 = 0;
    let mut odd: u128 = 0;
    for k in 0..LIMBS {
        // Pairs (i, k - i) with i < k - i.
        column(&mut acc, &mut odd, &twice, a, k, 0, k.div_ceil(2));
        if k % 2 == 0 {
            odd += (a[k / 2] as u128) * (a[k / 2] as u128);
        }
        reduce_low(&mut acc, &mut odd, &mut m, k);
    }
    for k in LIMBS..2 * LIMBS - 1 {
        column(
            &mut acc,
            &mut odd,
            &twice,
            a,
            k,
            k + 1 - LIMBS,
            k.div_ceil(2),
        );
        if k % 2 == 0 {
            odd += (a[k / 2] as u128) * (a[k / 2] as u128);
        }
        out[k - LIMBS] = reduce_high(&mut acc, &mut odd, &m, k);
    }
    out[LIMBS - 1] = acc as u64;
    twice.zeroize();
    m.zeroize();
    out
}

/// `x·2^d` for `x < 2N` and `d < 24`: a plain shift across limbs. The result is below
/// `2^3096`, which the next Montgomery product brings back below `2N`.
fn mul_pow2(x: &Limbs, d: u32) -> Limbs {
    debug_assert!(d < 24);
    if d == 0 {
        return *x;
    }
    let mut y = [0u64; LIMBS];
    y[0] = (x[0] << d) & MASK;
    for i in 1..LIMBS {
        y[i] = ((x[i] << d) & MASK) | (x[i - 1] >> (LIMB_BITS - d));
    }
    y
}

/// Into Montgomery form: `x·R mod N` (below `2N`).
#[inline]
fn to_mont(x: &Limbs) -> Limbs {
    mont_mul(x, &constants().r2)
}

/// Out of Montgomery form and fully reduced: `x·R^-1 mod N` as a `BigUint`.
fn from_mont(x: &Limbs) -> BigUint {
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    // (x·1 + m·N) / R < 2N/R + N: at most N, which is 0 mod N.
    let mut limbs = mont_mul(x, &one);
    let out = limbs_to_biguint(&limbs);
    limbs.zeroize();
    let n = crate::srp::modulus();
    if out >= *n { out - n } else { out }
}

/// 60-bit limbs of `x < 2^3120` (the caller reduces first; higher bits are ignored).
fn biguint_to_limbs(x: &BigUint) -> Limbs {
    let mut words = x.to_u64_digits();
    let mut out = [0u64; LIMBS];
    for (i, o) in out.iter_mut().enumerate() {
        *o = bits_at(&words, i as u64 * LIMB_BITS as u64, LIMB_BITS as u64);
    }
    words.zeroize();
    out
}

/// The `BigUint` of 60-bit limbs.
fn limbs_to_biguint(x: &Limbs) -> BigUint {
    // Repack the 60-bit limbs into the 32-bit digits `BigUint::new` takes.
    let mut digits: Vec<u32> = Vec::with_capacity((LIMBS * LIMB_BITS as usize).div_ceil(32));
    let (mut buf, mut held) = (0u128, 0u32);
    for &limb in x {
        buf |= (limb as u128) << held;
        held += LIMB_BITS;
        while held >= 32 {
            digits.push(buf as u32);
            buf >>= 32;
            held -= 32;
        }
    }
    digits.push(buf as u32);
    BigUint::new(digits)
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
    acc.unwrap_or(constants().one)
}

/// `2^e` in Montgomery form by left-to-right fixed windows of [`SHIFT_WINDOW`] bits: per window,
/// that many squarings and one multiplication by `2^digit`, which is a shift.
fn pow2_shift(e: &[u64], bits: u64) -> Limbs {
    let mut acc = constants().one;
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
    /// Builds the tables from the 32 constant bases `g^(2^(32·i))`: every subset product of
    /// each chunk's 8 bases, one multiplication per entry.
    fn build() -> Comb {
        let per_table = 1usize << COMB_TEETH;
        let one = constants().one;
        let bases: Vec<Limbs> = COMB_BASES.iter().map(to_mont).collect();
        let mut table = vec![one; COMB_CHUNKS * per_table].into_boxed_slice();
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
        acc.unwrap_or(constants().one)
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
        assert!(N.iter().all(|&l| l <= MASK));
        let r: BigUint = BigUint::from(1u32) << 3120;
        assert_eq!(limbs_to_biguint(&constants().one), &r % &n);
        assert_eq!(limbs_to_biguint(&constants().r2), (&r * &r) % &n);
        assert_eq!(
            N[0].wrapping_mul(N0_INV) & MASK,
            MASK,
            "N0_INV = -N^-1 mod 2^60"
        );
        // The no-final-subtraction bound needs R > 4N with room for 2^3096 inputs.
        assert!(BigUint::from(1u32) << 3096u32 > &n * 4u32);
    }

    #[test]
    fn limb_conversions_round_trip() {
        let mut rng = ChaCha20Rng::seed_from_u64(8);
        for bits in [0usize, 1, 59, 60, 61, 64, 3072, 3119, 3120] {
            let x = random_below_bits(&mut rng, bits);
            let limbs = biguint_to_limbs(&x);
            assert!(limbs.iter().all(|&l| l <= MASK));
            assert_eq!(limbs_to_biguint(&limbs), x, "bits = {bits}");
        }
    }

    #[test]
    fn mont_mul_and_sqr_match_biguint() {
        let n = n();
        let r: BigUint = BigUint::from(1u32) << 3120;
        let r_inv = r.modpow(&(&n - 2u32), &n);
        let two_n = &n * 2u32;
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        // Inputs anywhere below 2^3096 are allowed, residues below 2N included.
        let mut cases = vec![
            BigUint::from(0u32),
            BigUint::from(1u32),
            &n - 1u32,
            n.clone(),
            &two_n - 1u32,
            (BigUint::from(1u32) << 3096u32) - 1u32,
        ];
        for _ in 0..16 {
            cases.push(random_residue(&mut rng));
            cases.push(random_below_bits(&mut rng, 3096));
        }
        // The portable kernel, and the one this processor runs (the IFMA one where it has it).
        type Kernel = (
            &'static str,
            fn(&Limbs, &Limbs) -> Limbs,
            fn(&Limbs) -> Limbs,
        );
        let kernels: [Kernel; 2] = [
            ("portable", mont_mul_portable, mont_sqr_portable),
            ("dispatched", mont_mul, mont_sqr),
        ];
        for (kernel, mul, sqr) in kernels {
            for a in &cases {
                let al = biguint_to_limbs(a);
                let sq = limbs_to_biguint(&sqr(&al));
                assert!(sq < two_n, "{kernel}: square below 2N");
                assert_eq!(sq % &n, (a * a * &r_inv) % &n, "{kernel}: square of {a:x}");
                for b in &cases {
                    let bl = biguint_to_limbs(b);
                    let p = limbs_to_biguint(&mul(&al, &bl));
                    assert!(p < two_n, "{kernel}: product below 2N");
                    assert_eq!(p % &n, (a * b * &r_inv) % &n, "{kernel}");
                }
                assert_eq!(from_mont(&to_mont(&al)), a % &n);
            }
        }
    }

    /// Both kernels compute `(a·b + m·N) / R` with the one `m < R` that makes it exact, so
    /// the IFMA kernel must give the portable one's limbs exactly, not only the same residue.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_ifma_kernel_gives_the_portable_kernels_limbs() {
        if !ifma::available() {
            return; // only the portable kernel runs on this processor
        }
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let top = (BigUint::from(1u32) << 3096u32) - 1u32;
        let mut cases = vec![BigUint::from(0u32), top.clone(), &n() * 2u32 - 1u32];
        for _ in 0..200 {
            cases.push(random_below_bits(&mut rng, 3096));
        }
        let mut chain = biguint_to_limbs(&top);
        for (i, a) in cases.iter().enumerate() {
            let al = biguint_to_limbs(a);
            let bl = biguint_to_limbs(&cases[(i * 7 + 3) % cases.len()]);
            assert_eq!(ifma::mont_mul(&al, &bl), Some(mont_mul_portable(&al, &bl)));
            assert_eq!(ifma::mont_sqr(&al), Some(mont_sqr_portable(&al)));
            // A chain of squarings keeps feeding each kernel its own outputs.
            let next = mont_sqr_portable(&chain);
            assert_eq!(ifma::mont_sqr(&chain), Some(next));
            chain = next;
        }
    }

    #[test]
    fn mul_pow2_is_an_exact_shift() {
        let n = n();
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let mut cases = vec![BigUint::from(0u32), BigUint::from(1u32), &n * 2u32 - 1u32];
        for _ in 0..10 {
            cases.push(random_residue(&mut rng));
        }
        for x in &cases {
            for d in 0..24u32 {
                let got = limbs_to_biguint(&mul_pow2(&biguint_to_limbs(x), d));
                assert_eq!(got, x << d, "x = {x:x}, d = {d}");
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
    }

    #[test]
    fn pitfall_6_base_at_or_above_n_is_reduced_first() {
        // srp reduces B - k·g^x into [0, N) itself; pow_mod_n does not rely on it.
        let n = n();
        let e = BigUint::from(12345u32);
        let big = &n * 3u32 + 5u32;
        assert_eq!(pow_mod_n(&big, &e), BigUint::from(5u32).modpow(&e, &n));
        assert_eq!(pow_mod_n(&n, &e), BigUint::from(0u32));
        assert_eq!(pow_mod_n(&(&n * 2u32), &e), BigUint::from(0u32));
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
            assert_eq!(
                from_mont(&comb().pow(&digits)),
                from_mont(&pow2_shift(&digits, e.bits()))
            );
        }
    }

    #[test]
    fn comb_bases_are_powers_of_g() {
        let n = n();
        let g = BigUint::from(2u32);
        for (i, base) in COMB_BASES.iter().enumerate() {
            let e = BigUint::from(1u32) << (COMB_SPACING * i);
            assert_eq!(limbs_to_biguint(base), g.modpow(&e, &n), "base {i}");
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
