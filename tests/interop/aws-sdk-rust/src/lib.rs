//! Test support for driving the AWS SDK for Rust against the emulator: an in-process emulator
//! and the two SDK clients configured as a user configures them (endpoint URL, static
//! credentials, `BehaviorVersion::latest()`). The journeys live in `tests/`.

use aws_sdk_cognitoidentity as ci;
use aws_sdk_cognitoidentityprovider as cip;
use cognito_emulator::{Emulator, EmulatorHandle};

/// A running emulator and the SDK clients pointed at it.
pub struct Sdk {
    /// The emulator (its hooks read delivered codes and move the clock).
    pub emu: EmulatorHandle,
    /// `aws-sdk-cognitoidentityprovider` client.
    pub idp: cip::Client,
    /// `aws-sdk-cognitoidentity` client.
    pub identity: ci::Client,
}

/// Starts an emulator on the current (multi-thread) tokio runtime and builds both clients.
pub async fn start() -> Sdk {
    let emu = Emulator::start().await.expect("emulator starts");
    let url = emu.url();
    let credentials = cip::config::Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "static",
    );
    let idp_config = cip::Config::builder()
        .behavior_version(cip::config::BehaviorVersion::latest())
        .region(cip::config::Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(credentials.clone())
        .retry_config(cip::config::retry::RetryConfig::disabled())
        .build();
    let identity_config = ci::Config::builder()
        .behavior_version(ci::config::BehaviorVersion::latest())
        .region(ci::config::Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(credentials)
        .retry_config(ci::config::retry::RetryConfig::disabled())
        .build();
    Sdk {
        emu,
        idp: cip::Client::from_conf(idp_config),
        identity: ci::Client::from_conf(identity_config),
    }
}
