//! `ListUsers`: pages of a pool's users, AWS's filter grammar and `AttributesToGet`.

use serde_json::{Value, json};

use crate::api::{ApiResult, Body, invalid_param};
use crate::ops::admin::user_type;
use crate::ops::page;
use crate::state::User;

/// The attributes AWS lets `ListUsers` filter on.
const SEARCHABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// A parsed `Filter`: `attr = "value"` (exact) or `attr ^= "value"` (prefix).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Filter {
    attr: String,
    prefix: bool,
    value: String,
}

/// A filter that does not follow the grammar: AWS's wording for it, as its responses show.
fn bad_filter() -> crate::api::ApiError {
    invalid_param("Error while parsing filter.")
}

/// A well-formed filter on an attribute that cannot be searched.
fn unsearchable() -> crate::api::ApiError {
    invalid_param("Invalid search filter.")
}

/// Parses AWS's filter grammar; `None` for an empty filter (every user).
pub(crate) fn parse_filter(f: &str) -> ApiResult<Option<Filter>> {
    let f = f.trim();
    if f.is_empty() {
        return Ok(None);
    }
    let name_end = f
        .find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .ok_or_else(bad_filter)?;
    let attr = &f[..name_end];
    let rest = f[name_end..].trim_start();
    let (prefix, rest) = if let Some(r) = rest.strip_prefix("^=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix('=') {
        (false, r)
    } else {
        return Err(bad_filter());
    };
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .ok_or_else(bad_filter)?;
    // Quotation marks inside the value are escaped with a backslash.
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(bad_filter)?),
            '"' => return Err(bad_filter()),
            c => value.push(c),
        }
    }
    if !SEARCHABLE.contains(&attr) {
        return Err(unsearchable());
    }
    Ok(Some(Filter {
        attr: attr.to_string(),
        prefix,
        value,
    }))
}

impl Filter {
    fn matches(&self, u: &User) -> bool {
        let have = match self.attr.as_str() {
            "username" => Some(u.username.as_str()),
            "sub" => Some(u.sub.as_str()),
            // `status` is the console's "Enabled" column.
            "status" => Some(if u.enabled { "Enabled" } else { "Disabled" }),
            "cognito:user_status" => {
                // Compared without regard to case, as AWS documents.
                let s = u.status.to_ascii_lowercase();
                let v = self.value.to_ascii_lowercase();
                return if self.prefix {
                    s.starts_with(&v)
                } else {
                    s == v
                };
            }
            a => u.attr(a),
        };
        have.is_some_and(|h| {
            if self.prefix {
                h.starts_with(self.value.as_str())
            } else {
                h == self.value
            }
        })
    }
}

/// AWS answers `AttributesToGet` only when every user of the page has a value for every
/// attribute asked for (its API reference: "Amazon Cognito returns an error if not all users
/// in the results have set a value for the attribute you request"); a name that is no
/// attribute of the pool gets the same error, even on an empty page.
fn check_attributes_to_get(
    schema: &crate::schema::Schema,
    wanted: &[String],
    users: &[Value],
) -> ApiResult<()> {
    let has = |u: &Value, name: &str| {
        u["Attributes"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["Name"] == name))
    };
    let missing = wanted
        .iter()
        .any(|name| schema.get(name).is_none() || users.iter().any(|u| !has(u, name)));
    if missing {
        return Err(invalid_param(
            "One or more requested attributes do not exist.",
        ));
    }
    Ok(())
}

pub(crate) fn list_users(st: &mut crate::state::State, b: &Body) -> ApiResult<Value> {
    let pool_id = b.str("UserPoolId")?;
    let filter = b
        .opt_str("Filter")?
        .map(parse_filter)
        .transpose()?
        .flatten();
    let wanted = b.opt_str_list("AttributesToGet")?;
    let limit = page::limit_up_to_60(b, "Limit")?;
    let token = b.opt_str("PaginationToken")?;
    let pool = st.pool(pool_id)?;
    let items = pool
        .users
        .values()
        .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u)))
        .map(|u| {
            let mut t = user_type(u, "Attributes");
            if let Some(w) = &wanted
                && let Some(attrs) = t["Attributes"].as_array_mut()
            {
                attrs.retain(|a| a["Name"].as_str().is_some_and(|n| w.iter().any(|x| x == n)));
            }
            (u.username.clone(), t)
        });
    // The filter is part of the scope: a token resumes only the listing that issued it.
    let scope = format!(
        "ListUsers\0{pool_id}\0{}",
        b.opt_str("Filter")?.unwrap_or("")
    );
    let (users, next) = page::page(st, &scope, token, limit, items)?;
    if let Some(w) = &wanted {
        check_attributes_to_get(&st.pool(pool_id)?.schema, w, &users)?;
    }
    let mut out = json!({ "Users": users });
    if let Some(n) = next {
        out["PaginationToken"] = json!(n);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_grammar() {
        let f = parse_filter(r#"family_name = "Re\"ddy""#).unwrap().unwrap();
        assert_eq!(
            (f.attr.as_str(), f.prefix, f.value.as_str()),
            ("family_name", false, "Re\"ddy")
        );
        let f = parse_filter(r#"email^="a@""#).unwrap().unwrap();
        assert!(f.prefix);
        assert!(parse_filter("  ").unwrap().is_none());
        for bad in [
            r#"custom:x = "1""#,
            r#"email = a"#,
            r#"email == "a""#,
            r#"email "a""#,
            r#"email = "a"b""#,
            r#"email = "a\"#,
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }
}
