//! Device handling details of each driver, against the in-process emulator.

use crate::driver;
use cognito_emulator::{ClientConfig, Emulator, EmulatorHandle, PoolConfig};
use driver::{SignInOutcome, User, UserPool};

const PASSWORD: &str = "Correct-Horse-1";

struct Setup {
    emu: EmulatorHandle,
    pool_id: String,
    client_id: String,
}

impl Setup {
    fn with(pool: PoolConfig) -> Self {
        let emu = Emulator::start_blocking().expect("emulator starts");
        let pool = emu.create_pool(pool).expect("pool");
        let client = emu
            .create_client(&pool.pool_id, ClientConfig::default())
            .expect("client");
        Setup {
            emu,
            pool_id: pool.pool_id,
            client_id: client.client_id,
        }
    }

    fn builder(&self) -> driver::UserPoolBuilder {
        UserPool::builder(&self.pool_id, &self.client_id)
            .endpoint_url(&self.emu.url())
            .unwrap()
    }
}

fn signed_in(outcome: SignInOutcome) -> User {
    match outcome {
        SignInOutcome::SignedIn(user) => user,
        SignInOutcome::Pending(s) => panic!("expected tokens, got step {:?}", s.next_step()),
    }
}

driver_test! {
    async fn without_remembered_devices_no_device_is_confirmed() {
        let s = Setup::with(PoolConfig {
            device_tracking: Some((false, false)),
            ..PoolConfig::default()
        });
        s.emu
            .create_user(
                &s.pool_id,
                "nora",
                PASSWORD,
                &[("email", "nora@example.com")],
            )
            .unwrap();
        let pool = s.builder().remember_devices(false).build().unwrap();
        let user = signed_in(aw!(pool.sign_in("nora", PASSWORD)).unwrap());
        assert!(aw!(user.is_signed_in()).unwrap());
        assert_eq!(s.emu.request_count("ConfirmDevice"), 0);
        assert!(aw!(user.remembered_device()).unwrap().is_none());
        let listed = aw!(user.list_devices(None, None)).unwrap();
        assert!(listed.devices.is_empty(), "{:?}", listed.devices);
        // With devices remembered, the same pool confirms one (the test can fail).
        let pool = s.builder().build().unwrap();
        let user = signed_in(aw!(pool.sign_in("nora", PASSWORD)).unwrap());
        assert_eq!(s.emu.request_count("ConfirmDevice"), 1);
        assert!(aw!(user.remembered_device()).unwrap().is_some());
    }
}

driver_test! {
    async fn associated_software_token_gives_an_otpauth_uri() {
        let s = Setup::with(PoolConfig {
            mfa: cognito_emulator::MfaConfiguration::Optional,
            ..PoolConfig::default()
        });
        s.emu
            .create_user(
                &s.pool_id,
                "otto",
                PASSWORD,
                &[("email", "otto@example.com")],
            )
            .unwrap();
        let pool = s.builder().build().unwrap();
        let user = signed_in(aw!(pool.sign_in("otto", PASSWORD)).unwrap());
        let secret = aw!(user.associate_software_token()).unwrap();
        assert!(!secret.expose_secret().is_empty());
        assert_eq!(
            secret.otpauth_uri("Acme", "otto"),
            format!(
                "otpauth://totp/Acme:otto?secret={}&issuer=Acme",
                secret.expose_secret()
            )
        );
    }
}
