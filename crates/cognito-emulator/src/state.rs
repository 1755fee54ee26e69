//! The emulator's in-memory state: pools, clients, users, sessions, tokens and hooks.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use cognito_proto::secret::{Secret, SecretString};
use cognito_proto::srp::SecretUint;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::{ApiError, ApiResult, not_found};
use crate::challenge::ChallengeName;
use crate::persist::{Kind, Tracked, mark};
use crate::tokens::LazyKeys;
use crate::{Fault, Message};

/// Pool-level MFA setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mfa {
    Off,
    Optional,
    On,
}

/// Settings derived from a pool's stored configuration.
#[derive(Clone, Debug)]
pub(crate) struct PoolSettings {
    pub min_len: usize,
    pub req_upper: bool,
    pub req_lower: bool,
    pub req_num: bool,
    pub req_sym: bool,
    pub temp_days: u64,
    pub mfa: Mfa,
    pub sms_mfa: bool,
    pub totp_mfa: bool,
    pub email_mfa: bool,
    /// `(ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt)` when tracking is on.
    pub device: Option<(bool, bool)>,
    pub username_attrs: Vec<String>,
    pub alias_attrs: Vec<String>,
    pub auto_verified: Vec<String>,
    pub custom_trigger: bool,
    pub first_factors: Vec<String>,
    /// `AccountRecoverySetting`'s mechanisms by priority; `None` when the pool has no such
    /// setting, where Cognito's legacy rule applies: a verified phone number before a verified
    /// e-mail address, whatever MFA the user has.
    pub recovery: Option<Vec<String>>,
    /// `UsernameConfiguration.CaseSensitive`: usernames match only as spelled.
    pub case_sensitive: bool,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`: `SignUp` is refused.
    pub admin_create_only: bool,
}

/// The `SetUserPoolMfaConfig` members that configure an MFA method, stored in the pool's
/// configuration under these names.
pub(crate) const MFA_METHOD_KEYS: [&str; 4] = [
    "SmsMfaConfiguration",
    "SoftwareTokenMfaConfiguration",
    "EmailMfaConfiguration",
    MFA_CONFIGURED,
];

/// Configuration key (never described: descriptions list their members explicitly) that
/// records that `SetUserPoolMfaConfig` has configured the pool's methods.
pub(crate) const MFA_CONFIGURED: &str = "\u{0}MfaMethodsConfigured";

fn bool_at(m: &Map<String, Value>, path: &[&str], default: bool) -> bool {
    let mut cur = m;
    for (i, p) in path.iter().enumerate() {
        match cur.get(*p) {
            Some(Value::Object(o)) if i + 1 < path.len() => cur = o,
            Some(Value::Bool(b)) if i + 1 == path.len() => return *b,
            _ => return default,
        }
    }
    default
}

fn str_list(m: &Map<String, Value>, key: &str) -> Vec<String> {
    m.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl PoolSettings {
    pub fn from_config(c: &Map<String, Value>) -> PoolSettings {
        let pp = c
            .get("Policies")
            .and_then(|p| p.get("PasswordPolicy"))
            .and_then(Value::as_object);
        let ppb = |k: &str| pp.and_then(|p| p.get(k)).and_then(Value::as_bool);
        let mfa = match c.get("MfaConfiguration").and_then(Value::as_str) {
            Some("ON") => Mfa::On,
            Some("OPTIONAL") => Mfa::Optional,
            _ => Mfa::Off,
        };
        // Once SetUserPoolMfaConfig has configured the methods, a method is enabled only when
        // its configuration is present (AWS's SMS and e-mail configurations have no `Enabled`
        // member: present means enabled). A pool created with MFA but never configured keeps
        // every method, which lets tests use MFA without a set-up call.
        let explicit_mfa = MFA_METHOD_KEYS.iter().any(|k| c.contains_key(*k));
        let device = c
            .get("DeviceConfiguration")
            .and_then(Value::as_object)
            .map(|d| {
                (
                    d.get("ChallengeRequiredOnNewDevice")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    d.get("DeviceOnlyRememberedOnUserPrompt")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                )
            });
        let custom_trigger = c
            .get("LambdaConfig")
            .and_then(|l| l.get("DefineAuthChallenge"))
            .is_some();
        let first_factors = c
            .get("Policies")
            .and_then(|p| p.get("SignInPolicy"))
            .and_then(Value::as_object)
            .map(|s| str_list(s, "AllowedFirstAuthFactors"))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec!["PASSWORD".to_string()]);
        let recovery = c
            .get("AccountRecoverySetting")
            .and_then(|a| a.get("RecoveryMechanisms"))
            .and_then(Value::as_array)
            .map(|a| {
                let mut v: Vec<(i64, String)> = a
                    .iter()
                    .filter_map(|m| {
                        Some((
                            m.get("Priority").and_then(Value::as_i64).unwrap_or(1),
                            m.get("Name")?.as_str()?.to_string(),
                        ))
                    })
                    .collect();
                v.sort();
                v.into_iter().map(|(_, n)| n).collect()
            });
        PoolSettings {
            min_len: pp
                .and_then(|p| p.get("MinimumLength"))
                .and_then(Value::as_u64)
                .unwrap_or(8) as usize,
            req_upper: ppb("RequireUppercase").unwrap_or(pp.is_none()),
            req_lower: ppb("RequireLowercase").unwrap_or(pp.is_none()),
            req_num: ppb("RequireNumbers").unwrap_or(pp.is_none()),
            req_sym: ppb("RequireSymbols").unwrap_or(pp.is_none()),
            temp_days: pp
                .and_then(|p| p.get("TemporaryPasswordValidityDays"))
                .and_then(Value::as_u64)
                .unwrap_or(7),
            mfa,
            sms_mfa: !explicit_mfa || c.contains_key("SmsMfaConfiguration"),
            totp_mfa: !explicit_mfa
                || bool_at(c, &["SoftwareTokenMfaConfiguration", "Enabled"], false),
            email_mfa: !explicit_mfa || c.contains_key("EmailMfaConfiguration"),
            device,
            username_attrs: str_list(c, "UsernameAttributes"),
            alias_attrs: str_list(c, "AliasAttributes"),
            auto_verified: str_list(c, "AutoVerifiedAttributes"),
            custom_trigger,
            first_factors,
            recovery,
            case_sensitive: bool_at(c, &["UsernameConfiguration", "CaseSensitive"], false),
            admin_create_only: bool_at(
                c,
                &["AdminCreateUserConfig", "AllowAdminCreateUserOnly"],
                false,
            ),
        }
    }
}

/// What the emulator keeps of a password (never the password itself): the salt, the SRP
/// verifier v = g^x for `USER_SRP_AUTH`, and SHA-256 of the SRP private key x, which checks a
/// password sent in clear (`USER_PASSWORD_AUTH`, `ChangePassword`) with two hashes instead of
/// a 3072-bit power. The digest tells an attacker no more than v does: either lets them test
/// a guessed password, at the cost of computing x.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PasswordRecord {
    #[serde(with = "big")]
    pub salt: BigUint,
    #[serde(with = "big")]
    pub verifier: BigUint,
    pub x_digest: [u8; 32],
    pub set_at: u64,
}

/// A code the emulator delivered and expects back.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct PendingCode {
    pub code: String,
    pub expires: u64,
    pub attempts: u32,
}

/// A remembered (or just tracked) device.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Device {
    pub key: String,
    pub name: Option<String>,
    #[serde(with = "big_opt")]
    pub salt: Option<BigUint>,
    #[serde(with = "big_opt")]
    pub verifier: Option<BigUint>,
    pub remembered: bool,
    pub created: f64,
    pub modified: f64,
    pub last_auth: f64,
}

/// A user's status, one of Cognito's names (an alias, so that serde does not take the field
/// for a string borrowed from its input).
pub(crate) type Status = &'static str;

/// A user of a pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct User {
    pub username: String,
    pub sub: String,
    /// Private so that every change goes through [`Users::update_attrs`], which keeps the
    /// alias index right.
    attrs: BTreeMap<String, String>,
    #[serde(with = "user_status")]
    pub status: Status,
    pub enabled: bool,
    pub created: f64,
    pub modified: f64,
    pub password: Option<PasswordRecord>,
    pub sms_mfa: bool,
    pub email_mfa: bool,
    pub totp_mfa: bool,
    pub preferred: Option<String>,
    pub totp_key: Option<Secret<Vec<u8>>>,
    pub pending_totp: Option<Secret<Vec<u8>>>,
    /// The TOTP time steps of `totp_key` already accepted (and still inside the window):
    /// each code is accepted once.
    pub totp_used_steps: Vec<u64>,
    pub devices: BTreeMap<String, Device>,
    pub device_group_key: String,
    pub codes: HashMap<String, PendingCode>,
    pub failed_logins: u32,
    pub locked_until: u64,
    pub webauthn: Vec<Value>,
    /// The public key and counter of each passkey in `webauthn`, by credential id.
    pub passkeys: HashMap<String, crate::webauthn::Passkey>,
}

impl User {
    pub fn new(username: String, sub: String, now: f64) -> User {
        User {
            username,
            sub,
            attrs: BTreeMap::new(),
            status: "UNCONFIRMED",
            enabled: true,
            created: now,
            modified: now,
            password: None,
            sms_mfa: false,
            email_mfa: false,
            totp_mfa: false,
            preferred: None,
            totp_key: None,
            pending_totp: None,
            totp_used_steps: Vec::new(),
            devices: BTreeMap::new(),
            device_group_key: crate::util::device_group_key(),
            codes: HashMap::new(),
            failed_logins: 0,
            locked_until: 0,
            webauthn: Vec::new(),
            passkeys: HashMap::new(),
        }
    }

    /// The stored attributes (`sub` aside).
    pub fn attrs(&self) -> &BTreeMap<String, String> {
        &self.attrs
    }

    /// Sets (or, with an empty value, removes) an attribute of a user not yet in a pool.
    pub fn with_attr(mut self, name: &str, value: &str) -> User {
        if value.is_empty() {
            self.attrs.remove(name);
        } else {
            self.attrs.insert(name.to_string(), value.to_string());
        }
        self
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).map(String::as_str)
    }

    pub fn verified(&self, name: &str) -> bool {
        self.attr(&format!("{name}_verified")) == Some("true")
    }

    /// The MFA factors the user has enabled (and the pool allows), in Cognito's names.
    pub fn enabled_factors(&self, s: &PoolSettings) -> Vec<ChallengeName> {
        let mut v = Vec::new();
        if self.sms_mfa && s.sms_mfa {
            v.push(ChallengeName::SmsMfa);
        }
        if self.totp_mfa && s.totp_mfa && self.totp_key.is_some() {
            v.push(ChallengeName::SoftwareTokenMfa);
        }
        if self.email_mfa && s.email_mfa {
            v.push(ChallengeName::EmailOtp);
        }
        v
    }

    /// `UserAttributes` in the API shape, `sub` included.
    pub fn attribute_list(&self) -> Value {
        let mut v = vec![serde_json::json!({"Name": "sub", "Value": self.sub})];
        for (k, val) in &self.attrs {
            if k != "sub" {
                v.push(serde_json::json!({"Name": k, "Value": val}));
            }
        }
        Value::Array(v)
    }
}

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
    pub(crate) fn restore(rec: crate::persist::PoolRecord, keys: LazyKeys) -> Pool {
        let s = PoolSettings::from_config(&rec.config);
        let mut users = Users::new(&rec.id);
        users.set_alias_attrs(Pool::alias_attrs_of(&s));
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

/// A pool's users by internal username, with a case-insensitive index and an index of the
/// sign-in aliases in force.
///
/// Sign-in and user creation look usernames up case-insensitively; the index keeps that a
/// hash lookup instead of a scan that lowercased every username of the pool (which made each
/// `AdminCreateUser` and each sign-in by a differently cased name linear in the user count).
/// The alias index does the same for sign-in by e-mail, phone number or preferred username,
/// and is what keeps an alias unique: attributes change only through [`Users::update_attrs`],
/// which updates the index with them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Users {
    /// The pool these users belong to (the scope of their durable records).
    pool_id: String,
    by_name: BTreeMap<String, User>,
    /// Lowercased username → the usernames spelled that way (a set: a seed document may hold
    /// two spellings; the smallest wins, as the scan it replaces did).
    by_lower: HashMap<String, BTreeSet<String>>,
    /// The attributes that are sign-in aliases in this pool, each with whether it counts only
    /// once verified (`AliasAttributes` email/phone) or always (username attributes,
    /// `preferred_username`).
    alias_attrs: Vec<(String, bool)>,
    /// (attribute, lowercased value) → the users holding that alias (one, unless a seed
    /// document or an old state put it on several).
    by_alias: HashMap<(String, String), BTreeSet<String>>,
}

/// A clash of sign-in aliases: the attribute and the user who holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AliasClash {
    pub attr: String,
    pub holder: String,
    /// Whether the holder's alias can be moved (a verified alias; a username attribute or
    /// `preferred_username` cannot).
    pub movable: bool,
}

impl AliasClash {
    /// AWS's `AliasExistsException`.
    pub fn error(&self) -> ApiError {
        ApiError::new(
            "AliasExistsException",
            format!("An account with the given {} already exists.", self.attr),
        )
    }
}

impl Users {
    /// The users of a new pool.
    pub fn new(pool_id: &str) -> Users {
        Users {
            pool_id: pool_id.to_string(),
            ..Users::default()
        }
    }

    /// Moves the users to another pool id (a pool renamed by a seed document).
    pub fn set_pool_id(&mut self, pool_id: &str) {
        self.pool_id = pool_id.to_string();
        for name in self.by_name.keys() {
            mark(Kind::User, pool_id, name);
        }
    }

    /// The internal usernames.
    pub fn names(&self) -> impl Iterator<Item = &String> {
        self.by_name.keys()
    }

    pub fn get(&self, username: &str) -> Option<&User> {
        self.by_name.get(username)
    }

    pub fn get_mut(&mut self, username: &str) -> Option<&mut User> {
        let user = self.by_name.get_mut(username)?;
        mark(Kind::User, &self.pool_id, username);
        Some(user)
    }

    pub fn contains_key(&self, username: &str) -> bool {
        self.by_name.contains_key(username)
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn values(&self) -> impl Iterator<Item = &User> {
        #[cfg(test)]
        tests::SCANNED.with(|c| c.set(c.get() + 1));
        self.by_name.values()
    }

    /// Declares which attributes are sign-in aliases and rebuilds the alias index.
    pub fn set_alias_attrs(&mut self, attrs: Vec<(String, bool)>) {
        self.alias_attrs = attrs;
        self.by_alias.clear();
        let names: Vec<String> = self.by_name.keys().cloned().collect();
        for name in names {
            self.index_aliases(&name, true);
        }
    }

    /// The aliases in force for a user with these attributes.
    fn alias_keys(&self, attrs: &BTreeMap<String, String>) -> Vec<(String, String)> {
        self.alias_attrs
            .iter()
            .filter_map(|(attr, needs_verified)| {
                let v = attrs.get(attr).filter(|v| !v.is_empty())?;
                let verified = attrs
                    .get(&format!("{attr}_verified"))
                    .is_some_and(|f| f == "true");
                (!needs_verified || verified).then(|| (attr.clone(), v.to_lowercase()))
            })
            .collect()
    }

    fn index_aliases(&mut self, username: &str, add: bool) {
        let Some(user) = self.by_name.get(username) else {
            return;
        };
        for key in self.alias_keys(&user.attrs) {
            if add {
                self.by_alias
                    .entry(key)
                    .or_default()
                    .insert(username.to_string());
            } else if let Some(set) = self.by_alias.get_mut(&key) {
                set.remove(username);
                if set.is_empty() {
                    self.by_alias.remove(&key);
                }
            }
        }
    }

    /// Adds (or replaces) a user under its `username`.
    pub fn insert(&mut self, user: User) {
        mark(Kind::User, &self.pool_id, &user.username);
        self.insert_quiet(user);
    }

    /// [`Users::insert`] without noting a change (a user loaded from the data directory).
    pub(crate) fn insert_quiet(&mut self, user: User) {
        let name = user.username.clone();
        self.index_aliases(&name, false);
        self.by_lower
            .entry(name.to_lowercase())
            .or_default()
            .insert(name.clone());
        self.by_name.insert(name.clone(), user);
        self.index_aliases(&name, true);
    }

    pub fn remove(&mut self, username: &str) -> Option<User> {
        self.index_aliases(username, false);
        let user = self.by_name.remove(username)?;
        mark(Kind::User, &self.pool_id, username);
        let lower = username.to_lowercase();
        if let Some(set) = self.by_lower.get_mut(&lower) {
            set.remove(username);
            if set.is_empty() {
                self.by_lower.remove(&lower);
            }
        }
        Some(user)
    }

    /// Changes a user's attributes (the only way to, once the user is in the pool).
    pub fn update_attrs<R>(
        &mut self,
        username: &str,
        f: impl FnOnce(&mut BTreeMap<String, String>) -> R,
    ) -> ApiResult<R> {
        if !self.by_name.contains_key(username) {
            return Err(crate::api::user_not_found());
        }
        self.index_aliases(username, false);
        mark(Kind::User, &self.pool_id, username);
        let user = self
            .by_name
            .get_mut(username)
            .ok_or_else(crate::api::user_not_found)?;
        let r = f(&mut user.attrs);
        self.index_aliases(username, true);
        Ok(r)
    }

    /// The internal username equal to `name` ignoring case (the smallest if several are).
    pub fn find_ignoring_case(&self, name: &str) -> Option<&str> {
        self.by_lower
            .get(&name.to_lowercase())
            .and_then(|set| set.first())
            .map(String::as_str)
    }

    /// The user whose alias `attr` in force is `value` (ignoring case).
    pub fn find_alias(&self, attr: &str, value: &str) -> Option<&str> {
        self.by_alias
            .get(&(attr.to_string(), value.to_lowercase()))
            .and_then(|set| set.first())
            .map(String::as_str)
    }

    /// The first alias a user `username` (new or existing) would share with another user if
    /// its attributes were `attrs`.
    pub fn alias_clash(
        &self,
        username: &str,
        attrs: &BTreeMap<String, String>,
    ) -> Option<AliasClash> {
        for (attr, value) in self.alias_keys(attrs) {
            let holder = self
                .by_alias
                .get(&(attr.clone(), value))
                .and_then(|set| set.iter().find(|u| *u != username));
            if let Some(holder) = holder {
                let movable = self
                    .alias_attrs
                    .iter()
                    .any(|(a, needs_verified)| *a == attr && *needs_verified);
                return Some(AliasClash {
                    attr,
                    holder: holder.clone(),
                    movable,
                });
            }
        }
        None
    }

    /// Checks that a user may hold `attrs` without sharing an alias; with `force`, takes a
    /// verified alias away from its holder (`ForceAliasCreation`) instead of failing.
    pub fn claim_aliases(
        &mut self,
        username: &str,
        attrs: &BTreeMap<String, String>,
        force: bool,
    ) -> ApiResult<()> {
        while let Some(clash) = self.alias_clash(username, attrs) {
            if !(force && clash.movable) {
                return Err(clash.error());
            }
            let flag = format!("{}_verified", clash.attr);
            self.update_attrs(&clash.holder, |a| {
                a.insert(flag, "false".to_string());
            })?;
        }
        Ok(())
    }
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

/// An app client.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Client {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    pub secret: Option<SecretString>,
    pub flows: Vec<String>,
    pub prevent_existence: bool,
    pub access_secs: u64,
    pub id_secs: u64,
    pub refresh_secs: u64,
    pub session_secs: u64,
    pub revocation: bool,
    pub rotation: bool,
    pub grace_secs: u64,
    pub read_attrs: Option<Vec<String>>,
    pub write_attrs: Option<Vec<String>>,
    /// The `TokenValidityUnits` of the access, ID and refresh tokens, as described.
    pub units: [String; 3],
    /// Members stored and described as given (OAuth settings, `ExplicitAuthFlows` as named).
    pub config: Map<String, Value>,
    pub created: f64,
    pub modified: f64,
}

impl Client {
    pub fn allows(&self, flag: &str) -> bool {
        self.flows.iter().any(|f| f == flag)
    }
}

/// An SRP handshake waiting for its `PASSWORD_VERIFIER` / `DEVICE_PASSWORD_VERIFIER` answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Handshake {
    #[serde(with = "big")]
    pub a: BigUint,
    #[serde(with = "secret_big")]
    pub b: Arc<SecretUint>,
    #[serde(with = "big")]
    pub big_b: BigUint,
    #[serde(with = "big")]
    pub v: BigUint,
    pub realm: String,
    pub user: String,
    pub secret_block: Vec<u8>,
    pub secret_block_b64: String,
}

/// What a sign-in session expects next.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) enum Step {
    PasswordVerifier(Box<Handshake>),
    DeviceSrpAuth,
    DevicePasswordVerifier(Box<Handshake>, String),
    NewPasswordRequired,
    MfaSetup {
        totp_verified: bool,
    },
    MfaSetupEmail {
        email: String,
        code: String,
    },
    /// An MFA code: `SMS_MFA` and `EMAIL_OTP` carry the code sent, `SOFTWARE_TOKEN_MFA` none.
    Mfa {
        kind: ChallengeName,
        code: Option<String>,
    },
    SelectMfaType {
        options: Vec<ChallengeName>,
    },
    Custom {
        private: BTreeMap<String, String>,
        code: Option<String>,
    },
    SelectChallenge {
        available: Vec<ChallengeName>,
    },
    /// A `USER_AUTH` one-time code: `SMS_OTP` or `EMAIL_OTP`.
    Otp {
        kind: ChallengeName,
        code: String,
    },
    WebAuthn {
        challenge: String,
    },
}

impl Step {
    /// The challenge this step answers to.
    pub fn name(&self) -> ChallengeName {
        match self {
            Step::PasswordVerifier(_) => ChallengeName::PasswordVerifier,
            Step::DeviceSrpAuth => ChallengeName::DeviceSrpAuth,
            Step::DevicePasswordVerifier(..) => ChallengeName::DevicePasswordVerifier,
            Step::NewPasswordRequired => ChallengeName::NewPasswordRequired,
            Step::MfaSetup { .. } => ChallengeName::MfaSetup,
            Step::MfaSetupEmail { .. } => ChallengeName::EmailOtp,
            Step::Mfa { kind, .. } | Step::Otp { kind, .. } => *kind,
            Step::SelectMfaType { .. } => ChallengeName::SelectMfaType,
            Step::Custom { .. } => ChallengeName::CustomChallenge,
            Step::SelectChallenge { .. } => ChallengeName::SelectChallenge,
            Step::WebAuthn { .. } => ChallengeName::WebAuthn,
        }
    }
}

/// One result of a custom-auth round, as a DefineAuthChallenge trigger sees it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RoundResult {
    pub challenge_name: String,
    pub result: bool,
    pub metadata: Option<String>,
}

/// What the sign-in has established so far.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct FlowCtx {
    pub device_key: Option<String>,
    pub new_password_done: bool,
    pub mfa_done: bool,
    pub device_done: bool,
    pub custom: bool,
    pub custom_history: Vec<RoundResult>,
}

/// A sign-in session.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct AuthSession {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub expires: u64,
    pub step: Step,
    pub attempts: u32,
    pub ctx: FlowCtx,
}

/// Sign-in sessions by `Session`, indexed by user so that deleting a user does not scan every
/// session in flight. Reads go through `Deref`; every change goes through a method that keeps
/// the index (and notes the change for the data directory).
#[derive(Clone, Debug)]
pub(crate) struct Sessions {
    map: Tracked<AuthSession>,
    /// (pool id, username) → the user's sessions.
    by_user: HashMap<(String, String), BTreeSet<String>>,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions {
            map: Tracked::new(Kind::Session, ""),
            by_user: HashMap::new(),
        }
    }
}

impl std::ops::Deref for Sessions {
    type Target = BTreeMap<String, AuthSession>;
    fn deref(&self) -> &BTreeMap<String, AuthSession> {
        &self.map
    }
}

impl Sessions {
    fn user_key(s: &AuthSession) -> (String, String) {
        (s.pool_id.clone(), s.username.clone())
    }

    fn unindex(&mut self, sid: &str, s: &AuthSession) {
        let key = Sessions::user_key(s);
        if let Some(set) = self.by_user.get_mut(&key) {
            set.remove(sid);
            if set.is_empty() {
                self.by_user.remove(&key);
            }
        }
    }

    pub fn insert(&mut self, sid: String, s: AuthSession) {
        self.by_user
            .entry(Sessions::user_key(&s))
            .or_default()
            .insert(sid.clone());
        if let Some(old) = self.map.insert(sid.clone(), s) {
            let now = Sessions::user_key(&self.map[&sid]);
            if Sessions::user_key(&old) != now {
                self.unindex(&sid, &old);
            }
        }
    }

    /// [`Sessions::insert`] without noting a change (a session loaded from the data
    /// directory).
    pub(crate) fn load(&mut self, sid: String, s: AuthSession) {
        self.by_user
            .entry(Sessions::user_key(&s))
            .or_default()
            .insert(sid.clone());
        self.map.load(sid, s);
    }

    pub fn remove(&mut self, sid: &str) -> Option<AuthSession> {
        let s = self.map.remove(sid)?;
        self.unindex(sid, &s);
        Some(s)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&String, &mut AuthSession) -> bool) {
        let mut dropped = Vec::new();
        self.map.retain(|sid, s| {
            let kept = keep(sid, s);
            if !kept {
                dropped.push((sid.clone(), Sessions::user_key(s)));
            }
            kept
        });
        for (sid, key) in dropped {
            if let Some(set) = self.by_user.get_mut(&key) {
                set.remove(&sid);
                if set.is_empty() {
                    self.by_user.remove(&key);
                }
            }
        }
    }

    /// Drops every session of a user.
    pub fn remove_user(&mut self, pool_id: &str, username: &str) {
        let key = (pool_id.to_string(), username.to_string());
        for sid in self.by_user.remove(&key).unwrap_or_default() {
            self.map.remove(&sid);
        }
    }
}

/// A refresh-token family member.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RefreshRecord {
    pub pool_id: String,
    pub client_id: String,
    pub username: String,
    pub sub: String,
    pub origin_jti: String,
    pub auth_time: u64,
    pub device_key: Option<String>,
    pub expires: u64,
    pub revoked: bool,
    /// Set when rotation replaced this token: it dies at this time.
    pub rotated_until: Option<u64>,
    /// The scopes of a family granted through the OAuth token endpoint (refreshing keeps
    /// them); `None` for API sign-ins. Absent from records stored before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// Refresh tokens by token, indexed by user and by family, so that GlobalSignOut, DeleteUser
/// and RevokeToken touch only the tokens concerned instead of scanning every token issued.
#[derive(Clone, Debug, Default)]
pub(crate) struct RefreshTokens {
    by_token: HashMap<String, RefreshRecord>,
    /// (pool id, username) → the user's tokens.
    by_user: HashMap<(String, String), Vec<String>>,
    /// `origin_jti` → the family's tokens.
    by_family: HashMap<String, Vec<String>>,
}

impl RefreshTokens {
    pub fn get(&self, token: &str) -> Option<&RefreshRecord> {
        self.by_token.get(token)
    }

    /// Marks a token as replaced by rotation (the only change a stored record gets besides
    /// revocation, so the indices stay valid).
    pub fn set_rotated_until(&mut self, token: &str, until: u64) {
        if let Some(r) = self.by_token.get_mut(token)
            && r.rotated_until.is_none()
        {
            r.rotated_until = Some(until);
            mark(Kind::Refresh, "", token);
        }
    }

    /// Every stored token.
    pub fn tokens(&self) -> impl Iterator<Item = &String> {
        self.by_token.keys()
    }

    pub fn insert(&mut self, token: String, rec: RefreshRecord) {
        mark(Kind::Refresh, "", &token);
        self.load(token, rec);
    }

    /// [`RefreshTokens::insert`] without noting a change (a token loaded from the data
    /// directory).
    pub(crate) fn load(&mut self, token: String, rec: RefreshRecord) {
        self.by_user
            .entry((rec.pool_id.clone(), rec.username.clone()))
            .or_default()
            .push(token.clone());
        self.by_family
            .entry(rec.origin_jti.clone())
            .or_default()
            .push(token.clone());
        self.by_token.insert(token, rec);
    }

    /// Revokes every token of a family.
    pub fn revoke_family(&mut self, origin_jti: &str) {
        for t in self.by_family.get(origin_jti).into_iter().flatten() {
            if let Some(r) = self.by_token.get_mut(t) {
                r.revoked = true;
                mark(Kind::Refresh, "", t);
            }
        }
    }

    /// Revokes every token of a user; returns the families concerned.
    pub fn revoke_user(&mut self, pool_id: &str, username: &str) -> Vec<String> {
        let key = (pool_id.to_string(), username.to_string());
        let mut origins = Vec::new();
        for t in self.by_user.get(&key).into_iter().flatten() {
            if let Some(r) = self.by_token.get_mut(t) {
                r.revoked = true;
                origins.push(r.origin_jti.clone());
                mark(Kind::Refresh, "", t);
            }
        }
        origins
    }

    /// Forgets every token of a pool.
    pub fn remove_pool(&mut self, pool_id: &str) {
        self.by_token.retain(|t, r| {
            let keep = r.pool_id != pool_id;
            if !keep {
                mark(Kind::Refresh, "", t);
            }
            keep
        });
        self.by_user.retain(|(p, _), _| p != pool_id);
        let live = &self.by_token;
        self.by_family.retain(|_, tokens| {
            tokens.retain(|t| live.contains_key(t));
            !tokens.is_empty()
        });
    }
}

/// A `SignUp`/`ConfirmSignUp` session feeding auto sign-in.
#[derive(Clone, Debug)]
pub(crate) struct SignupSession {
    pub client_id: String,
    pub username: String,
    pub confirmed: bool,
    pub expires: u64,
}

/// An injected fault rule.
#[derive(Clone, Debug)]
pub(crate) struct FaultRule {
    pub fault: Fault,
    pub remaining: u64,
}

/// Upper bound of the clock offset (about 1000 years), so time arithmetic cannot overflow.
pub(crate) const MAX_CLOCK_OFFSET: u64 = 1000 * 365 * 86_400;

/// Everything the emulator knows.
#[derive(Clone)]
pub(crate) struct State {
    pub region: String,
    pub clock_offset: u64,
    /// A fixed clock start (epoch seconds) instead of the wall clock: the clock then moves
    /// only by `clock_offset`.
    pub fixed_clock: Option<u64>,
    /// The seeded generator of a deterministic emulator (taken out while the lock is held,
    /// see `crate::StateGuard`).
    pub rng: Option<crate::util::SeededRng>,
    /// Keys every new pool signs with (injected or seeded); `None`: each pool its own.
    pub fixed_keys: Option<LazyKeys>,
    pub pools: Tracked<Pool>,
    pub clients: Tracked<Client>,
    pub sessions: Sessions,
    /// Size of `sessions` at which the next sweep of expired sessions runs.
    pub sweep_sessions_at: usize,
    pub secret_blocks: HashMap<String, String>,
    pub refresh: RefreshTokens,
    /// The refresh-token families revoked (by `origin_jti`).
    pub revoked_origins: Tracked<()>,
    pub signups: HashMap<String, SignupSession>,
    pub messages: Vec<Message>,
    pub faults: Vec<FaultRule>,
    pub counts: HashMap<String, u64>,
    /// Rust trigger handlers by pool.
    pub handlers: crate::triggers::Handlers,
    /// Where Lambda triggers are invoked.
    pub lambda: crate::triggers::LambdaSettings,
    /// The trigger bookkeeping of the running operation (empty between operations).
    pub trigger_run: crate::triggers::Run,
    pub identity_pools: Tracked<crate::ops::identity::IdentityPool>,
    pub identities: Tracked<crate::ops::identity::Identity>,
    /// User-pool domains by domain name.
    pub domains: Tracked<DomainRecord>,
    /// Authorization codes, hosted sign-in sessions and OAuth grants.
    pub oauth: crate::oauth::OAuthState,
    /// The key that authenticates pagination tokens (forged tokens are refused).
    pub page_key: [u8; 32],
    /// Tokens the running operation minted, signed once the lock is released
    /// (`Shared::dispatch`); always empty between operations.
    pub unsigned: Vec<crate::tokens::Unsigned>,
    /// The SRP claim `Shared::dispatch` computed outside the lock for the running operation;
    /// always empty between operations.
    pub precomputed_claim: Option<crate::srp_server::PrecomputedClaim>,
}

impl State {
    pub fn new(region: String) -> State {
        State {
            region,
            clock_offset: 0,
            fixed_clock: None,
            rng: None,
            fixed_keys: None,
            pools: Tracked::new(Kind::Pool, ""),
            clients: Tracked::new(Kind::Client, ""),
            sessions: Sessions::default(),
            sweep_sessions_at: 0,
            secret_blocks: HashMap::new(),
            refresh: RefreshTokens::default(),
            revoked_origins: Tracked::new(Kind::Revoked, ""),
            signups: HashMap::new(),
            messages: Vec::new(),
            faults: Vec::new(),
            counts: HashMap::new(),
            handlers: HashMap::new(),
            lambda: crate::triggers::LambdaSettings::default(),
            trigger_run: crate::triggers::Run::default(),
            identity_pools: Tracked::new(Kind::IdentityPool, ""),
            identities: Tracked::new(Kind::Identity, ""),
            domains: Tracked::new(Kind::Domain, ""),
            oauth: crate::oauth::OAuthState::default(),
            page_key: {
                let mut k = [0u8; 32];
                crate::util::fill_random(&mut k);
                k
            },
            unsigned: Vec::new(),
            precomputed_claim: None,
        }
    }

    /// Empties everything but the clock, the generator, the injected keys and the Lambda
    /// settings.
    pub fn reset(&mut self) {
        let mut fresh = State::new(std::mem::take(&mut self.region));
        fresh.clock_offset = self.clock_offset;
        fresh.fixed_clock = self.fixed_clock;
        fresh.rng = self.rng.take();
        fresh.fixed_keys = self.fixed_keys.take();
        fresh.lambda = self.lambda.clone();
        *self = fresh;
        crate::persist::mark_all();
    }

    /// The keys of a new pool: the emulator's fixed keys, or keys of its own.
    pub fn pool_keys(&self) -> LazyKeys {
        self.fixed_keys
            .clone()
            .unwrap_or_else(|| crate::tokens::lazy_keys(None))
    }

    /// The emulated clock, fractional seconds since the epoch.
    pub fn now_f(&self) -> f64 {
        let base = match self.fixed_clock {
            Some(t) => t as f64,
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        };
        ((base + self.clock_offset as f64) * 1000.0).round() / 1000.0
    }

    /// The emulated clock, whole seconds since the epoch.
    pub fn now(&self) -> u64 {
        self.now_f() as u64
    }

    pub fn pool(&self, id: &str) -> ApiResult<&Pool> {
        self.pools
            .get(id)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    pub fn pool_mut(&mut self, id: &str) -> ApiResult<&mut Pool> {
        self.pools
            .get_mut(id)
            .ok_or_else(|| not_found(format!("User pool {id} does not exist.")))
    }

    pub fn client(&self, id: &str) -> ApiResult<Client> {
        crate::api::check_client_id(id)?;
        self.clients
            .get(id)
            .cloned()
            .ok_or_else(|| not_found(format!("User pool client {id} does not exist.")))
    }

    /// Records a delivered code on the messages hook.
    pub fn deliver(
        &mut self,
        pool_id: &str,
        username: &str,
        destination: &str,
        medium: &str,
        kind: &str,
        code: &str,
    ) {
        let sent_at = self.now_f();
        self.messages.push(Message {
            user_pool_id: pool_id.to_string(),
            username: username.to_string(),
            destination: destination.to_string(),
            delivery_medium: medium.to_string(),
            kind: kind.to_string(),
            code: code.to_string(),
            sent_at,
            message: None,
            subject: None,
        });
        let index = self.messages.len() - 1;
        crate::triggers::on_delivery(self, index);
    }

    /// Revokes every refresh-token family of a user (GlobalSignOut and friends).
    pub fn revoke_user_tokens(&mut self, pool_id: &str, username: &str) {
        for origin in self.refresh.revoke_user(pool_id, username) {
            self.revoked_origins.insert(origin, ());
        }
    }

    /// Drops a user's pending sign-in sessions.
    pub fn drop_sessions_of(&mut self, pool_id: &str, username: &str) {
        self.sessions.remove_user(pool_id, username);
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

/// Masked `CodeDeliveryDetails` for an attribute.
pub(crate) fn delivery_details(attr: &str, value: &str) -> Value {
    let (medium, dest) = if attr == "phone_number" {
        ("SMS", crate::util::mask_phone(value))
    } else {
        ("EMAIL", crate::util::mask_email(value))
    };
    serde_json::json!({"Destination": dest, "DeliveryMedium": medium, "AttributeName": attr})
}

/// BigUint as lowercase hex in durable records.
mod big {
    use num_bigint::BigUint;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &BigUint, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_str_radix(16))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BigUint, D::Error> {
        let s = String::deserialize(d)?;
        BigUint::parse_bytes(s.as_bytes(), 16).ok_or_else(|| D::Error::custom("not a hex number"))
    }
}

/// The secret exponent of an SRP handshake in flight as lowercase hex in durable records (the
/// text is overwritten once parsed).
mod secret_big {
    use std::sync::Arc;

    use cognito_proto::srp::SecretUint;
    use num_bigint::BigUint;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use zeroize::Zeroize;

    pub fn serialize<S: Serializer>(v: &Arc<SecretUint>, s: S) -> Result<S::Ok, S::Error> {
        let mut hex = v.expose_secret().to_str_radix(16);
        let out = s.serialize_str(&hex);
        hex.zeroize();
        out
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<SecretUint>, D::Error> {
        let mut s = String::deserialize(d)?;
        let v = BigUint::parse_bytes(s.as_bytes(), 16);
        s.zeroize();
        v.map(|v| Arc::new(SecretUint::new(v)))
            .ok_or_else(|| D::Error::custom("not a hex number"))
    }
}

/// `Option<BigUint>` as lowercase hex or null in durable records.
mod big_opt {
    use num_bigint::BigUint;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(v: &Option<BigUint>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(&v.to_str_radix(16)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BigUint>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                BigUint::parse_bytes(s.as_bytes(), 16)
                    .ok_or_else(|| D::Error::custom("not a hex number"))
            })
            .transpose()
    }
}

/// A user's status, one of Cognito's names, in durable records.
mod user_status {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    const KNOWN: [&str; 4] = [
        "UNCONFIRMED",
        "CONFIRMED",
        "FORCE_CHANGE_PASSWORD",
        "RESET_REQUIRED",
    ];

    pub fn serialize<S: Serializer>(v: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let s = String::deserialize(d)?;
        KNOWN
            .into_iter()
            .find(|k| *k == s)
            .ok_or_else(|| D::Error::custom(format!("unknown user status {s}")))
    }
}

/// The SRP realm of a pool (the part of its id after `_`).
pub(crate) fn pool_name(pool_id: &str) -> ApiResult<&str> {
    pool_id
        .split_once('_')
        .map(|(_, n)| n)
        .ok_or_else(|| ApiError::new("InternalErrorException", "bad pool id"))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    thread_local! {
        /// Scans of a pool's users (`Users::values`) on this thread.
        pub(super) static SCANNED: Cell<usize> = const { Cell::new(0) };
    }

    fn pool(n: usize, config: Map<String, Value>) -> Pool {
        let s = PoolSettings::from_config(&config);
        let mut users = Users::new("us-east-1_Test00001");
        users.set_alias_attrs(Pool::alias_attrs_of(&s));
        let mut pool = Pool {
            id: "us-east-1_Test00001".into(),
            name: "t".into(),
            created: 0.0,
            modified: 0.0,
            s,
            config,
            users,
            keys: crate::tokens::lazy_keys(None),
            schema: crate::schema::Schema::standard(),
            res: PoolResources::new("us-east-1_Test00001"),
        };
        for i in 0..n {
            pool.users
                .insert(User::new(format!("User{i}Ä"), format!("sub-{i}"), 0.0));
        }
        pool
    }

    /// The random sign-in run slowed down with the user count because every AdminCreateUser
    /// (and every sign-in by a differently cased name) lowercased every username of the pool.
    /// A username lookup, found or not, in any case, must not examine the pool's users.
    #[test]
    fn username_lookup_does_not_scan_the_users() {
        let pool = pool(2000, Map::new());
        SCANNED.with(|c| c.set(0));
        assert_eq!(pool.resolve("User1999Ä").as_deref(), Some("User1999Ä"));
        assert_eq!(pool.resolve("user1999ä").as_deref(), Some("User1999Ä"));
        assert_eq!(pool.resolve("USER7Ä").as_deref(), Some("User7Ä"));
        assert_eq!(pool.resolve("nobody"), None);
        assert_eq!(SCANNED.with(Cell::get), 0);
    }

    #[test]
    fn case_index_follows_inserts_and_removals() {
        let mut pool = pool(3, Map::new());
        assert_eq!(pool.users.len(), 3);
        assert!(pool.users.remove("User1Ä").is_some());
        assert_eq!(pool.resolve("user1ä"), None);
        assert!(pool.users.remove("User1Ä").is_none());
        // Two spellings (possible from a seed document): the smallest wins, as before.
        pool.users.insert(User::new("bob".into(), "s1".into(), 0.0));
        pool.users.insert(User::new("BOB".into(), "s2".into(), 0.0));
        assert_eq!(pool.resolve("Bob").as_deref(), Some("BOB"));
        pool.users.remove("BOB");
        assert_eq!(pool.resolve("Bob").as_deref(), Some("bob"));
        assert_eq!(pool.users.len(), 3);
    }

    fn refresh_record(pool: &str, user: &str, family: &str) -> RefreshRecord {
        RefreshRecord {
            pool_id: pool.into(),
            client_id: "c".into(),
            username: user.into(),
            sub: format!("sub-{user}"),
            origin_jti: family.into(),
            auth_time: 0,
            device_key: None,
            expires: 10,
            revoked: false,
            rotated_until: None,
            scopes: None,
        }
    }

    /// GlobalSignOut and RevokeToken revoke exactly the user's or the family's tokens, found
    /// through the indices, and deleting a pool forgets its tokens.
    #[test]
    fn refresh_index_revokes_by_user_and_family() {
        let mut r = RefreshTokens::default();
        for i in 0..1000 {
            r.insert(
                format!("t{i}"),
                refresh_record("p1", &format!("u{}", i % 100), &format!("f{}", i % 300)),
            );
        }
        r.insert("other-pool".into(), refresh_record("p2", "u1", "g1"));
        let mut origins = r.revoke_user("p1", "u1");
        origins.sort();
        origins.dedup();
        assert_eq!(origins, vec!["f1", "f101", "f201"]);
        for i in 0..1000 {
            let rec = r.get(&format!("t{i}")).unwrap();
            assert_eq!(rec.revoked, i % 100 == 1, "t{i}");
        }
        assert!(!r.get("other-pool").unwrap().revoked);
        r.revoke_family("f2");
        assert!(r.get("t2").unwrap().revoked && r.get("t302").unwrap().revoked);
        assert!(!r.get("t3").unwrap().revoked);
        r.set_rotated_until("t3", 50);
        r.set_rotated_until("t3", 70);
        assert_eq!(r.get("t3").unwrap().rotated_until, Some(50));
        r.remove_pool("p1");
        assert!(r.get("t3").is_none());
        assert!(r.revoke_user("p1", "u2").is_empty());
        assert_eq!(r.revoke_user("p2", "u1"), vec!["g1"]);
    }

    fn session(pool: &str, user: &str, expires: u64) -> AuthSession {
        AuthSession {
            pool_id: pool.into(),
            client_id: "c".into(),
            username: user.into(),
            expires,
            step: Step::NewPasswordRequired,
            attempts: 0,
            ctx: FlowCtx::default(),
        }
    }

    /// Deleting a user drops exactly its sign-in sessions, found through the index, which
    /// follows replacements, removals and sweeps.
    #[test]
    fn sessions_index_drops_exactly_a_users_sessions() {
        let mut st = State::new("us-east-1".into());
        for i in 0..1000 {
            let user = format!("u{}", i % 10);
            st.sessions
                .insert(format!("s{i}"), session("p1", &user, i as u64));
        }
        st.sessions
            .insert("other-pool".into(), session("p2", "u1", 5));
        // A session replaced under the same id by another user's moves in the index.
        st.sessions.insert("s1".into(), session("p1", "u2", 1));
        st.drop_sessions_of("p1", "u1");
        assert!(st.sessions.keys().all(|k| k != "s11" && k != "s991"));
        assert!(st.sessions.contains_key("s1") && st.sessions.contains_key("other-pool"));
        assert_eq!(st.sessions.len(), 1000 - 99 + 1);
        // A sweep's removals leave the index: dropping u2 afterwards still works.
        st.sessions.retain(|_, s| s.expires >= 500);
        st.sessions.remove("s502");
        st.drop_sessions_of("p1", "u2");
        assert!(
            st.sessions
                .values()
                .all(|s| s.username != "u2" || s.pool_id == "p2")
        );
        assert!(
            st.sessions
                .by_user
                .values()
                .flatten()
                .all(|sid| st.sessions.contains_key(sid))
        );
        assert_eq!(
            st.sessions
                .by_user
                .values()
                .map(BTreeSet::len)
                .sum::<usize>(),
            st.sessions.len()
        );
    }

    fn set(pool: &mut Pool, user: &str, pairs: &[(&str, &str)]) {
        pool.users
            .update_attrs(user, |a| {
                for (k, v) in pairs {
                    a.insert((*k).to_string(), (*v).to_string());
                }
            })
            .expect("user");
    }

    /// Sign-in by a verified alias is an index lookup among many users, and the index follows
    /// verification, changes of value and deletion.
    #[test]
    fn alias_index_follows_every_change() {
        let mut config = Map::new();
        config.insert("AliasAttributes".into(), serde_json::json!(["email"]));
        let mut pool = pool(5000, config);
        for i in 0..5000 {
            let e = format!("u{i}@example.com");
            set(&mut pool, &format!("User{i}Ä"), &[("email", &e)]);
        }
        // Unverified: not an alias.
        SCANNED.with(|c| c.set(0));
        assert_eq!(pool.resolve("u4321@example.com"), None);
        set(&mut pool, "User4321Ä", &[("email_verified", "true")]);
        assert_eq!(
            pool.resolve("U4321@Example.com").as_deref(),
            Some("User4321Ä")
        );
        assert_eq!(
            SCANNED.with(Cell::get),
            0,
            "an alias lookup scanned the users"
        );
        // A new value drops the old alias and is unverified again.
        set(
            &mut pool,
            "User4321Ä",
            &[("email", "new@example.com"), ("email_verified", "false")],
        );
        assert_eq!(pool.resolve("u4321@example.com"), None);
        assert_eq!(pool.resolve("new@example.com"), None);
        set(&mut pool, "User4321Ä", &[("email_verified", "true")]);
        assert_eq!(
            pool.resolve("new@example.com").as_deref(),
            Some("User4321Ä")
        );
        // A second user cannot take it; with force the verified alias moves.
        let mut attrs = BTreeMap::new();
        attrs.insert("email".to_string(), "NEW@example.com".to_string());
        attrs.insert("email_verified".to_string(), "true".to_string());
        let clash = pool.users.alias_clash("User7Ä", &attrs).expect("clash");
        assert_eq!(clash.holder, "User4321Ä");
        assert!(pool.users.claim_aliases("User7Ä", &attrs, false).is_err());
        pool.users
            .claim_aliases("User7Ä", &attrs, true)
            .expect("moved");
        set(
            &mut pool,
            "User7Ä",
            &[("email", "NEW@example.com"), ("email_verified", "true")],
        );
        assert_eq!(pool.resolve("new@example.com").as_deref(), Some("User7Ä"));
        assert!(!pool.users.get("User4321Ä").expect("user").verified("email"));
        pool.users.remove("User7Ä");
        assert_eq!(pool.resolve("new@example.com"), None);
    }
}
