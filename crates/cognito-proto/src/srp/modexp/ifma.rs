//! The Montgomery product on x86-64 processors with AVX-512 IFMA (52-bit integer fused
//! multiply-add, Intel since Ice Lake and AMD since Zen 4), about three times faster than the
//! portable product of the parent module.
//!
//! The portable product is bound by the scalar multiplier: one 64×64-bit product per cycle at
//! best, and about 1.65 cycles per limb product in practice. `vpmadd52luq`/`vpmadd52huq` do
//! eight 52×52-bit products, adding the low or the high 52 bits of each to a 64-bit lane, per
//! instruction. The residue is re-cut into 60 limbs of 52 bits (3120 bits: the same `R = 2^3120`,
//! so Montgomery forms are the same numbers in both cuts) held in eight 512-bit vectors.
//!
//! **Algorithm** (almost-Montgomery multiplication by operand scanning, as in Gueron and
//! Krasnov, "Fast multiplication of RSA with AVX512 IFMA"): for each limb `a_i`, add the low
//! halves of `a_i·b` and of `m·N` lane by lane, where `m` is chosen so that lane 0 becomes a
//! multiple of `2^52` (`N ≡ -1 mod 2^52`, so `m` is lane 0's low 52 bits, as in the portable
//! reduction), move every lane down by one (dividing by `2^52`, lane 0's carry going to the new
//! lane 0), then add the high halves, which belong one lane up and so land in place. Lanes are
//! not carried between steps: each gains at most four 52-bit terms per step, below `2^60` after
//! the sixty steps. One carry pass at the end normalises them. The result is `a·b·R^-1 mod N`
//! plus a multiple of `N`, below `2N` for inputs below `2N`, as the portable product's.
//!
//! **Timing.** The same instructions run for every input: no branch or memory access depends
//! on the limbs, so the constant-time callers keep their property on this path.
//!
//! **Safety.** The product is a `#[target_feature]` function, callable only where the processor
//! has the features; [`mont_mul`] and [`mont_sqr`] check them (the standard library caches the
//! check) before the one call, in `product`. The intrinsics themselves take and return values, no
//! pointers, so the body is safe code.

use core::arch::x86_64::{
    __m512i, _mm_cvtsi128_si64, _mm256_extract_epi64, _mm512_alignr_epi64, _mm512_castsi512_si128,
    _mm512_extracti64x4_epi64, _mm512_madd52hi_epu64, _mm512_madd52lo_epu64, _mm512_mask_add_epi64,
    _mm512_set_epi64, _mm512_set1_epi64, _mm512_setzero_si512, _mm512_srli_epi64,
};

use zeroize::Zeroize;

use super::{LIMB_BITS, LIMBS, Limbs, N};

/// Bits per limb of this cut.
const BITS: u32 = 52;
/// Mask of one 52-bit limb.
const MASK52: u64 = (1 << BITS) - 1;
/// Limbs of the 52-bit cut: `60 · 52 = 3120 = 52 · 60`, the portable cut's `R`.
const LIMBS52: usize = 60;
/// Lanes: eight vectors of eight, the last four lanes always zero.
const LANES: usize = 64;

/// A residue in 52-bit limbs, least significant first, padded to whole vectors.
type Lanes = [u64; LANES];

/// `N` in 52-bit limbs.
const N52: Lanes = to52(&N);

// The reduction chooses `m` as lane 0's low bits: that needs `N ≡ -1 mod 2^52`.
const _: () = assert!(N52[0] == MASK52);
// Both cuts have the same `R`.
const _: () = assert!(LIMBS52 as u32 * BITS == LIMBS as u32 * LIMB_BITS);

/// The 60-bit limbs (each below `2^60`) re-cut into 52-bit ones.
const fn to52(x: &Limbs) -> Lanes {
    recut(x, LIMB_BITS, BITS)
}

/// The 52-bit limbs (each below `2^52`) re-cut into 60-bit ones.
fn to60(y: &Lanes) -> Limbs {
    recut(y.split_at(LIMBS52).0, BITS, LIMB_BITS)
}

/// `x`'s limbs of `from` bits (each below `2^from`) as limbs of `to` bits, least significant
/// first; limbs past the input's bits are zero. `OUT` limbs must hold all of the input's bits.
#[inline(always)]
const fn recut<const OUT: usize>(x: &[u64], from: u32, to: u32) -> [u64; OUT] {
    let mut out = [0u64; OUT];
    let (mut buf, mut held, mut o) = (0u128, 0u32, 0usize);
    let mut i = 0;
    while i < x.len() {
        buf |= (x[i] as u128) << held;
        held += from;
        while held >= to {
            out[o] = (buf as u64) & ((1 << to) - 1);
            buf >>= to;
            held -= to;
            o += 1;
        }
        i += 1;
    }
    out
}

/// Whether this processor runs the IFMA product.
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512ifma")
}

/// The Montgomery product of the parent module (same inputs, same bounds, same result), on
/// IFMA, or `None` when the processor lacks it.
pub(super) fn mont_mul(a: &Limbs, b: &Limbs) -> Option<Limbs> {
    if !available() {
        return None;
    }
    let (mut a52, mut b52) = (to52(a), to52(b));
    let out = product(&a52, &b52);
    a52.zeroize();
    b52.zeroize();
    Some(out)
}

/// The Montgomery square of the parent module, on IFMA, or `None` when the processor lacks it.
pub(super) fn mont_sqr(a: &Limbs) -> Option<Limbs> {
    if !available() {
        return None;
    }
    let mut a52 = to52(a);
    let out = product(&a52, &a52);
    a52.zeroize();
    Some(out)
}

/// `amm` back in 60-bit limbs. Only called after [`available`].
fn product(a: &Lanes, b: &Lanes) -> Limbs {
    // SAFETY: `amm` needs AVX-512F and AVX-512 IFMA; both callers checked `available` first.
    #[allow(unsafe_code)]
    let mut t = unsafe { amm(a, b) };
    let out = to60(&t);
    t.zeroize();
    out
}

/// Eight lanes of `x` from `at` as a vector.
#[target_feature(enable = "avx512f")]
fn load(x: &Lanes, at: usize) -> __m512i {
    let l = |k: usize| x[at + k] as i64;
    _mm512_set_epi64(l(7), l(6), l(5), l(4), l(3), l(2), l(1), l(0))
}

/// The lanes of `v`, lowest first.
#[target_feature(enable = "avx512f")]
fn lanes(v: __m512i) -> [u64; 8] {
    let lo = _mm512_extracti64x4_epi64::<0>(v);
    let hi = _mm512_extracti64x4_epi64::<1>(v);
    [
        _mm256_extract_epi64::<0>(lo) as u64,
        _mm256_extract_epi64::<1>(lo) as u64,
        _mm256_extract_epi64::<2>(lo) as u64,
        _mm256_extract_epi64::<3>(lo) as u64,
        _mm256_extract_epi64::<0>(hi) as u64,
        _mm256_extract_epi64::<1>(hi) as u64,
        _mm256_extract_epi64::<2>(hi) as u64,
        _mm256_extract_epi64::<3>(hi) as u64,
    ]
}

/// `a·b·2^-3120` plus a multiple of `N`, in normalised 52-bit limbs (see the module doc).
#[target_feature(enable = "avx512f,avx512ifma")]
fn amm(a: &Lanes, b: &Lanes) -> Lanes {
    const V: usize = LANES / 8;
    let bv: [__m512i; V] = core::array::from_fn(|v| load(b, 8 * v));
    let nv: [__m512i; V] = core::array::from_fn(|v| load(&N52, 8 * v));
    let zero = _mm512_setzero_si512();
    let mut x = [zero; V];
    for &ai in &a[..LIMBS52] {
        let ai = _mm512_set1_epi64(ai as i64);
        for v in 0..V {
            x[v] = _mm512_madd52lo_epu64(x[v], ai, bv[v]);
        }
        let low = _mm_cvtsi128_si64(_mm512_castsi512_si128(x[0])) as u64;
        let m = _mm512_set1_epi64((low & MASK52) as i64);
        for v in 0..V {
            x[v] = _mm512_madd52lo_epu64(x[v], m, nv[v]);
        }
        // Lane 0 is now a multiple of 2^52: drop it, keeping its carry.
        let carry = _mm512_srli_epi64::<52>(x[0]);
        for v in 0..V - 1 {
            x[v] = _mm512_alignr_epi64::<1>(x[v + 1], x[v]);
        }
        x[V - 1] = _mm512_alignr_epi64::<1>(zero, x[V - 1]);
        x[0] = _mm512_mask_add_epi64(x[0], 1, x[0], carry);
        for v in 0..V {
            x[v] = _mm512_madd52hi_epu64(x[v], ai, bv[v]);
            x[v] = _mm512_madd52hi_epu64(x[v], m, nv[v]);
        }
    }
    let mut out = [0u64; LANES];
    let mut carry = 0u64;
    for v in 0..V {
        for (k, lane) in lanes(x[v]).into_iter().enumerate() {
            let t = lane + carry;
            out[8 * v + k] = t & MASK52;
            carry = t >> BITS;
        }
    }
    out
}
