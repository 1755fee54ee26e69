//! Modular exponentiation in the SRP group (reference implementation over num-bigint;
//! the performance work replaces the internals, not the signatures).

use super::modulus;
use num_bigint::BigUint;

/// `g^exp mod N` with g = 2.
pub fn pow_g(exp: &BigUint) -> BigUint {
    super::generator().modpow(exp, modulus())
}

/// `base^exp mod N`; `base` must already be reduced below N.
pub fn pow_mod_n(base: &BigUint, exp: &BigUint) -> BigUint {
    base.modpow(exp, modulus())
}
