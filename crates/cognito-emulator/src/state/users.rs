//! Users and what the emulator keeps of them: passwords, codes, devices, and a pool's users
//! with their username and alias indexes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cognito_proto::secret::Secret;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::PoolSettings;
use super::changes::{Kind, mark};
use crate::api::{ApiError, ApiResult};
use crate::challenge::ChallengeName;

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
    /// Confirmed by a `ConfirmDevice` that carried no verifier config (the model makes it
    /// optional); a device confirmed with one is known by its verifier, which keeps records
    /// stored before this field confirmed.
    #[serde(default)]
    pub confirmed_without_verifier: bool,
}

impl Device {
    /// Whether `ConfirmDevice` has registered the device. Until then the device is only a key
    /// handed out at sign-in: AWS neither lists it nor finds it by key ("Device does not
    /// exist." is what AWS answers a client that remembers a device it never confirmed).
    pub(crate) fn confirmed(&self) -> bool {
        self.verifier.is_some() || self.confirmed_without_verifier
    }
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
    /// New e-mail or phone number values that wait for `VerifyUserAttribute` (pools with
    /// `AttributesRequireVerificationBeforeUpdate`); the old value stays in use until then.
    #[serde(default)]
    pub pending_attrs: BTreeMap<String, String>,
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
            pending_attrs: BTreeMap::new(),
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
    /// Whether aliases ignore case: only in case-insensitive pools, as AWS documents for
    /// `UsernameConfiguration`.
    fold_aliases: bool,
    /// (attribute, value, lowercased when `fold_aliases`) → the users holding that alias (one,
    /// unless a seed document or an old state put it on several).
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

    /// A user, or AWS's `UserNotFoundException`.
    pub fn user(&self, username: &str) -> ApiResult<&User> {
        self.get(username).ok_or_else(crate::api::user_not_found)
    }

    /// A user to change, or AWS's `UserNotFoundException`.
    pub fn user_mut(&mut self, username: &str) -> ApiResult<&mut User> {
        self.get_mut(username)
            .ok_or_else(crate::api::user_not_found)
    }

    pub fn contains_key(&self, username: &str) -> bool {
        self.by_name.contains_key(username)
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn values(&self) -> impl Iterator<Item = &User> {
        #[cfg(test)]
        super::tests::SCANNED.with(|c| c.set(c.get() + 1));
        self.by_name.values()
    }

    /// Declares which attributes are sign-in aliases, and whether their values ignore case,
    /// and rebuilds the alias index.
    pub fn set_alias_attrs(&mut self, attrs: Vec<(String, bool)>, ignore_case: bool) {
        self.alias_attrs = attrs;
        self.fold_aliases = ignore_case;
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
                (!needs_verified || verified).then(|| (attr.clone(), self.alias_value(v)))
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

    /// An alias value as the index keys it.
    fn alias_value(&self, value: &str) -> String {
        if self.fold_aliases {
            value.to_lowercase()
        } else {
            value.to_string()
        }
    }

    /// The user whose alias `attr` in force is `value` (ignoring case in case-insensitive
    /// pools).
    pub fn find_alias(&self, attr: &str, value: &str) -> Option<&str> {
        self.by_alias
            .get(&(attr.to_string(), self.alias_value(value)))
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

    /// Every alias a user `username` would share with other users if its attributes were
    /// `attrs`, one clash per holder.
    fn alias_clashes(&self, username: &str, attrs: &BTreeMap<String, String>) -> Vec<AliasClash> {
        let mut out = Vec::new();
        for (attr, value) in self.alias_keys(attrs) {
            let movable = self
                .alias_attrs
                .iter()
                .any(|(a, needs_verified)| *a == attr && *needs_verified);
            for holder in self
                .by_alias
                .get(&(attr.clone(), value))
                .into_iter()
                .flatten()
                .filter(|u| *u != username)
            {
                out.push(AliasClash {
                    attr: attr.clone(),
                    holder: holder.clone(),
                    movable,
                });
            }
        }
        out
    }

    /// Checks that a user may hold `attrs` without sharing an alias; with `force`, takes a
    /// verified alias away from its holders (`ForceAliasCreation`) instead of failing. Every
    /// clash is decided before any alias moves, so a refusal changes nothing.
    pub fn claim_aliases(
        &mut self,
        username: &str,
        attrs: &BTreeMap<String, String>,
        force: bool,
    ) -> ApiResult<()> {
        let clashes = self.alias_clashes(username, attrs);
        if let Some(refused) = clashes.iter().find(|c| !(force && c.movable)) {
            return Err(refused.error());
        }
        for clash in clashes {
            let flag = format!("{}_verified", clash.attr);
            self.update_attrs(&clash.holder, |a| {
                a.insert(flag, "false".to_string());
            })?;
        }
        Ok(())
    }
}

/// BigUint as lowercase hex in durable records.
pub(super) mod big {
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
