//! Tags of user pools (`TagResource`, `UntagResource`, `ListTagsForResource`), the same
//! tags `CreateUserPool`/`UpdateUserPool` take and `DescribeUserPool` shows as
//! `UserPoolTags`.

use serde_json::{Map, Value, json};

use crate::api::{ApiResult, Body, invalid_param, not_found};
use crate::state::{Pool, State};

/// The most tags a user pool can have.
const MAX_TAGS: usize = 50;

/// The pool a `ResourceArn` names (`arn:aws:cognito-idp:<region>:<account>:userpool/<id>`).
fn pool_of<'a>(st: &'a mut State, b: &Body) -> ApiResult<&'a mut Pool> {
    let arn = b.str("ResourceArn")?;
    let missing = || not_found(format!("Resource {arn} does not exist."));
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("cognito-idp"), Some(region), Some(_account), Some(res)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(invalid_param(format!("Invalid ResourceArn {arn}")));
    };
    let id = res.strip_prefix("userpool/").ok_or_else(missing)?;
    if id.split('_').next() != Some(region) {
        return Err(missing());
    }
    st.find_pool_mut(id).ok_or_else(missing)
}

fn tags_of(pool: &Pool) -> Map<String, Value> {
    pool.config
        .get("UserPoolTags")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

pub(crate) fn tag_resource(st: &mut State, b: &Body) -> ApiResult<Value> {
    let add = b.str_map("Tags")?;
    let pool = pool_of(st, b)?;
    let mut tags = tags_of(pool);
    for (k, v) in add {
        tags.insert(k, json!(v));
    }
    if tags.len() > MAX_TAGS {
        return Err(invalid_param(format!(
            "A user pool can have at most {MAX_TAGS} tags."
        )));
    }
    pool.config
        .insert("UserPoolTags".into(), Value::Object(tags));
    Ok(json!({}))
}

pub(crate) fn untag_resource(st: &mut State, b: &Body) -> ApiResult<Value> {
    let keys = b.opt_str_list("TagKeys")?.unwrap_or_default();
    let pool = pool_of(st, b)?;
    let mut tags = tags_of(pool);
    for k in keys {
        tags.remove(&k);
    }
    pool.config
        .insert("UserPoolTags".into(), Value::Object(tags));
    Ok(json!({}))
}

pub(crate) fn list_tags_for_resource(st: &mut State, b: &Body) -> ApiResult<Value> {
    let pool = pool_of(st, b)?;
    Ok(json!({ "Tags": tags_of(pool) }))
}
