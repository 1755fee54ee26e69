//! A pool's settings, derived from its stored configuration.

use serde_json::{Map, Value};

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
    /// `UsernameConfiguration.CaseSensitive`: usernames and aliases match only as spelled.
    /// True when the pool has no `UsernameConfiguration`: AWS's API reference gives true as
    /// the default, and pools created through the API without it have always been case
    /// sensitive (only the console picks false for new pools).
    pub case_sensitive: bool,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`: `SignUp` is refused.
    pub admin_create_only: bool,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`: a new value of
    /// these attributes waits for `VerifyUserAttribute` before it replaces the old one.
    pub verify_before_update: Vec<String>,
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

/// A string list member of a stored configuration (empty when absent or not a list).
pub(crate) fn str_list(m: &Map<String, Value>, key: &str) -> Vec<String> {
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
            // A pool whose e-mail or phone number replaces the username has no aliases
            // (CreateUserPool refuses both; a pool stored with both by an older emulator
            // ignores its aliases): a `preferred_username` alias there could take another
            // user's address before that user signs up with it.
            alias_attrs: if c
                .get("UsernameAttributes")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
            {
                Vec::new()
            } else {
                str_list(c, "AliasAttributes")
            },
            auto_verified: str_list(c, "AutoVerifiedAttributes"),
            custom_trigger,
            first_factors,
            recovery,
            case_sensitive: bool_at(c, &["UsernameConfiguration", "CaseSensitive"], true),
            admin_create_only: bool_at(
                c,
                &["AdminCreateUserConfig", "AllowAdminCreateUserOnly"],
                false,
            ),
            verify_before_update: c
                .get("UserAttributeUpdateSettings")
                .and_then(Value::as_object)
                .map(|u| str_list(u, "AttributesRequireVerificationBeforeUpdate"))
                .unwrap_or_default(),
        }
    }
}
