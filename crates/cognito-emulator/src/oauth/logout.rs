//! `GET /logout`: ends the browser's hosted session, then goes to a registered sign-out URL
//! (`logout_uri`) or back to the sign-in page (`redirect_uri` + `response_type`).

use http::Response;

use super::html::page;
use super::{Hosted, SESSION_COOKIE, param, redirect, with_query};
use crate::Shared;
use crate::state::client_list;

pub(crate) fn get(shared: &Shared, h: &Hosted<'_>) -> Response<Vec<u8>> {
    let q = h.query();
    let mut st = shared.lock();
    let client = match param(&q, "client_id").map(|c| st.client(c)) {
        Some(Ok(c)) if c.pool_id == h.pool_id => c,
        _ => {
            return page(
                400,
                "Error",
                "An error was encountered with the requested page.",
            );
        }
    };
    let target = if let Some(logout_uri) = param(&q, "logout_uri") {
        if !client_list(&client, "LogoutURLs")
            .iter()
            .any(|u| u == logout_uri)
        {
            return page(
                400,
                "Error",
                "An error was encountered with the requested page.",
            );
        }
        logout_uri.to_string()
    } else if let (Some(redirect_uri), Some(_)) =
        (param(&q, "redirect_uri"), param(&q, "response_type"))
    {
        if !client_list(&client, "CallbackURLs")
            .iter()
            .any(|u| u == redirect_uri)
        {
            return page(
                400,
                "Error",
                "An error was encountered with the requested page.",
            );
        }
        let mut params: Vec<(&str, String)> = Vec::new();
        for key in [
            "client_id",
            "redirect_uri",
            "response_type",
            "state",
            "nonce",
            "code_challenge",
            "code_challenge_method",
        ] {
            if let Some(v) = param(&q, key) {
                params.push((key, v.to_string()));
            }
        }
        // A missing scope means every scope of the client.
        let scope = param(&q, "scope")
            .map(str::to_string)
            .unwrap_or_else(|| client_list(&client, "AllowedOAuthScopes").join(" "));
        params.push(("scope", scope));
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        with_query(&format!("{}/login", h.base), &pairs)
    } else {
        return page(
            400,
            "Error",
            "An error was encountered with the requested page.",
        );
    };
    if let Some(sid) = h.cookie(SESSION_COOKIE) {
        st.oauth_mut().sessions.remove(&sid);
    }
    redirect(&target, &[h.set_cookie(SESSION_COOKIE, None)])
}
