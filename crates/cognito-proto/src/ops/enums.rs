//! Forward-compatible wire enums: each known value is a variant, any other string is kept in
//! `Unknown(String)` and sent back unchanged. (`Unknown("SMS_MFA")` built by hand serializes as
//! `SMS_MFA` but compares unequal to the known variant; use `from` to build values from text.)

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every known value, in model order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            /// The wire string.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)*
                    $name::Unknown(s) => s,
                }
            }

            /// Whether this is a value this version knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($wire => $name::$variant,)*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match $name::from(s.as_str()) {
                    $name::Unknown(_) => $name::Unknown(s),
                    known => known,
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map($name::from)
            }
        }
    };
}

wire_enum! {
    /// A challenge name (`ChallengeNameType`, docs/protocol.md#32-challenges).
    ChallengeName {
        /// `SMS_MFA`: code sent by SMS (MFA).
        SmsMfa = "SMS_MFA",
        /// `EMAIL_OTP`: code sent by email (MFA or first factor).
        EmailOtp = "EMAIL_OTP",
        /// `SOFTWARE_TOKEN_MFA`: TOTP code.
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
        /// `SELECT_MFA_TYPE`: choose among `MFAS_CAN_CHOOSE`.
        SelectMfaType = "SELECT_MFA_TYPE",
        /// `MFA_SETUP`: MFA is required and none is set up.
        MfaSetup = "MFA_SETUP",
        /// `PASSWORD_VERIFIER`: answer the SRP challenge.
        PasswordVerifier = "PASSWORD_VERIFIER",
        /// `CUSTOM_CHALLENGE`: Lambda-defined challenge.
        CustomChallenge = "CUSTOM_CHALLENGE",
        /// `SELECT_CHALLENGE`: choose a first factor among `AvailableChallenges`.
        SelectChallenge = "SELECT_CHALLENGE",
        /// `DEVICE_SRP_AUTH`: start device SRP.
        DeviceSrpAuth = "DEVICE_SRP_AUTH",
        /// `DEVICE_PASSWORD_VERIFIER`: answer the device SRP challenge.
        DevicePasswordVerifier = "DEVICE_PASSWORD_VERIFIER",
        /// `ADMIN_NO_SRP_AUTH` (never for public clients).
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// `NEW_PASSWORD_REQUIRED`: set a new password.
        NewPasswordRequired = "NEW_PASSWORD_REQUIRED",
        /// `SMS_OTP`: code sent by SMS (first factor).
        SmsOtp = "SMS_OTP",
        /// `PASSWORD`: send the password.
        Password = "PASSWORD",
        /// `WEB_AUTHN`: passkey assertion.
        WebAuthn = "WEB_AUTHN",
        /// `PASSWORD_SRP`: password via SRP.
        PasswordSrp = "PASSWORD_SRP",
    }
}

wire_enum! {
    /// An `InitiateAuth` flow (`AuthFlowType`, docs/protocol.md#31-auth-flows).
    AuthFlow {
        /// `USER_SRP_AUTH`.
        UserSrpAuth = "USER_SRP_AUTH",
        /// `REFRESH_TOKEN_AUTH`.
        RefreshTokenAuth = "REFRESH_TOKEN_AUTH",
        /// `REFRESH_TOKEN` (alias of `REFRESH_TOKEN_AUTH`).
        RefreshToken = "REFRESH_TOKEN",
        /// `CUSTOM_AUTH`.
        CustomAuth = "CUSTOM_AUTH",
        /// `ADMIN_NO_SRP_AUTH` (AdminInitiateAuth only).
        AdminNoSrpAuth = "ADMIN_NO_SRP_AUTH",
        /// `USER_PASSWORD_AUTH`.
        UserPasswordAuth = "USER_PASSWORD_AUTH",
        /// `ADMIN_USER_PASSWORD_AUTH` (AdminInitiateAuth only).
        AdminUserPasswordAuth = "ADMIN_USER_PASSWORD_AUTH",
        /// `USER_AUTH`: choice-based sign-in.
        UserAuth = "USER_AUTH",
    }
}

wire_enum! {
    /// How a code is delivered (`DeliveryMediumType`).
    DeliveryMedium {
        /// `SMS`.
        Sms = "SMS",
        /// `EMAIL`.
        Email = "EMAIL",
    }
}

wire_enum! {
    /// Whether a device is remembered (`DeviceRememberedStatusType`); lowercase on the wire.
    DeviceRememberedStatus {
        /// `remembered`.
        Remembered = "remembered",
        /// `not_remembered`.
        NotRemembered = "not_remembered",
    }
}

wire_enum! {
    /// Result of `VerifySoftwareToken` (`VerifySoftwareTokenResponseType`).
    VerifySoftwareTokenStatus {
        /// `SUCCESS`.
        Success = "SUCCESS",
        /// `ERROR`.
        Error = "ERROR",
    }
}

wire_enum! {
    /// A factor a user has configured (`AuthFactorType`, `GetUserAuthFactors`).
    AuthFactorType {
        /// `PASSWORD`.
        Password = "PASSWORD",
        /// `EMAIL_OTP`.
        EmailOtp = "EMAIL_OTP",
        /// `SMS_OTP`.
        SmsOtp = "SMS_OTP",
        /// `WEB_AUTHN`.
        WebAuthn = "WEB_AUTHN",
        /// `SOFTWARE_TOKEN`.
        SoftwareToken = "SOFTWARE_TOKEN",
    }
}

wire_enum! {
    /// An MFA setting name (`UserMFASettingList`, `PreferredMfaSetting`).
    MfaSetting {
        /// `SMS_MFA`.
        SmsMfa = "SMS_MFA",
        /// `EMAIL_OTP`.
        EmailOtp = "EMAIL_OTP",
        /// `SOFTWARE_TOKEN_MFA`.
        SoftwareTokenMfa = "SOFTWARE_TOKEN_MFA",
    }
}

wire_enum! {
    /// `RevokeToken.RevokeAssociatedSessions`.
    RevokeAssociatedSessions {
        /// `NONE`: revoke only the refresh token's family.
        None = "NONE",
        /// `LINKED`: also revoke the linked managed-login session.
        Linked = "LINKED",
    }
}
