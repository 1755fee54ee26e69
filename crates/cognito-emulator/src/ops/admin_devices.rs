//! The admin device operations (a user's devices by pool and username) and the device
//! listing both `ListDevices` and `AdminListDevices` page through.

use serde_json::{Value, json};

use crate::api::{ApiError, ApiResult, Body};
use crate::ops::devices::{confirmed_device, device_json, device_mut, forget, remembered_status};
use crate::ops::page;
use crate::state::State;

/// One page of a user's confirmed devices, in device-key order.
pub(crate) fn device_page(st: &State, pool_id: &str, username: &str, b: &Body) -> ApiResult<Value> {
    let limit = page::limit_up_to_60(b, "Limit")?;
    let user = st.pool(pool_id)?.user(username)?;
    let items = user
        .devices
        .values()
        .filter(|d| d.confirmed())
        .map(|d| (d.key.clone(), device_json(d)));
    let scope = format!("ListDevices\0{pool_id}\0{username}");
    let (devices, next) = page::page(st, &scope, b.opt_str("PaginationToken")?, limit, items)?;
    let mut out = json!({ "Devices": devices });
    if let Some(n) = next {
        out["PaginationToken"] = json!(n);
    }
    Ok(out)
}

/// The pool id and internal username of an admin request.
fn admin_user(st: &State, b: &Body) -> ApiResult<(String, String)> {
    let pool = st.pool(b.str("UserPoolId")?)?;
    let username = pool
        .resolve(b.str("Username")?)
        .ok_or_else(crate::api::user_not_found)?;
    Ok((pool.id.clone(), username))
}

/// [`admin_user`] for the operations whose model declares no `UserNotFoundException`
/// (`AdminGetDevice`, `AdminListDevices`): a user that does not exist is a resource not
/// found, an error those operations declare, with the same message.
fn admin_user_as_resource(st: &State, b: &Body) -> ApiResult<(String, String)> {
    admin_user(st, b).map_err(|e| {
        if e.kind == "UserNotFoundException" {
            ApiError::new("ResourceNotFoundException", e.message)
        } else {
            e
        }
    })
}

pub(crate) fn admin_list_devices(st: &mut State, b: &Body) -> ApiResult<Value> {
    let (pool_id, username) = admin_user_as_resource(st, b)?;
    device_page(st, &pool_id, &username, b)
}

pub(crate) fn admin_get_device(st: &mut State, b: &Body) -> ApiResult<Value> {
    let key = b.str("DeviceKey")?;
    let (pool_id, username) = admin_user_as_resource(st, b)?;
    let d = confirmed_device(st.pool(&pool_id)?.user(&username)?, key)?;
    Ok(json!({ "Device": device_json(d) }))
}

pub(crate) fn admin_forget_device(st: &mut State, b: &Body) -> ApiResult<Value> {
    let key = b.str("DeviceKey")?;
    let (pool_id, username) = admin_user(st, b)?;
    forget(st.users_mut(&pool_id)?, &username, key)?;
    Ok(json!({}))
}

pub(crate) fn admin_update_device_status(st: &mut State, b: &Body) -> ApiResult<Value> {
    let key = b.str("DeviceKey")?;
    let remembered = remembered_status(b)?;
    let now = st.now_f();
    let (pool_id, username) = admin_user(st, b)?;
    let d = device_mut(st.users_mut(&pool_id)?, &username, key)?;
    d.remembered = remembered;
    d.modified = now;
    Ok(json!({}))
}
