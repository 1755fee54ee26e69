//! Groups: stored per pool, with members, and the `cognito:groups`, `cognito:roles` and
//! `cognito:preferred_role` claims they put in tokens.

use serde_json::{Map, Value, json};

use crate::api::{ApiError, ApiResult, Body, not_found};
use crate::ops::admin::user_type;
use crate::ops::page;
use crate::state::{Group, Pool, State};

fn group_missing() -> ApiError {
    not_found("Group not found.")
}

fn group_json(pool_id: &str, g: &Group) -> Value {
    let mut m = Map::new();
    m.insert("GroupName".into(), json!(g.name));
    m.insert("UserPoolId".into(), json!(pool_id));
    if let Some(d) = &g.description {
        m.insert("Description".into(), json!(d));
    }
    if let Some(r) = &g.role_arn {
        m.insert("RoleArn".into(), json!(r));
    }
    if let Some(p) = g.precedence {
        m.insert("Precedence".into(), json!(p));
    }
    m.insert("LastModifiedDate".into(), json!(g.modified));
    m.insert("CreationDate".into(), json!(g.created));
    Value::Object(m)
}

pub(crate) fn create_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?.to_string();
    let description = b.opt_str("Description")?.map(str::to_string);
    let role_arn = b.opt_str("RoleArn")?.map(str::to_string);
    let precedence = b.opt_i64("Precedence")?;
    let now = st.now_f();
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    if pool.res.groups.contains_key(&name) {
        return Err(ApiError::new(
            "GroupExistsException",
            format!("A group with the name {name} already exists."),
        ));
    }
    let g = Group {
        name: name.clone(),
        description,
        role_arn,
        precedence,
        created: now,
        modified: now,
        members: Default::default(),
    };
    let out = group_json(&pool.id, &g);
    pool.res.groups.insert(name, g);
    Ok(json!({ "Group": out }))
}

pub(crate) fn get_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let g = pool.res.groups.get(name).ok_or_else(group_missing)?;
    Ok(json!({ "Group": group_json(&pool.id, g) }))
}

/// `UpdateGroup` changes the members the request carries and keeps the others.
pub(crate) fn update_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?;
    let description = b.opt_str("Description")?;
    let role_arn = b.opt_str("RoleArn")?;
    let precedence = b.opt_i64("Precedence")?;
    let now = st.now_f();
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    let pool_id = pool.id.clone();
    let g = pool.res.groups.get_mut(name).ok_or_else(group_missing)?;
    if let Some(d) = description {
        g.description = Some(d.to_string());
    }
    if let Some(r) = role_arn {
        g.role_arn = Some(r.to_string());
    }
    if let Some(p) = precedence {
        g.precedence = Some(p);
    }
    g.modified = now;
    Ok(json!({ "Group": group_json(&pool_id, g) }))
}

pub(crate) fn delete_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?;
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    pool.res.groups.remove(name).ok_or_else(group_missing)?;
    Ok(json!({}))
}

fn with_next(mut out: Value, next: Option<String>) -> Value {
    if let Some(n) = next {
        out["NextToken"] = json!(n);
    }
    out
}

pub(crate) fn list_groups(st: &mut State, b: &Body) -> ApiResult<Value> {
    let limit = page::limit_up_to_60(b, "Limit")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let items = pool
        .res
        .groups
        .values()
        .map(|g| (g.name.clone(), group_json(&pool.id, g)));
    let scope = format!("ListGroups\0{}", pool.id);
    let (groups, next) = page::page(st, &scope, b.opt_str("NextToken")?, limit, items)?;
    Ok(with_next(json!({ "Groups": groups }), next))
}

/// The pool and internal username of an admin request's `Username`.
fn member<'a>(st: &'a mut State, b: &Body) -> ApiResult<(&'a mut Pool, String)> {
    let pool = st.pool_mut(b.str("UserPoolId")?)?;
    let username = pool
        .resolve(b.str("Username")?)
        .ok_or_else(crate::api::user_not_found)?;
    Ok((pool, username))
}

pub(crate) fn admin_add_user_to_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?.to_string();
    let (pool, username) = member(st, b)?;
    let g = pool.res.groups.get_mut(&name).ok_or_else(group_missing)?;
    g.members.insert(username);
    Ok(json!({}))
}

pub(crate) fn admin_remove_user_from_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?.to_string();
    let (pool, username) = member(st, b)?;
    let g = pool.res.groups.get_mut(&name).ok_or_else(group_missing)?;
    g.members.remove(&username);
    Ok(json!({}))
}

pub(crate) fn admin_list_groups_for_user(st: &mut State, b: &Body) -> ApiResult<Value> {
    let limit = page::limit_up_to_60(b, "Limit")?;
    let (pool, username) = member(st, b)?;
    let pool = &*pool;
    let items: Vec<(String, Value)> = pool
        .res
        .groups
        .values()
        .filter(|g| g.members.contains(&username))
        .map(|g| (g.name.clone(), group_json(&pool.id, g)))
        .collect();
    let scope = format!("AdminListGroupsForUser\0{}\0{username}", pool.id);
    let token = b.opt_str("NextToken")?;
    let (groups, next) = page::page(st, &scope, token, limit, items)?;
    Ok(with_next(json!({ "Groups": groups }), next))
}

pub(crate) fn list_users_in_group(st: &mut State, b: &Body) -> ApiResult<Value> {
    let name = b.str("GroupName")?;
    let limit = page::limit_up_to_60(b, "Limit")?;
    let pool = st.pool(b.str("UserPoolId")?)?;
    let g = pool.res.groups.get(name).ok_or_else(group_missing)?;
    let items = g.members.iter().filter_map(|u| {
        pool.users
            .get(u)
            .map(|user| (u.clone(), user_type(user, "Attributes")))
    });
    let scope = format!("ListUsersInGroup\0{}\0{name}", pool.id);
    let (users, next) = page::page(st, &scope, b.opt_str("NextToken")?, limit, items)?;
    Ok(with_next(json!({ "Users": users }), next))
}

/// Adds the group claims of `username` to an ID token (`with_roles`) or an access token.
///
/// `cognito:preferred_role` is the role of the highest-priority group that has one (lowest
/// `Precedence`; a group without precedence ranks last). When groups tie at that rank with
/// different roles, AWS sets no preferred role, and neither does the emulator.
pub(crate) fn add_group_claims(
    pool: &Pool,
    username: &str,
    claims: &mut Map<String, Value>,
    with_roles: bool,
) {
    let groups = pool.groups_of(username);
    if groups.is_empty() {
        return;
    }
    claims.insert(
        "cognito:groups".into(),
        json!(groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>()),
    );
    if !with_roles {
        return;
    }
    let with_role: Vec<(&str, Option<i64>)> = groups
        .iter()
        .filter_map(|g| g.role_arn.as_deref().map(|r| (r, g.precedence)))
        .collect();
    if with_role.is_empty() {
        return;
    }
    let mut roles: Vec<&str> = Vec::new();
    for (r, _) in &with_role {
        if !roles.contains(r) {
            roles.push(r);
        }
    }
    claims.insert("cognito:roles".into(), json!(roles));
    let best = with_role
        .iter()
        .map(|(_, p)| p.unwrap_or(i64::MAX))
        .min()
        .unwrap_or(i64::MAX);
    let mut top = with_role
        .iter()
        .filter(|(_, p)| p.unwrap_or(i64::MAX) == best)
        .map(|(r, _)| *r);
    if let Some(first) = top.next()
        && top.all(|r| r == first)
    {
        claims.insert("cognito:preferred_role".into(), json!(first));
    }
}
