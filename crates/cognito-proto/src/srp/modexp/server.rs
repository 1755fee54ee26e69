//! The server's side of the SRP arithmetic: `B = k·v + g^b` and `S = (A·v^u)^b`, on the same
//! Montgomery arithmetic as the client (the parent module, `modexp`).
//!
//! A server handshake costs three powers: `g^b` (fixed base), `v^u` and `(A·v^u)^b`, each with
//! a 256-bit exponent. Two things make them cheaper than plain powers:
//!
//! * **`v^u` as a fixed-base power.** The verifier `v` is fixed per user while `u` changes with
//!   every handshake, so comb tables of `v` ([`VerifierTable`], 128 entries, 52 KiB, built with
//!   247 squarings and 104 multiplications, a little more than one plain power) turn `v^u`
//!   into 12 squarings and about 50 multiplications instead of ~256 squarings and ~60
//!   multiplications. A server keeps the tables of the users who sign in (the emulator caches
//!   them, bounded).
//! * **`g^b` on a comb of `g`** of its own (four 64-entry tables: 10 squarings and 43
//!   multiplications; see `GTables` for why not the client's 256-entry tables).
//!
//! `(A·v^u)^b` has a base that changes with every handshake, so it stays a plain power: 252
//! squarings and 63 multiplications with 4-bit fixed windows.
//!
//! **Timing.** `b` is the server's secret, so both powers with exponent `b` are regular: the
//! same sequence of squarings and multiplications whatever `b` is (fixed windows, no skipped
//! zero digits), and every table entry is read through a constant-time selection that touches
//! the whole table ([`subtle`]); the Montgomery products themselves have no data-dependent
//! branches, and the final reduction is a masked subtraction. `u` is public (a hash of `A` and
//! `B`), so `v^u` reads its table directly. This holds for `b < 2^256` (the 32 random bytes
//! servers draw); a longer `b` takes the variable-time [`super::pow_mod_n`].

use num_bigint::BigUint;
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use super::{
    LIMB_BITS, LIMBS, Limbs, MASK, N, biguint_to_limbs, bit, constants, limbs_to_biguint, mont_mul,
    mont_sqr, to_mont,
};

/// Bits of the exponents this module handles in constant time (`b`) and of `u`.
const EXP_BITS: usize = 256;
/// Fixed window of the variable-base power `(A·v^u)^b`: 16 table entries, 64 windows.
const WINDOW: usize = 4;
/// Teeth of each of a verifier's comb tables: `2^VT_TEETH` entries per table.
const VT_TEETH: usize = 5;
/// Comb tables per verifier. Four tables of five teeth (128 entries, 52 KiB) make `v^u` 12
/// squarings and about 50 multiplications; two tables (64 entries, 26 KiB) took 25 squarings
/// and about 50 multiplications (0.03 ms more per handshake), one table 51 squarings.
const VT_TABLES: usize = 4;
/// Columns of a verifier's comb: `VT_TABLES · VT_TEETH · VT_SPACING ≥ 256`.
const VT_SPACING: usize = EXP_BITS.div_ceil(VT_TABLES * VT_TEETH);

/// A user's verifier `v` prepared for `v^u`: comb tables (Lim–Lee fixed-base method) in
/// Montgomery form; entry `s` of table `t` is the product of `v^(2^(13·(5t + j)))` over the
/// teeth `j` set in `s`.
///
/// 128 entries of 416 bytes (52 KiB); building them costs 247 squarings and 104
/// multiplications, a little more than one plain 256-bit power, and every `v^u` then costs
/// about a fifth of a plain one. The entries are zeroized on drop (they are as sensitive as the verifier
/// itself), and `Debug` shows none of them.
pub struct VerifierTable {
    table: Box<[Limbs]>,
}

impl VerifierTable {
    /// Builds the tables of `v` (reduced mod `N` first if needed).
    pub fn new(v: &BigUint) -> Self {
        let n = crate::srp::modulus();
        let mut limbs = if v < n {
            biguint_to_limbs(v)
        } else {
            biguint_to_limbs(&(v % n))
        };
        // bases[row] = v^(2^(VT_SPACING·row))
        let mut bases = [[0u64; LIMBS]; VT_TABLES * VT_TEETH];
        bases[0] = to_mont(&limbs);
        limbs.zeroize();
        for row in 1..bases.len() {
            let mut x = bases[row - 1];
            for _ in 0..VT_SPACING {
                x = mont_sqr(&x);
            }
            bases[row] = x;
        }
        let size = 1usize << VT_TEETH;
        let mut table = vec![constants().one; VT_TABLES * size].into_boxed_slice();
        for t in 0..VT_TABLES {
            let part = &mut table[t * size..(t + 1) * size];
            for s in 1..size {
                let top = usize::BITS - 1 - s.leading_zeros();
                let rest = s & !(1 << top);
                let base = &bases[t * VT_TEETH + top as usize];
                part[s] = if rest == 0 {
                    *base
                } else {
                    mont_mul(&part[rest], base)
                };
            }
        }
        bases.zeroize();
        VerifierTable { table }
    }

    /// `v^u` in Montgomery form. `u` is public: the tables are read directly and zero
    /// columns skipped. Exponents longer than 256 bits take the plain power of `v` (entry 1
    /// of the first table).
    fn pow_mont(&self, u: &[u64]) -> Limbs {
        let bits = u
            .iter()
            .rposition(|&d| d != 0)
            .map_or(0, |i| (i as u64 + 1) * 64 - u64::from(u[i].leading_zeros()));
        if bits > EXP_BITS as u64 {
            return super::pow_sliding(&self.table[1], u, bits);
        }
        let size = 1usize << VT_TEETH;
        let mut acc: Option<Limbs> = None;
        for col in (0..VT_SPACING as u64).rev() {
            if let Some(a) = acc.as_mut() {
                *a = mont_sqr(a);
            }
            for t in 0..VT_TABLES {
                let mut s = 0usize;
                for j in 0..VT_TEETH {
                    let row = (t * VT_TEETH + j) as u64;
                    s |= (bit(u, col + row * VT_SPACING as u64) as usize) << j;
                }
                if s != 0 {
                    let entry = &self.table[t * size + s];
                    acc = Some(match acc {
                        None => *entry,
                        Some(a) => mont_mul(&a, entry),
                    });
                }
            }
        }
        acc.unwrap_or(constants().one)
    }

    /// `v^u mod N`.
    pub fn pow(&self, u: &BigUint) -> BigUint {
        let mut acc = self.pow_mont(&u.to_u64_digits());
        let out = from_mont_ct(&acc);
        acc.zeroize();
        out
    }
}

impl Drop for VerifierTable {
    fn drop(&mut self) {
        for entry in self.table.iter_mut() {
            entry.zeroize();
        }
    }
}

impl std::fmt::Debug for VerifierTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VerifierTable(..)")
    }
}

/// The server's public value `B = (k·v + g^b) mod N`. `g^b` takes constant time for
/// `b < 2^256` (see the module documentation).
pub fn public_key(v: &BigUint, b: &BigUint) -> BigUint {
    (crate::srp::multiplier() * v + pow_g_secret(b)) % crate::srp::modulus()
}

/// `g^b mod N` for the server's secret `b`: constant-time for `b < 2^256`. A server that
/// computes it ahead of the user's verifier finishes `B` with [`public_key_from`].
pub fn pow_g_secret(b: &BigUint) -> BigUint {
    match exponent_256(b) {
        Some(mut e) => {
            let mut acc = pow_g_ct(&e);
            e.zeroize();
            let out = from_mont_ct(&acc);
            acc.zeroize();
            out
        }
        None => super::pow_g(b),
    }
}

/// `B = (k·v + g^b) mod N` from `g^b` ([`pow_g_secret`]).
pub fn public_key_from(v: &BigUint, g_b: &BigUint) -> BigUint {
    (crate::srp::multiplier() * v + g_b) % crate::srp::modulus()
}

/// The server's premaster secret `S = (A·v^u)^b mod N`: `v^u` from the verifier's table, then
/// the power with the secret `b`, constant-time for `b < 2^256`.
pub fn premaster(a: &BigUint, v: &VerifierTable, u: &BigUint, b: &BigUint) -> BigUint {
    let mut v_u = v.pow_mont(&u.to_u64_digits());
    let out = premaster_from(a, &v_u, b);
    v_u.zeroize();
    out
}

/// [`premaster`] without a table of `v`: `v^u` as a plain (sliding-window) power, for a
/// verifier used once. Building a [`VerifierTable`] costs about as much as this `v^u`.
pub fn premaster_uncached(a: &BigUint, v: &BigUint, u: &BigUint, b: &BigUint) -> BigUint {
    let n = crate::srp::modulus();
    let mut v_limbs = if v < n {
        biguint_to_limbs(v)
    } else {
        biguint_to_limbs(&(v % n))
    };
    let mut v_mont = to_mont(&v_limbs);
    let digits = u.to_u64_digits();
    let mut v_u = if u.bits() == 0 {
        constants().one
    } else {
        super::pow_sliding(&v_mont, &digits, u.bits())
    };
    let out = premaster_from(a, &v_u, b);
    v_limbs.zeroize();
    v_mont.zeroize();
    v_u.zeroize();
    out
}

/// `(A·v^u)^b` from `v^u` in Montgomery form.
fn premaster_from(a: &BigUint, v_u: &Limbs, b: &BigUint) -> BigUint {
    let n = crate::srp::modulus();
    let mut a_limbs = if a < n {
        biguint_to_limbs(a)
    } else {
        biguint_to_limbs(&(a % n))
    };
    let mut base = mont_mul(&to_mont(&a_limbs), v_u);
    let out = match exponent_256(b) {
        Some(mut e) => {
            let mut acc = pow_ct(&base, &e);
            e.zeroize();
            let out = from_mont_ct(&acc);
            acc.zeroize();
            out
        }
        None => {
            let plain = crate::srp::SecretUint::new(from_mont_ct(&base));
            super::pow_mod_n(plain.expose_secret(), b)
        }
    };
    a_limbs.zeroize();
    base.zeroize();
    out
}

/// `b` as four 64-bit digits, least significant first, when `b < 2^256`.
fn exponent_256(b: &BigUint) -> Option<[u64; 4]> {
    let mut digits = b.to_u64_digits();
    let out = (digits.len() <= 4).then(|| {
        let mut e = [0u64; 4];
        e[..digits.len()].copy_from_slice(&digits);
        e
    });
    digits.zeroize();
    out
}

/// Bits `[pos, pos + len)` of a 256-bit exponent, `len ≤ 8`, without branching on them.
#[inline]
fn digit(e: &[u64; 4], pos: usize, len: usize) -> usize {
    let limb = pos / 64;
    let shift = pos % 64;
    let lo = e[limb] >> shift;
    // The next limb's bits, when the digit straddles two limbs (a public condition).
    let hi = if shift + len > 64 && limb + 1 < 4 {
        e[limb + 1] << (64 - shift)
    } else {
        0
    };
    ((lo | hi) & ((1u64 << len) - 1)) as usize
}

/// `table[index]`, reading every entry: which entry was wanted does not show in the memory
/// accesses or the branches taken.
fn ct_select(table: &[Limbs], index: usize) -> Limbs {
    let mut out = [0u64; LIMBS];
    let want = index as u64;
    for (j, entry) in table.iter().enumerate() {
        // All ones for the wanted entry and zero for every other, from `subtle`'s
        // constant-time comparison (no branch on the index). Exactly one entry passes its
        // mask, so OR-ing every masked entry gives that entry: two operations per limb
        // instead of a conditional assignment's three, every entry read the same way.
        let mask = 0u64.wrapping_sub(u64::from((j as u64).ct_eq(&want).unwrap_u8()));
        for (o, x) in out.iter_mut().zip(entry) {
            *o |= x & mask;
        }
    }
    out
}

/// `base^e` in Montgomery form for a 256-bit `e`, by 4-bit fixed windows: 252 squarings and
/// 63 multiplications for every `e`, each window's entry chosen by [`ct_select`].
fn pow_ct(base: &Limbs, e: &[u64; 4]) -> Limbs {
    let size = 1usize << WINDOW;
    let mut table = [[0u64; LIMBS]; 1 << WINDOW];
    table[0] = constants().one;
    table[1] = *base;
    for j in 2..size {
        table[j] = if j % 2 == 0 {
            mont_sqr(&table[j / 2])
        } else {
            mont_mul(&table[j - 1], base)
        };
    }
    let windows = EXP_BITS / WINDOW;
    let mut d = digit(e, (windows - 1) * WINDOW, WINDOW);
    let mut acc = ct_select(&table, d);
    for w in (0..windows - 1).rev() {
        for _ in 0..WINDOW {
            acc = mont_sqr(&acc);
        }
        d = digit(e, w * WINDOW, WINDOW);
        let mut entry = ct_select(&table, d);
        acc = mont_mul(&acc, &entry);
        entry.zeroize();
    }
    table.zeroize();
    acc
}

/// Teeth of each of the server's comb tables for `g`: 64 entries (26 KiB) per table, which a
/// full scan reads from the first-level cache.
const G_TEETH: usize = 6;
/// Comb tables for `g`: together they cover `G_TABLES · G_TEETH` rows of the exponent.
const G_TABLES: usize = 4;
/// Columns of the server's comb for `g`: `G_TABLES · G_TEETH · G_SPACING ≥ 256`.
const G_SPACING: usize = EXP_BITS.div_ceil(G_TABLES * G_TEETH);

/// The server's fixed-base tables for `g = 2` (Lim–Lee comb, 4 tables of 6 teeth):
/// `table[t·64 + s]` is the product of `g^(2^(11·(6t + j)))` over the teeth `j` set in `s`.
///
/// A constant-time `g^b` reads every entry of the table it selects from, so the table size
/// is a cost per column, not only memory. One 256-entry table (the client's chunk 0: 31
/// squarings, 31 multiplications, 32 scans of 104 KiB, which miss the first-level cache)
/// made `B` 0.215 ms; four 64-entry tables (10 squarings, 43 multiplications, 44 scans of
/// 26 KiB) make it 0.15 ms. Built once per process on first use (253 squarings, 252
/// multiplications, 104 KiB).
struct GTables {
    table: Box<[Limbs]>,
}

fn g_tables() -> &'static GTables {
    static TABLES: std::sync::OnceLock<GTables> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let rows = G_TABLES * G_TEETH;
        let mut g = [0u64; LIMBS];
        g[0] = 2;
        // bases[r] = g^(2^(G_SPACING·r))
        let mut bases = vec![to_mont(&g); rows];
        for r in 1..rows {
            let mut x = bases[r - 1];
            for _ in 0..G_SPACING {
                x = mont_sqr(&x);
            }
            bases[r] = x;
        }
        let size = 1usize << G_TEETH;
        let mut table = vec![constants().one; G_TABLES * size].into_boxed_slice();
        for t in 0..G_TABLES {
            let part = &mut table[t * size..(t + 1) * size];
            for s in 1..size {
                let top = usize::BITS - 1 - s.leading_zeros();
                let rest = s & !(1 << top);
                let base = &bases[t * G_TEETH + top as usize];
                part[s] = if rest == 0 {
                    *base
                } else {
                    mont_mul(&part[rest], base)
                };
            }
        }
        GTables { table }
    })
}

/// `g^e` in Montgomery form for a 256-bit `e` on the server's comb tables ([`g_tables`]):
/// 10 squarings and 43 multiplications for every `e` (a zero column multiplies by entry 0,
/// which is 1), each entry chosen by [`ct_select`] over its table's 64 entries. The bit
/// positions read depend only on the column and tooth, never on `e`.
fn pow_g_ct(e: &[u64; 4]) -> Limbs {
    let size = 1usize << G_TEETH;
    let tables = &g_tables().table;
    let column = |t: usize, col: usize| {
        let mut s = 0usize;
        for j in 0..G_TEETH {
            let pos = col + (t * G_TEETH + j) * G_SPACING;
            // Rows past the exponent's 256 bits read as zero (a public condition).
            if pos < EXP_BITS {
                s |= (((e[pos / 64] >> (pos % 64)) & 1) as usize) << j;
            }
        }
        s
    };
    let mut acc = ct_select(&tables[..size], column(0, G_SPACING - 1));
    for col in (0..G_SPACING).rev() {
        if col != G_SPACING - 1 {
            acc = mont_sqr(&acc);
        }
        let first = if col == G_SPACING - 1 { 1 } else { 0 };
        for t in first..G_TABLES {
            let mut entry = ct_select(&tables[t * size..(t + 1) * size], column(t, col));
            acc = mont_mul(&acc, &entry);
            entry.zeroize();
        }
    }
    acc
}

/// Out of Montgomery form and fully reduced, with the final subtraction of `N` masked rather
/// than branched on (the result may be the secret `S`).
fn from_mont_ct(x: &Limbs) -> BigUint {
    let mut one = [0u64; LIMBS];
    one[0] = 1;
    // Below 2N (see `super::from_mont`): subtract N once when the difference does not borrow.
    let mut r = mont_mul(x, &one);
    let mut d = [0u64; LIMBS];
    let mut borrow = 0u64;
    for ((di, ri), ni) in d.iter_mut().zip(&r).zip(&N) {
        let t = ri.wrapping_sub(*ni).wrapping_sub(borrow);
        *di = t & MASK;
        borrow = (t >> LIMB_BITS) & 1; // limbs are 60 bits: a borrow sets the bits above
    }
    // borrow = 1: r < N, keep r; borrow = 0: take r - N.
    let keep = subtle::Choice::from(borrow as u8);
    for (ri, di) in r.iter_mut().zip(&d) {
        *ri = u64::conditional_select(di, ri, keep);
    }
    let out = limbs_to_biguint(&r);
    r.zeroize();
    d.zeroize();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chacha20::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    fn random_bits(rng: &mut ChaCha20Rng, bits: usize) -> BigUint {
        let mut bytes = vec![0u8; bits.div_ceil(8)];
        rng.fill_bytes(&mut bytes);
        if !bits.is_multiple_of(8)
            && let Some(top) = bytes.first_mut()
        {
            *top &= (1u8 << (bits % 8)) - 1;
        }
        BigUint::from_bytes_be(&bytes)
    }

    fn residue(rng: &mut ChaCha20Rng) -> BigUint {
        random_bits(rng, 3100) % crate::srp::modulus()
    }

    #[test]
    fn verifier_table_matches_modpow() {
        let n = crate::srp::modulus();
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        for _ in 0..4 {
            let v = residue(&mut rng);
            let table = VerifierTable::new(&v);
            for bits in [0usize, 1, 2, 51, 52, 53, 200, 255, 256, 257, 260, 300, 1025] {
                let u = random_bits(&mut rng, bits);
                assert_eq!(table.pow(&u), v.modpow(&u, n), "bits = {bits}");
            }
            // Every single bit of a 256-bit exponent: each row and column of the comb.
            for p in 0..256 {
                let u = BigUint::from(1u32) << p;
                assert_eq!(table.pow(&u), v.modpow(&u, n), "2^{p}");
            }
            let all = (BigUint::from(1u32) << 256) - 1u32;
            assert_eq!(table.pow(&all), v.modpow(&all, n));
        }
        // Edge bases: 0, 1, N - 1 and a base at or above N (reduced first).
        for v in [
            BigUint::from(0u32),
            BigUint::from(1u32),
            n - 1u32,
            n * 2u32 + 7u32,
        ] {
            let table = VerifierTable::new(&v);
            let u = random_bits(&mut rng, 256);
            assert_eq!(table.pow(&u), v.modpow(&u, n));
        }
        assert_eq!(
            format!("{:?}", VerifierTable::new(&BigUint::from(5u32))),
            "VerifierTable(..)"
        );
    }

    #[test]
    fn public_key_matches_the_formula() {
        let n = crate::srp::modulus();
        let g = BigUint::from(2u32);
        let k = crate::srp::multiplier();
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let mut exps = vec![
            BigUint::from(0u32),
            BigUint::from(1u32),
            (BigUint::from(1u32) << 256) - 1u32,
            BigUint::from(1u32) << 255,
            BigUint::from(1u32) << 256, // longer than 256 bits: the variable-time path
            random_bits(&mut rng, 1024),
        ];
        for bits in [8usize, 64, 65, 128, 200, 256] {
            exps.push(random_bits(&mut rng, bits));
        }
        for b in &exps {
            let v = residue(&mut rng);
            assert_eq!(
                public_key(&v, b),
                (k * &v + g.modpow(b, n)) % n,
                "b = {b:x}"
            );
            assert_eq!(public_key_from(&v, &pow_g_secret(b)), public_key(&v, b));
        }
        // Every single bit of a 256-bit exponent: each tooth and column of the comb of g.
        for p in 0..256 {
            let b = BigUint::from(1u32) << p;
            assert_eq!(pow_g_secret(&b), g.modpow(&b, n), "2^{p}");
        }
    }

    #[test]
    fn premaster_matches_modpow() {
        let n = crate::srp::modulus();
        let mut rng = ChaCha20Rng::seed_from_u64(13);
        for round in 0..14 {
            let v = residue(&mut rng);
            let table = VerifierTable::new(&v);
            let a = match round {
                0 => BigUint::from(1u32),
                1 => n - 1u32,
                2 => n + 5u32, // not reduced: reduced first
                _ => residue(&mut rng),
            };
            let u = match round {
                12 => BigUint::from(0u32),
                13 => random_bits(&mut rng, 700), // longer than any hash: the plain power
                _ => random_bits(&mut rng, 256),
            };
            let b = match round {
                3 => BigUint::from(0u32),
                4 => BigUint::from(1u32),
                5 => (BigUint::from(1u32) << 256) - 1u32,
                6 => random_bits(&mut rng, 1000), // the variable-time fallback
                _ => random_bits(&mut rng, 256),
            };
            let expected = (&a * v.modpow(&u, n) % n).modpow(&b, n);
            assert_eq!(premaster(&a, &table, &u, &b), expected, "round {round}");
            assert_eq!(
                premaster_uncached(&a, &v, &u, &b),
                expected,
                "round {round}"
            );
        }
    }

    #[test]
    fn final_reduction_is_exact_around_n() {
        let n = crate::srp::modulus();
        let r = BigUint::from(1u32) << (LIMB_BITS as usize * LIMBS);
        // x·R in limbs (not reduced) comes out as x mod N, for x just below, at and above N.
        for x in [
            BigUint::from(0u32),
            n - 1u32,
            n.clone(),
            n + 1u32,
            n * 2u32 - 1u32,
        ] {
            let mont = biguint_to_limbs(&((&x * &r) % (n * 2u32)));
            assert_eq!(from_mont_ct(&mont), &x % n, "x = {x:x}");
        }
    }

    #[test]
    fn ct_select_reads_the_wanted_entry() {
        let table: Vec<Limbs> = (0..16u64).map(|j| [j; LIMBS]).collect();
        for j in 0..16 {
            assert_eq!(ct_select(&table, j), [j as u64; LIMBS]);
        }
    }
}
