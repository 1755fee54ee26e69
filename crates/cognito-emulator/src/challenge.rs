//! The challenge names of `InitiateAuth` and `RespondToAuthChallenge` (AWS's
//! `ChallengeNameType`), and the first factors of the `USER_AUTH` flow.

use std::fmt;

/// One value of AWS's `ChallengeNameType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ChallengeName {
    SmsMfa,
    EmailOtp,
    SoftwareTokenMfa,
    SelectMfaType,
    MfaSetup,
    PasswordVerifier,
    CustomChallenge,
    SelectChallenge,
    DeviceSrpAuth,
    DevicePasswordVerifier,
    AdminNoSrpAuth,
    NewPasswordRequired,
    SmsOtp,
    Password,
    WebAuthn,
    PasswordSrp,
}

impl ChallengeName {
    const ALL: [ChallengeName; 16] = [
        ChallengeName::SmsMfa,
        ChallengeName::EmailOtp,
        ChallengeName::SoftwareTokenMfa,
        ChallengeName::SelectMfaType,
        ChallengeName::MfaSetup,
        ChallengeName::PasswordVerifier,
        ChallengeName::CustomChallenge,
        ChallengeName::SelectChallenge,
        ChallengeName::DeviceSrpAuth,
        ChallengeName::DevicePasswordVerifier,
        ChallengeName::AdminNoSrpAuth,
        ChallengeName::NewPasswordRequired,
        ChallengeName::SmsOtp,
        ChallengeName::Password,
        ChallengeName::WebAuthn,
        ChallengeName::PasswordSrp,
    ];

    /// The name on the wire.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ChallengeName::SmsMfa => "SMS_MFA",
            ChallengeName::EmailOtp => "EMAIL_OTP",
            ChallengeName::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            ChallengeName::SelectMfaType => "SELECT_MFA_TYPE",
            ChallengeName::MfaSetup => "MFA_SETUP",
            ChallengeName::PasswordVerifier => "PASSWORD_VERIFIER",
            ChallengeName::CustomChallenge => "CUSTOM_CHALLENGE",
            ChallengeName::SelectChallenge => "SELECT_CHALLENGE",
            ChallengeName::DeviceSrpAuth => "DEVICE_SRP_AUTH",
            ChallengeName::DevicePasswordVerifier => "DEVICE_PASSWORD_VERIFIER",
            ChallengeName::AdminNoSrpAuth => "ADMIN_NO_SRP_AUTH",
            ChallengeName::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            ChallengeName::SmsOtp => "SMS_OTP",
            ChallengeName::Password => "PASSWORD",
            ChallengeName::WebAuthn => "WEB_AUTHN",
            ChallengeName::PasswordSrp => "PASSWORD_SRP",
        }
    }

    /// The challenge a wire name denotes; `None` for a name outside AWS's enum.
    pub(crate) fn parse(name: &str) -> Option<ChallengeName> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// A first factor a `USER_AUTH` sign-in may choose (`PREFERRED_CHALLENGE`, `ANSWER` to
    /// `SELECT_CHALLENGE`).
    pub(crate) fn parse_first_factor(name: &str) -> Option<ChallengeName> {
        Self::parse(name).filter(|c| {
            matches!(
                c,
                ChallengeName::Password
                    | ChallengeName::PasswordSrp
                    | ChallengeName::EmailOtp
                    | ChallengeName::SmsOtp
                    | ChallengeName::WebAuthn
            )
        })
    }

    /// An MFA factor (`SELECT_MFA_TYPE`'s answers, a user's enabled factors). The answer
    /// `EMAIL_MFA` is the name Amplify sends for `EMAIL_OTP`.
    pub(crate) fn parse_mfa(name: &str) -> Option<ChallengeName> {
        match name {
            "EMAIL_MFA" => Some(ChallengeName::EmailOtp),
            _ => Self::parse(name).filter(|c| {
                matches!(
                    c,
                    ChallengeName::SmsMfa
                        | ChallengeName::SoftwareTokenMfa
                        | ChallengeName::EmailOtp
                )
            }),
        }
    }
}

impl fmt::Display for ChallengeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ChallengeName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// By its AWS name (sign-in sessions in a data directory).
impl<'de> serde::Deserialize<'de> for ChallengeName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        ChallengeName::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown challenge name {name}")))
    }
}

#[cfg(test)]
mod tests {
    use super::ChallengeName;

    #[test]
    fn every_name_round_trips_and_unknown_names_do_not_parse() {
        for c in ChallengeName::ALL {
            assert_eq!(ChallengeName::parse(c.as_str()), Some(c));
        }
        assert_eq!(ChallengeName::parse("SRP_A"), None);
        assert_eq!(ChallengeName::parse("sms_mfa"), None);
        assert_eq!(ChallengeName::parse_first_factor("SMS_MFA"), None);
        assert_eq!(
            ChallengeName::parse_mfa("EMAIL_MFA"),
            Some(ChallengeName::EmailOtp)
        );
        assert_eq!(ChallengeName::parse_mfa("PASSWORD"), None);
    }
}
