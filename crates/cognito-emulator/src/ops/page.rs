//! Pagination shared by every listing: opaque, authenticated tokens that name the last item
//! returned, so a listing resumes after that key however many items were added meanwhile.

use base64::Engine;
// Standard base64, as AWS's own tokens: the URL-safe alphabet can begin a token with `-`, which
// a command line then reads as an option (`aws ... --next-token -abc` fails).
use base64::engine::general_purpose::STANDARD_NO_PAD as TOKEN_BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::api::{ApiResult, invalid_param};
use crate::state::State;

/// Length of the token's authentication tag, in bytes.
const TAG_LEN: usize = 16;

fn tag(st: &State, scope: &str, key: &str) -> [u8; TAG_LEN] {
    // The scope and the key are length-prefixed so that no two (scope, key) pairs share an
    // input, and a token of one listing (operation, pool, group) is refused by another.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(st.page_key())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(&(scope.len() as u64).to_be_bytes());
    mac.update(scope.as_bytes());
    mac.update(key.as_bytes());
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&full[..TAG_LEN]);
    out
}

fn encode(st: &State, scope: &str, key: &str) -> String {
    let mut raw = tag(st, scope, key).to_vec();
    raw.extend_from_slice(key.as_bytes());
    TOKEN_BASE64.encode(raw)
}

/// The error AWS answers for a pagination token it did not issue.
fn bad_token(token: &str) -> crate::api::ApiError {
    let shown: String = token.chars().take(64).collect();
    invalid_param(format!("Paging marker {shown} is invalid for request."))
}

fn decode(st: &State, scope: &str, token: &str) -> ApiResult<String> {
    let raw = TOKEN_BASE64.decode(token).map_err(|_| bad_token(token))?;
    if raw.len() < TAG_LEN {
        return Err(bad_token(token));
    }
    let (t, key) = raw.split_at(TAG_LEN);
    let key = String::from_utf8(key.to_vec()).map_err(|_| bad_token(token))?;
    let expected = tag(st, scope, &key);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(t, &expected[..])) {
        return Err(bad_token(token));
    }
    Ok(key)
}

/// One page of `items` (which must come in ascending key order): the items after the token's
/// key, at most `limit` of them, and the token of the next page when more remain.
pub(crate) fn page<T>(
    st: &State,
    scope: &str,
    token: Option<&str>,
    limit: usize,
    items: impl IntoIterator<Item = (String, T)>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let after = token.map(|t| decode(st, scope, t)).transpose()?;
    let mut out = Vec::new();
    let mut last = None;
    let mut more = false;
    for (key, item) in items {
        if after.as_ref().is_some_and(|a| key.as_str() <= a.as_str()) {
            continue;
        }
        if out.len() == limit {
            more = true;
            break;
        }
        last = Some(key);
        out.push(item);
    }
    let next = match (more, last) {
        (true, Some(k)) => Some(encode(st, scope, &k)),
        _ => None,
    };
    Ok((out, next))
}

/// A `Limit`/`MaxResults` member, `default` when absent (the model has already bounded it).
pub(crate) fn limit(b: &crate::api::Body, name: &str, default: i64) -> ApiResult<usize> {
    Ok(b.opt_i64(name)?.unwrap_or(default).max(0) as usize)
}

/// A `Limit` of 0 to 60 where 0, like an absent limit, means 60: AWS's models allow 0, and an
/// empty page that carries a token would never let a paginator finish.
pub(crate) fn limit_up_to_60(b: &crate::api::Body, name: &str) -> ApiResult<usize> {
    match limit(b, name, 60)? {
        0 => Ok(60),
        n => Ok(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(keys: &[&str]) -> Vec<(String, String)> {
        keys.iter()
            .map(|k| (k.to_string(), k.to_string()))
            .collect()
    }

    #[test]
    fn pages_resume_after_the_last_key_across_inserts() {
        let st = State::new("us-east-1".into());
        let (p1, t) = page(&st, "s", None, 2, items(&["a", "c", "e"])).unwrap();
        assert_eq!(p1, ["a", "c"]);
        let t = t.unwrap();
        // An item inserted before the cursor is not repeated, one after it is not skipped.
        let (p2, t2) = page(&st, "s", Some(&t), 2, items(&["a", "b", "c", "d", "e"])).unwrap();
        assert_eq!(p2, ["d", "e"]);
        assert!(t2.is_none());
    }

    proptest::proptest! {
        /// Paging through a set that grows between pages lists every key present from the
        /// start exactly once, never repeats a key, and keeps ascending order.
        #[test]
        fn growing_sets_page_without_skips_or_repeats(
            initial in proptest::collection::btree_set("[a-z]{1,4}", 0..40),
            inserts in proptest::collection::vec(
                proptest::collection::vec("[a-z]{1,4}", 0..4), 0..20),
            size in 1usize..7,
        ) {
            let st = State::new("us-east-1".into());
            let mut set = initial.clone();
            let mut seen: Vec<String> = Vec::new();
            let mut token: Option<String> = None;
            let mut round = 0;
            loop {
                let items: Vec<(String, String)> =
                    set.iter().map(|k| (k.clone(), k.clone())).collect();
                let (got, next) = page(&st, "s", token.as_deref(), size, items).unwrap();
                proptest::prop_assert!(got.len() <= size);
                seen.extend(got);
                if let Some(add) = inserts.get(round) {
                    set.extend(add.iter().cloned());
                }
                round += 1;
                match next {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            proptest::prop_assert!(seen.windows(2).all(|w| w[0] < w[1]), "ascending, no repeat");
            for k in &initial {
                proptest::prop_assert!(seen.contains(k), "{} skipped", k);
            }
        }
    }

    #[test]
    fn forged_and_foreign_tokens_are_refused() {
        let st = State::new("us-east-1".into());
        let (_, t) = page(&st, "s", None, 1, items(&["a", "b"])).unwrap();
        let t = t.unwrap();
        assert!(page(&st, "other", Some(&t), 1, items(&["a", "b"])).is_err());
        let forged = TOKEN_BASE64.encode([&[0u8; TAG_LEN][..], b"a"].concat());
        let e = page(&st, "s", Some(&forged), 1, items(&["a", "b"])).unwrap_err();
        assert_eq!(e.kind, "InvalidParameterException");
        assert!(page(&st, "s", Some("!!"), 1, items(&["a"])).is_err());
        let other = State::new("us-east-1".into());
        assert!(page(&other, "s", Some(&t), 1, items(&["a", "b"])).is_err());
    }

    #[test]
    fn no_token_begins_with_a_dash() {
        // One token in 64 would, with the URL-safe alphabet; 2,000 keys see it happen.
        let st = State::new("us-east-1".into());
        let keys: Vec<String> = (0..2001).map(|i| format!("k{i:05}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let mut token = None;
        for _ in 0..2000 {
            let (_, next) = page(&st, "s", token.as_deref(), 1, items(&refs)).unwrap();
            let t = next.expect("more pages");
            assert!(!t.starts_with('-'), "{t}");
            token = Some(t);
        }
    }
}
