//! Identity-pool credentials against the emulator's identity pools: cached per identity,
//! renewed before they expire (the test moves the emulator's and the client's clocks), for
//! signed-in users and guests, forgotten at sign-out, failures typed. Shared by both drivers
//! (see the README); the concurrent single-flight tests are in each driver's `concurrency.rs`.

use crate::driver;
use crate::emulator::{PASSWORD, signed_in};
use crate::support::Setup;
use cognito_emulator::{Fault, FaultKind};
use driver::{Error, ServiceErrorKind};

impl Setup {
    /// An identity pool trusting this app client; guests allowed when `guests`.
    pub(crate) fn identity_pool(&self, guests: bool) -> String {
        self.emu
            .create_identity_pool(&self.pool_id, &self.client_id, guests)
            .expect("identity pool")
    }

    /// `GetId` and `GetCredentialsForIdentity` calls the emulator received.
    pub(crate) fn identity_calls(&self) -> (u64, u64) {
        (
            self.emu.request_count("GetId"),
            self.emu.request_count("GetCredentialsForIdentity"),
        )
    }
}

driver_test! {
    async fn user_credentials_are_cached_and_renewed_before_they_expire() {
        let s = Setup::new();
        s.user("iris");
        let identities = s.identity_pool(false);
        let user = signed_in(aw!(s.pool().sign_in("iris", PASSWORD)).unwrap());

        let first = aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.identity_calls(), (1, 1));
        assert!(first.secret_access_key.expose_secret().len() > 10);
        let again = aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.identity_calls(), (1, 1), "served from the cache");
        assert_eq!(again.access_key_id, first.access_key_id);

        // 10 minutes before expiry (the emulator's credentials last an hour): still cached.
        s.advance(3000);
        let cached = aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.identity_calls(), (1, 1));
        assert_eq!(cached.access_key_id, first.access_key_id);

        // Within the 5-minute margin: renewed with one GetCredentialsForIdentity, same identity.
        s.advance(400);
        let renewed = aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.identity_calls(), (1, 2), "renewed, the identity id reused");
        assert_eq!(renewed.identity_id, first.identity_id);
        assert!(renewed.expiration > first.expiration, "{renewed:?} vs {first:?}");

        // Long after: the ID token is refreshed first, then the credentials renewed.
        s.advance(7200);
        let refreshes = s.refresh_count();
        let later = aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.refresh_count(), refreshes + 1);
        assert_eq!(s.identity_calls(), (1, 3));
        assert_eq!(later.identity_id, first.identity_id);
    }
}

driver_test! {
    async fn guest_credentials_are_cached_per_handle_and_typed_when_refused() {
        let s = Setup::new();
        let guests = s.identity_pool(true);
        let pool = s.pool();
        let first = aw!(pool.guest_aws_credentials(&guests)).unwrap();
        let again = aw!(pool.clone().guest_aws_credentials(&guests)).unwrap();
        assert_eq!(s.identity_calls(), (1, 1), "a clone shares the cache");
        assert_eq!(again.identity_id, first.identity_id);

        s.advance(3500);
        let renewed = aw!(pool.guest_aws_credentials(&guests)).unwrap();
        assert_eq!(s.identity_calls(), (1, 2));
        assert_eq!(renewed.identity_id, first.identity_id, "the guest keeps its identity");

        // A pool without guests refuses: the error keeps Cognito's code.
        let members_only = s.identity_pool(false);
        let e = aw!(pool.guest_aws_credentials(&members_only)).expect_err("no guests");
        assert!(matches!(e, Error::Credentials(_)), "{e:?}");
        assert_eq!(e.service_kind(), Some(&ServiceErrorKind::NotAuthorized), "{e:?}");
        assert_eq!(e.service_code(), Some("NotAuthorizedException"));
        assert!(!e.is_retryable());
    }
}

driver_test! {
    async fn a_failed_renewal_is_typed_and_the_next_call_tries_again() {
        let s = Setup::new();
        s.user("ivan");
        let identities = s.identity_pool(false);
        let pool = s
            .builder()
            .retry_policy(driver::RetryPolicy::never())
            .build()
            .unwrap();
        let user = signed_in(aw!(pool.sign_in("ivan", PASSWORD)).unwrap());
        s.emu.inject_fault(Fault::new("GetCredentialsForIdentity", FaultKind::Throttle));
        let e = aw!(user.aws_credentials(&identities)).expect_err("throttled");
        assert_eq!(e.service_code(), Some("TooManyRequestsException"));
        assert!(e.is_retryable(), "{e:?}");
        let credentials = aw!(user.aws_credentials(&identities)).unwrap();
        // The identity id from the first GetId was kept for the retry.
        assert_eq!(s.identity_calls(), (1, 2));
        assert!(credentials.identity_id.contains(':'));
    }
}

driver_test! {
    async fn sign_out_forgets_the_credentials() {
        let s = Setup::new();
        s.user("olga");
        let identities = s.identity_pool(false);
        let pool = s.pool();
        let user = signed_in(aw!(pool.sign_in("olga", PASSWORD)).unwrap());
        aw!(user.aws_credentials(&identities)).unwrap();
        aw!(user.sign_out()).unwrap();
        let e = aw!(user.aws_credentials(&identities)).expect_err("signed out");
        assert!(matches!(e, Error::NotSignedIn), "{e:?}");
        // Signed in again: new credentials for the same identity.
        let user = signed_in(aw!(pool.sign_in("olga", PASSWORD)).unwrap());
        aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.identity_calls(), (2, 2));
        aw!(user.forget_aws_credentials(&identities)).unwrap();
        aw!(user.aws_credentials(&identities)).unwrap();
        assert_eq!(s.identity_calls(), (3, 3));
    }
}
