//! A user pool and what it owns besides its users and clients.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::changes::{Kind, Tracked};
use super::{PoolSettings, User, Users};
use crate::api::{ApiError, ApiResult};
use crate::tokens::LazyKeys;

/// A user pool.
#[derive(Clone)]
pub(crate) struct Pool {
    pub id: String,
    pub name: String,
    pub created: f64,
    pub modified: f64,
    pub config: Map<String, Value>,
    pub s: PoolSettings,
    pub users: Users,
    pub keys: LazyKeys,
    pub schema: crate::schema::Schema,
    pub res: PoolResources,
}

/// A group of a pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Group {
    pub name: String,
    pub description: Option<String>,
    pub role_arn: Option<String>,
    pub precedence: Option<i64>,
    pub created: f64,
    pub modified: f64,
    /// Internal usernames of the members.
    pub members: BTreeSet<String>,
}

/// A stored resource described as given (resource servers, identity providers).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub body: Map<String, Value>,
    pub created: f64,
    pub modified: f64,
}

/// The resources a pool owns besides its users and clients, each keyed by its name so that
/// listings have a stable order to paginate over.
#[derive(Clone, Debug)]
pub(crate) struct PoolResources {
    pub groups: Tracked<Group>,
    pub resource_servers: BTreeMap<String, Stored>,
    pub idps: BTreeMap<String, Stored>,
    /// The prefix domain (`<prefix>.auth.<region>.amazoncognito.com`) and custom domain.
    pub domain: Option<String>,
    pub custom_domain: Option<String>,
}

impl PoolResources {
    /// A new pool's (empty) resources.
    pub fn new(pool_id: &str) -> PoolResources {
        PoolResources {
            groups: Tracked::new(Kind::Group, pool_id),
            resource_servers: BTreeMap::new(),
            idps: BTreeMap::new(),
            domain: None,
            custom_domain: None,
        }
    }
}

impl Pool {
    /// A pool read back from the data directory (its users and groups are loaded after it).
    pub(crate) fn restore(rec: PoolRecord, keys: LazyKeys) -> Pool {
        let s = PoolSettings::from_config(&rec.config);
        let mut users = Users::new(&rec.id);
        users.set_alias_attrs(Pool::alias_attrs_of(&s), !s.case_sensitive);
        let mut res = PoolResources::new(&rec.id);
        res.resource_servers = rec.resource_servers;
        res.idps = rec.idps;
        res.domain = rec.domain;
        res.custom_domain = rec.custom_domain;
        Pool {
            id: rec.id,
            name: rec.name,
            created: rec.created,
            modified: rec.modified,
            config: rec.config,
            s,
            users,
            keys,
            schema: rec.schema,
            res,
        }
    }

    /// Gives the pool another id (a seed document's fixed id); its users and groups follow.
    pub(crate) fn set_id(&mut self, id: &str) {
        self.id = id.to_string();
        self.users.set_pool_id(id);
        self.res.groups.rescope(id);
    }

    /// Deletes a user and its group memberships (a later user of the same name starts in no
    /// group).
    pub fn remove_user(&mut self, username: &str) -> Option<User> {
        for g in self.res.groups.values_mut() {
            g.members.remove(username);
        }
        self.users.remove(username)
    }

    /// The groups `username` belongs to, by precedence (lowest first, groups without one
    /// last), then by name: the order of `cognito:groups` and `cognito:roles`.
    pub fn groups_of(&self, username: &str) -> Vec<&Group> {
        let mut v: Vec<&Group> = self
            .res
            .groups
            .values()
            .filter(|g| g.members.contains(username))
            .collect();
        v.sort_by_key(|g| (g.precedence.unwrap_or(i64::MAX), g.name.clone()));
        v
    }
}

/// A user-pool domain (prefix or custom), unique across the emulator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct DomainRecord {
    pub pool_id: String,
    pub custom: bool,
    pub managed_login_version: i64,
    pub certificate_arn: Option<String>,
}

impl Pool {
    /// The sign-in aliases of a pool's settings, for [`Users::set_alias_attrs`].
    pub fn alias_attrs_of(s: &PoolSettings) -> Vec<(String, bool)> {
        ["email", "phone_number", "preferred_username"]
            .into_iter()
            .filter_map(|attr| {
                let as_username = s.username_attrs.iter().any(|a| a == attr);
                let as_alias = s.alias_attrs.iter().any(|a| a == attr);
                (as_username || as_alias).then(|| {
                    let needs_verified = !as_username && attr != "preferred_username";
                    (attr.to_string(), needs_verified)
                })
            })
            .collect()
    }

    /// Resolves a username or sign-in alias to the internal username.
    pub fn resolve(&self, name: &str) -> Option<String> {
        if self.users.contains_key(name) {
            return Some(name.to_string());
        }
        if !self.s.case_sensitive
            && let Some(u) = self.users.find_ignoring_case(name)
        {
            return Some(u.to_string());
        }
        for attr in ["email", "phone_number", "preferred_username"] {
            if let Some(u) = self.users.find_alias(attr, name) {
                return Some(u.to_string());
            }
        }
        None
    }

    pub fn user(&self, username: &str) -> ApiResult<&User> {
        self.users
            .get(username)
            .ok_or_else(crate::api::user_not_found)
    }

    pub fn user_mut(&mut self, username: &str) -> ApiResult<&mut User> {
        self.users
            .get_mut(username)
            .ok_or_else(crate::api::user_not_found)
    }

    pub fn issuer(&self) -> String {
        let region = self.id.split('_').next().unwrap_or("us-east-1");
        format!("https://cognito-idp.{region}.amazonaws.com/{}", self.id)
    }
}

/// Marks a confirmed user's e-mail and phone number verified (unless a flag says otherwise),
/// as the emulator's user helpers and seed documents promise; a value that is already another
/// user's verified alias stays unverified, so that no two users hold the same alias.
pub(crate) fn verify_contacts(pool: &mut Pool, username: &str) -> ApiResult<()> {
    let mut after = pool.user(username)?.attrs().clone();
    for attr in ["email", "phone_number"] {
        let key = format!("{attr}_verified");
        if after.contains_key(attr) && !after.contains_key(&key) {
            let mut trial = after.clone();
            trial.insert(key.clone(), "true".into());
            if pool.users.alias_clash(username, &trial).is_none() {
                after = trial;
            }
        }
    }
    pool.users.update_attrs(username, |a| *a = after)
}

/// The SRP realm of a pool (the part of its id after `_`).
pub(crate) fn pool_name(pool_id: &str) -> ApiResult<&str> {
    pool_id
        .split_once('_')
        .map(|(_, n)| n)
        .ok_or_else(|| ApiError::new("InternalErrorException", "bad pool id"))
}

/// What the durable store keeps of a pool (users, groups and keys are records of their own).
#[derive(Serialize, Deserialize)]
pub(crate) struct PoolRecord {
    pub id: String,
    pub name: String,
    pub created: f64,
    pub modified: f64,
    pub config: Map<String, Value>,
    pub schema: crate::schema::Schema,
    pub resource_servers: BTreeMap<String, Stored>,
    pub idps: BTreeMap<String, Stored>,
    pub domain: Option<String>,
    pub custom_domain: Option<String>,
}

/// [`PoolRecord`] borrowed from a pool, to serialise without copying it.
#[derive(Serialize)]
pub(crate) struct PoolRecordRef<'a> {
    id: &'a str,
    name: &'a str,
    created: f64,
    modified: f64,
    config: &'a Map<String, Value>,
    schema: &'a crate::schema::Schema,
    resource_servers: &'a BTreeMap<String, Stored>,
    idps: &'a BTreeMap<String, Stored>,
    domain: &'a Option<String>,
    custom_domain: &'a Option<String>,
}

impl<'a> PoolRecordRef<'a> {
    pub(crate) fn of(p: &'a Pool) -> PoolRecordRef<'a> {
        PoolRecordRef {
            id: &p.id,
            name: &p.name,
            created: p.created,
            modified: p.modified,
            config: &p.config,
            schema: &p.schema,
            resource_servers: &p.res.resource_servers,
            idps: &p.res.idps,
            domain: &p.res.domain,
            custom_domain: &p.res.custom_domain,
        }
    }
}
