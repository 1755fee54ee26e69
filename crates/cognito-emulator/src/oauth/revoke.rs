//! `POST /oauth2/revoke`: revokes a refresh token and every token of its family.

use http::Response;

use super::{Hosted, authenticate_client, oauth_error, param, parse_form};
use crate::Shared;

pub(crate) fn post(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let form = parse_form(h.req.body());
    let mut st = shared.lock();
    let client = match authenticate_client(&st, h, &form) {
        Ok(c) => c,
        Err(r) => return *r,
    };
    let Some(token) = param(&form, "token") else {
        return oauth_error(400, "invalid_request", None);
    };
    if !client.revocation {
        return oauth_error(
            400,
            "invalid_request",
            Some("Token revocation is not enabled for this client."),
        );
    }
    if crate::tokens::decode_unverified(token).is_some() {
        return oauth_error(400, "unsupported_token_type", None);
    }
    // Unknown, already revoked and other clients' tokens get the same empty success, so the
    // answer tells nothing about a token (RFC 7009).
    if let Some(rec) = st.refresh().get(token).cloned()
        && rec.client_id == client.id
    {
        st.revoke_family(&rec.origin_jti);
    }
    Response::builder()
        .status(200)
        .header("Cache-Control", "no-store")
        .header("Access-Control-Allow-Origin", "*")
        .body(Vec::new())
        .unwrap_or_else(|_| Response::new(Vec::new()))
}
