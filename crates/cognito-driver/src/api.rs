//! The user-facing API of both drivers, written once: see [`define_api!`](crate::define_api).

/// The user-facing API of both drivers, written once: [`define_api!`](crate::define_api)
/// expands to `UserPool`, `UserPoolBuilder`, `User`, `PendingSignIn`, `SignInOutcome` and
/// `ClientCredentials` in
/// the driver crate that invokes it, with every method running one task of
/// [`operations`](crate::operations) or [`signin`](crate::signin) through the driver's
/// `Runner`. `cognito-blocking` invokes it as `define_api!(blocking)`, `cognito-async` as
/// `define_api!(async)`: the method lists cannot drift apart, and adding an operation is a
/// task in `operations` and one method here.
///
/// The invoking crate provides, at its root:
/// * `Transport`, its transport trait, and `Runner` with
///   `fn new(PoolCore<_>, Option<Arc<dyn Transport>>) -> Result<Runner, Error>`,
///   `fn core(&self) -> &PoolCore<_>`, `[async] fn run<T: Task>(&self, T) -> Result<T::Output, Error>`
///   `[async] fn session(&self, &str) -> Result<TokenSet, Error>` and
///   `[async] fn client_token(&self, &[String]) -> Result<OAuthTokens, Error>`.
#[macro_export]
macro_rules! define_api {
    (blocking) => {
        $crate::define_api!(@emit [] []);
    };
    (async) => {
        $crate::define_api!(@emit [async] [.await]);
    };
    (@emit [$($async:tt)*] [$($aw:tt)*]) => {
        $crate::define_verifier!([$($async)*] [$($aw)*]);

        /// A handle on one app client of one user pool. Cheap to clone; clones share the
        /// store, the transport and the refresh coordination.
        #[derive(Clone)]
        pub struct UserPool {
            runner: ::std::sync::Arc<Runner>,
        }

        impl ::std::fmt::Debug for UserPool {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(self.runner.core(), f)
            }
        }

        impl UserPool {
            /// Start building a handle for `user_pool_id` (`<region>_<name>`) and `client_id`.
            pub fn builder(
                user_pool_id: impl Into<String>,
                client_id: impl Into<String>,
            ) -> UserPoolBuilder {
                UserPoolBuilder {
                    core: $crate::PoolBuilder::new(user_pool_id.into(), client_id.into()),
                    transport: None,
                }
            }

            /// The app client this handle speaks for.
            pub fn config(&self) -> &$crate::cognito_proto::config::ClientConfig {
                self.runner.core().settings().config()
            }

            /// The endpoint requests go to.
            pub fn endpoint(&self) -> &$crate::cognito_proto::envelope::Endpoint {
                self.runner.core().settings().endpoint()
            }

            /// The options.
            pub fn options(&self) -> &$crate::Options {
                self.runner.core().settings().options()
            }

            /// A handle on `username` (Cognito's internal username, as in the store). It need
            /// not be signed in; calls that need a session fail with
            /// [`Error::NotSignedIn`](crate::Error::NotSignedIn) if it is not.
            pub fn user(&self, username: impl Into<String>) -> User {
                User {
                    pool: self.clone(),
                    username: username.into(),
                }
            }

            /// The user who signed in last with this app client and has not signed out, read
            /// from the store (the JavaScript client's `getCurrentUser`).
            pub $($async)* fn current_user(&self) -> Result<Option<User>, $crate::Error> {
                let last = self.runner.run($crate::operations::last_user()) $($aw)* ?;
                Ok(last.map(|name| self.user(name)))
            }

            /// Send any typed operation and decode its answer, with this handle's transport,
            /// endpoint and retry policy. An escape hatch for operations the handle has no
            /// method for.
            pub $($async)* fn call<O>(&self, op: &O) -> Result<O::Output, $crate::Error>
            where
                O: $crate::cognito_proto::envelope::Operation + 'static,
                O::Output: Send + 'static,
            {
                self.runner.run($crate::operations::any(self.endpoint(), op)) $($aw)*
            }

            /// Register a new user (`SignUp`). `attributes` are `(name, value)` pairs such as
            /// `("email", "alice@example.com")`. When the result says the user is not
            /// confirmed, a code went to `code_delivery_details`: pass it to
            /// [`UserPool::confirm_sign_up`].
            pub $($async)* fn sign_up(
                &self,
                username: &str,
                password: &str,
                attributes: &[(&str, &str)],
            ) -> Result<$crate::cognito_proto::ops::SignUpResponse, $crate::Error> {
                self.runner.run($crate::operations::sign_up(username, password, attributes)) $($aw)*
            }

            /// Confirm a sign-up with the code the user received (`ConfirmSignUp`).
            pub $($async)* fn confirm_sign_up(&self, username: &str, code: &str) -> Result<(), $crate::Error> {
                self.runner.run($crate::operations::confirm_sign_up(username, code)) $($aw)*
            }

            /// Send the sign-up confirmation code again (`ResendConfirmationCode`).
            pub $($async)* fn resend_confirmation_code(
                &self,
                username: &str,
            ) -> Result<Option<$crate::cognito_proto::ops::CodeDeliveryDetails>, $crate::Error> {
                self.runner.run($crate::operations::resend_confirmation_code(username)) $($aw)*
            }

            /// Start a password reset: Cognito sends a code to the user (`ForgotPassword`).
            pub $($async)* fn forgot_password(
                &self,
                username: &str,
            ) -> Result<Option<$crate::cognito_proto::ops::CodeDeliveryDetails>, $crate::Error> {
                self.runner.run($crate::operations::forgot_password(username)) $($aw)*
            }

            /// Finish a password reset with the code and the new password
            /// (`ConfirmForgotPassword`).
            pub $($async)* fn confirm_forgot_password(
                &self,
                username: &str,
                code: &str,
                new_password: &str,
            ) -> Result<(), $crate::Error> {
                self.runner
                    .run($crate::operations::confirm_forgot_password(username, code, new_password))
                    $($aw)*
            }

            /// Sign in with a username and password through the core's SRP flow (the
            /// password never leaves this process). A remembered device of the user is used
            /// automatically, also when `username` is an alias such as the email address.
            pub $($async)* fn sign_in(&self, username: &str, password: &str) -> Result<SignInOutcome, $crate::Error> {
                self.sign_in_with($crate::cognito_proto::signin::Start::srp(username, password)) $($aw)*
            }

            /// Start any sign-in the core supports: SRP, plain password, custom auth,
            /// choice-based (`USER_AUTH`), or automatic sign-in after sign-up. See
            /// [`Start`](crate::cognito_proto::signin::Start).
            pub $($async)* fn sign_in_with(
                &self,
                start: $crate::cognito_proto::signin::Start,
            ) -> Result<SignInOutcome, $crate::Error> {
                let (flow, progress) = self.runner.run($crate::signin::start(start)) $($aw)* ?;
                Ok(self.outcome(flow, progress?))
            }

            /// Continue a sign-in paused with [`PendingSignIn::pause`], possibly in another
            /// process: a handle of the same app client (same pool id, client id and secret)
            /// and, for a remembered device, the same store.
            pub $($async)* fn resume_sign_in(
                &self,
                paused: $crate::cognito_proto::signin::PausedSignIn,
            ) -> Result<PendingSignIn, $crate::Error> {
                let (flow, step) = self.runner.run($crate::signin::resume(paused)) $($aw)* ?;
                Ok(PendingSignIn {
                    pool: self.clone(),
                    flow: Some(flow),
                    step,
                })
            }

            // ----- OAuth with the pool's domain (UserPoolBuilder::domain) -----------------

            /// Start a hosted sign-in (authorization code with PKCE): open the returned
            /// [`url`](crate::cognito_proto::oauth::AuthorizationRequest::url) in the user's
            /// browser and keep its [`pending`](crate::cognito_proto::oauth::AuthorizationRequest::pending)
            /// state for [`UserPool::finish_hosted_sign_in`]. `redirect_uri` must be one of
            /// the app client's callback URLs; `scopes` empty means all the client's scopes
            /// (include `openid` to get an ID token and a storable session).
            pub fn hosted_sign_in(
                &self,
                redirect_uri: &str,
                scopes: &[&str],
            ) -> Result<$crate::cognito_proto::oauth::AuthorizationRequest, $crate::Error> {
                $crate::oauth::authorize(self.runner.core().settings(), redirect_uri, scopes)
            }

            /// Finish a hosted sign-in with the URL (or the path and query) the browser was
            /// redirected to: the `state` is checked, the code exchanged with the PKCE
            /// verifier, the ID token's audience and `nonce` checked, and the tokens stored as
            /// the user's session (refreshed later like any other).
            pub $($async)* fn finish_hosted_sign_in(
                &self,
                pending: &$crate::cognito_proto::oauth::PendingAuthorization,
                callback: &str,
            ) -> Result<User, $crate::Error> {
                let username = self.runner.run($crate::oauth::finish_hosted_sign_in(pending, callback)) $($aw)* ?;
                Ok(self.user(username))
            }

            /// Like [`UserPool::finish_hosted_sign_in`], but return the tokens without
            /// storing them (for a sign-in without `openid`, or tokens kept elsewhere).
            pub $($async)* fn exchange_authorization_code(
                &self,
                pending: &$crate::cognito_proto::oauth::PendingAuthorization,
                callback: &str,
            ) -> Result<$crate::cognito_proto::oauth::OAuthTokens, $crate::Error> {
                self.runner.run($crate::oauth::exchange_code(pending, callback)) $($aw)*
            }

            /// New tokens from a refresh token through the domain's `/oauth2/token`.
            pub $($async)* fn refresh_with_token_endpoint(
                &self,
                refresh_token: &$crate::cognito_proto::secret::SecretString,
            ) -> Result<$crate::cognito_proto::oauth::OAuthTokens, $crate::Error> {
                self.runner.run($crate::oauth::refresh(refresh_token)) $($aw)*
            }

            /// Revoke a refresh token (and the tokens issued from it) through
            /// `/oauth2/revoke`.
            pub $($async)* fn revoke_refresh_token(
                &self,
                refresh_token: &$crate::cognito_proto::secret::SecretString,
            ) -> Result<(), $crate::Error> {
                self.runner.run($crate::oauth::revoke(refresh_token)) $($aw)*
            }

            /// A fresh client-credentials access token for this app client (which needs its
            /// secret) with resource-server `scopes` (`orders/read`). Not cached: a service
            /// calling an API keeps a [`UserPool::client_credentials`] source instead.
            pub $($async)* fn client_credentials_token(
                &self,
                scopes: &[&str],
            ) -> Result<$crate::cognito_proto::oauth::OAuthTokens, $crate::Error> {
                let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
                self.runner.run($crate::oauth::client_credentials(&scopes)) $($aw)*
            }

            /// A source of client-credentials access tokens with `scopes` that caches the
            /// token and renews it before it expires (the refresh margin, at most half its
            /// lifetime). Renewal is single-flight: however many callers ask at once, one
            /// token request is sent. Sources of the same scopes on one pool handle share the
            /// cache.
            pub fn client_credentials(&self, scopes: &[&str]) -> ClientCredentials {
                ClientCredentials {
                    pool: self.clone(),
                    scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                }
            }

            /// The claims `/oauth2/userInfo` returns for an access token with the `openid`
            /// scope (a backend's view of a bearer token it received).
            pub $($async)* fn user_info_for(
                &self,
                access_token: &str,
            ) -> Result<$crate::cognito_proto::oauth::UserInfo, $crate::Error> {
                let token = $crate::cognito_proto::secret::SecretString::from(access_token);
                self.runner.run($crate::oauth::user_info_for(&token)) $($aw)*
            }

            /// The URL that ends the hosted pages' session and redirects to `logout_uri`
            /// (one of the client's sign-out URLs). Tokens already issued stay valid; sign
            /// the user out locally too ([`User::sign_out`]).
            pub fn logout_url(&self, logout_uri: &str) -> Result<String, $crate::Error> {
                Ok(self.runner.core().settings().oauth()?.logout_url(logout_uri))
            }

            /// AWS credentials of a guest (an unauthenticated identity) from the identity pool
            /// `identity_pool_id`, which must allow guests. Cached and renewed like
            /// [`User::aws_credentials`]; the guest's identity id is kept by this handle (and
            /// its clones) for as long as it lives.
            pub $($async)* fn guest_aws_credentials(&self, identity_pool_id: &str) -> Result<$crate::AwsCredentials, $crate::Error> {
                self.runner.run($crate::operations::aws_credentials(None, identity_pool_id)) $($aw)*
            }

            fn outcome(
                &self,
                flow: Option<$crate::signin::OpenSignIn>,
                progress: $crate::signin::Progress,
            ) -> SignInOutcome {
                match progress {
                    $crate::signin::Progress::Step(step) => SignInOutcome::Pending(PendingSignIn {
                        pool: self.clone(),
                        flow,
                        step,
                    }),
                    $crate::signin::Progress::SignedIn(username) => {
                        SignInOutcome::SignedIn(self.user(username))
                    }
                }
            }
        }

        /// Builds a [`UserPool`]; see [`UserPool::builder`].
        pub struct UserPoolBuilder {
            core: $crate::PoolBuilder,
            transport: Option<::std::sync::Arc<dyn Transport>>,
        }

        impl ::std::fmt::Debug for UserPoolBuilder {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Debug::fmt(&self.core, f)
            }
        }

        impl UserPoolBuilder {
            fn map(mut self, change: impl FnOnce($crate::PoolBuilder) -> $crate::PoolBuilder) -> Self {
                self.core = change(self.core);
                self
            }

            /// The app client's secret, for clients that have one.
            pub fn client_secret(self, secret: impl Into<$crate::cognito_proto::secret::SecretString>) -> Self {
                self.map(|b| b.client_secret(secret.into()))
            }

            /// Send requests to `endpoint` instead of the AWS endpoint of the pool's region.
            pub fn endpoint(self, endpoint: $crate::cognito_proto::envelope::Endpoint) -> Self {
                self.map(|b| b.endpoint(endpoint))
            }

            /// Send every request to `url` (for example a local emulator).
            pub fn endpoint_url(mut self, url: &str) -> Result<Self, $crate::Error> {
                self.core = self.core.endpoint_url(url)?;
                Ok(self)
            }

            /// The pool's domain, for the OAuth endpoints and the hosted sign-in:
            /// `https://<prefix>.auth.<region>.amazoncognito.com`, a custom domain, or an
            /// emulator's `http://<prefix>.localhost:<port>`.
            pub fn domain(mut self, base_url: &str) -> Result<Self, $crate::Error> {
                self.core = self.core.domain(base_url)?;
                Ok(self)
            }

            /// Where sessions and remembered devices are kept. Default: a fresh
            /// [`MemoryStore`](cognito_store::MemoryStore).
            pub fn store(
                self,
                store: impl $crate::cognito_proto::session::SessionStore + Send + Sync + 'static,
            ) -> Self {
                self.shared_store(::std::sync::Arc::new(store))
            }

            /// Share a store with other handles.
            pub fn shared_store(self, store: $crate::SharedStore) -> Self {
                self.map(|b| b.shared_store(store))
            }

            /// Send requests through `transport` instead of the crate's default transport.
            pub fn transport(mut self, transport: impl Transport + 'static) -> Self {
                self.transport = Some(::std::sync::Arc::new(transport));
                self
            }

            /// Replace all options.
            pub fn options(self, options: $crate::Options) -> Self {
                self.map(|b| b.options(options))
            }

            /// How failed calls are retried.
            pub fn retry_policy(self, retry: $crate::cognito_proto::retry::RetryPolicy) -> Self {
                self.map(|b| b.retry_policy(retry))
            }

            /// Refresh tokens this long before they expire.
            pub fn refresh_margin(self, margin: ::std::time::Duration) -> Self {
                self.map(|b| b.refresh_margin(margin))
            }

            /// Renew identity-pool credentials this long before they expire (default 5
            /// minutes).
            pub fn credentials_margin(self, margin: ::std::time::Duration) -> Self {
                self.map(|b| b.credentials_margin(margin))
            }

            /// Which call refreshes tokens (see
            /// [`Options::refresh_method`](crate::Options::refresh_method)).
            pub fn refresh_method(self, method: $crate::cognito_proto::session::RefreshMethod) -> Self {
                self.map(|b| b.refresh_method(method))
            }

            /// Whether devices are remembered during sign-in when the pool offers it. With
            /// `false`, a device the server issues at sign-in is not confirmed (no
            /// `ConfirmDevice`) and no stored device is used.
            pub fn remember_devices(self, remember: bool) -> Self {
                self.map(|b| b.remember_devices(remember))
            }

            /// Read the time from `clock` instead of the system clock (for tests with a
            /// simulated clock).
            pub fn clock(self, clock: impl Fn() -> ::std::time::SystemTime + Send + Sync + 'static) -> Self {
                self.map(|b| b.clock(::std::sync::Arc::new(clock)))
            }

            /// Build the handle. Fails when the pool id is not `<region>_<name>` or the
            /// default endpoint cannot be derived from it.
            pub fn build(self) -> Result<UserPool, $crate::Error> {
                Ok(UserPool {
                    runner: ::std::sync::Arc::new(Runner::new(self.core.build()?, self.transport)?),
                })
            }
        }

        /// Where a sign-in stands after a call: [`SignInOutcome::Pending`] with a
        /// [`PendingSignIn`] to see ([`PendingSignIn::next_step`]) and answer
        /// ([`PendingSignIn::answer`]), or [`SignInOutcome::SignedIn`] with the [`User`]
        /// whose tokens (and remembered device) are stored.
        pub type SignInOutcome = $crate::signin::SignInOutcome<PendingSignIn, User>;

        /// A sign-in waiting for the user: the step to complete and the means to answer it.
        #[must_use]
        pub struct PendingSignIn {
            pool: UserPool,
            /// `None` once the sign-in moved on to a later step or completed.
            flow: Option<$crate::signin::OpenSignIn>,
            step: $crate::cognito_proto::signin::NextStep,
        }

        impl ::std::fmt::Debug for PendingSignIn {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("PendingSignIn")
                    .field("step", &self.step)
                    .finish_non_exhaustive()
            }
        }

        impl PendingSignIn {
            /// What the user must do next.
            pub fn next_step(&self) -> &$crate::cognito_proto::signin::NextStep {
                &self.step
            }

            /// The sign-in as a value to keep (serde) and continue later with
            /// [`UserPool::resume_sign_in`], for example in the next HTTP request of a web
            /// backend. It holds Cognito's session string, the usernames and the step, never
            /// the password or an SRP private value. This sign-in stays usable.
            pub fn pause(&self) -> Result<$crate::cognito_proto::signin::PausedSignIn, $crate::Error> {
                match &self.flow {
                    Some(flow) => Ok(flow.core().pause()?),
                    None => Err($crate::Error::Cognito($crate::cognito_proto::error::CoreError::misuse(
                        "this sign-in step was already answered",
                    ))),
                }
            }

            /// Answer the current step. On an error the sign-in is still here: when the
            /// server allows it (a mistyped code, `CodeMismatch`), answer again; otherwise
            /// start over.
            pub $($async)* fn answer(
                &mut self,
                answer: $crate::cognito_proto::signin::Answer,
            ) -> Result<SignInOutcome, $crate::Error> {
                let Some(flow) = self.flow.take() else {
                    return Err($crate::Error::Cognito($crate::cognito_proto::error::CoreError::misuse(
                        "this sign-in step was already answered",
                    )));
                };
                let (flow, progress) = self.pool.runner.run($crate::signin::answer(flow, answer)) $($aw)* ?;
                match progress {
                    Ok(progress) => Ok(self.pool.outcome(flow, progress)),
                    Err(error) => {
                        self.flow = flow;
                        Err(error)
                    }
                }
            }
        }

        /// One user of a [`UserPool`]: its stored session (refreshed when needed) and
        /// everything a signed-in user can do. Cheap to clone. Every method acts on this
        /// user, never on "the last user" of the store.
        #[derive(Clone)]
        pub struct User {
            pool: UserPool,
            username: String,
        }

        impl ::std::fmt::Debug for User {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("User")
                    .field("username", &self.username)
                    .finish_non_exhaustive()
            }
        }

        impl User {
            /// Cognito's internal username of this user (the key of its stored state).
            pub fn username(&self) -> &str {
                &self.username
            }

            /// The pool handle this user belongs to.
            pub fn pool(&self) -> &UserPool {
                &self.pool
            }

            /// Whether tokens are stored for this user (they may be expired).
            pub $($async)* fn is_signed_in(&self) -> Result<bool, $crate::Error> {
                self.pool.runner.run($crate::operations::is_signed_in(&self.username)) $($aw)*
            }

            /// The remembered device of this user, if any (read from the store).
            pub $($async)* fn remembered_device(
                &self,
            ) -> Result<Option<$crate::cognito_proto::config::RememberedDevice>, $crate::Error> {
                self.pool.runner.run($crate::operations::remembered_device(&self.username)) $($aw)*
            }

            /// The user's tokens, refreshed first when they expire within the refresh
            /// margin.
            ///
            /// Refresh is single-flight: however many callers ask at once, one refresh
            /// request is sent and every caller gets its result. Tokens are cleared only when
            /// Cognito says the session is dead (revoked or expired refresh token, deleted or
            /// disabled user); a network error or throttling keeps them.
            pub $($async)* fn session(&self) -> Result<$crate::cognito_proto::session::TokenSet, $crate::Error> {
                self.pool.runner.session(&self.username) $($aw)*
            }

            /// The user's profile: username, attributes and MFA settings (`GetUser`).
            pub $($async)* fn get_user(&self) -> Result<$crate::cognito_proto::ops::GetUserResponse, $crate::Error> {
                self.pool.runner.run($crate::operations::get_user(&self.username)) $($aw)*
            }

            /// Set attributes (`UpdateUserAttributes`); changing `email` or `phone_number`
            /// sends a verification code, described in the result.
            pub $($async)* fn update_attributes(
                &self,
                attributes: &[(&str, &str)],
            ) -> Result<Vec<$crate::cognito_proto::ops::CodeDeliveryDetails>, $crate::Error> {
                self.pool.runner.run($crate::operations::update_attributes(&self.username, attributes)) $($aw)*
            }

            /// Remove attributes (`DeleteUserAttributes`).
            pub $($async)* fn delete_attributes(&self, names: &[&str]) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::delete_attributes(&self.username, names)) $($aw)*
            }

            /// Send a code to verify an attribute such as `email`
            /// (`GetUserAttributeVerificationCode`).
            pub $($async)* fn get_attribute_verification_code(
                &self,
                attribute: &str,
            ) -> Result<Option<$crate::cognito_proto::ops::CodeDeliveryDetails>, $crate::Error> {
                self.pool.runner.run($crate::operations::get_attribute_verification_code(&self.username, attribute)) $($aw)*
            }

            /// Verify an attribute with the code the user received (`VerifyUserAttribute`).
            pub $($async)* fn verify_attribute(&self, attribute: &str, code: &str) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::verify_attribute(&self.username, attribute, code)) $($aw)*
            }

            /// Change the password (`ChangePassword`).
            pub $($async)* fn change_password(&self, old_password: &str, new_password: &str) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::change_password(&self.username, old_password, new_password)) $($aw)*
            }

            /// Enable, disable or prefer second factors (`SetUserMFAPreference`).
            pub $($async)* fn set_mfa_preference(&self, preference: $crate::MfaPreference) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::set_mfa_preference(&self.username, preference)) $($aw)*
            }

            /// Start adding an authenticator app (`AssociateSoftwareToken`): returns the
            /// shared secret (base32) to enter into the app, or to show as a QR code via
            /// [`TotpSecret::otpauth_uri`](crate::cognito_proto::signin::TotpSecret::otpauth_uri),
            /// as during sign-in's MFA setup. Finish with [`User::verify_software_token`].
            pub $($async)* fn associate_software_token(&self) -> Result<$crate::cognito_proto::signin::TotpSecret, $crate::Error> {
                self.pool.runner.run($crate::operations::associate_software_token(&self.username)) $($aw)*
            }

            /// Finish adding an authenticator app with its current code
            /// (`VerifySoftwareToken`). Then enable it with [`User::set_mfa_preference`].
            pub $($async)* fn verify_software_token(
                &self,
                code: &str,
                friendly_device_name: Option<&str>,
            ) -> Result<Option<$crate::cognito_proto::ops::VerifySoftwareTokenStatus>, $crate::Error> {
                self.pool.runner.run($crate::operations::verify_software_token(&self.username, code, friendly_device_name)) $($aw)*
            }

            /// Mark this user's current device as remembered (`UpdateDeviceStatus`).
            pub $($async)* fn remember_device(&self) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::set_device_status(
                    &self.username,
                    $crate::cognito_proto::ops::DeviceRememberedStatus::Remembered,
                )) $($aw)*
            }

            /// Mark this user's current device as not remembered (`UpdateDeviceStatus`); it
            /// stays tracked.
            pub $($async)* fn do_not_remember_device(&self) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::set_device_status(
                    &self.username,
                    $crate::cognito_proto::ops::DeviceRememberedStatus::NotRemembered,
                )) $($aw)*
            }

            /// Forget this user's current device on the server (`ForgetDevice`) and locally.
            pub $($async)* fn forget_device(&self) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::forget_device(&self.username, None)) $($aw)*
            }

            /// Forget any of this user's devices (`ForgetDevice`); when it is the remembered
            /// one, it is removed from the store too.
            pub $($async)* fn forget_device_key(&self, device_key: &str) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::forget_device(&self.username, Some(device_key))) $($aw)*
            }

            /// List the user's tracked devices (`ListDevices`), one page of at most `limit`
            /// (the server's maximum is 60); pass the returned pagination token to get the
            /// next page.
            pub $($async)* fn list_devices(
                &self,
                limit: Option<u32>,
                pagination_token: Option<String>,
            ) -> Result<$crate::cognito_proto::ops::ListDevicesResponse, $crate::Error> {
                self.pool.runner.run($crate::operations::list_devices(&self.username, limit, pagination_token)) $($aw)*
            }

            /// One device of the user (`GetDevice`); `None` means the current device.
            pub $($async)* fn get_device(&self, device_key: Option<&str>) -> Result<$crate::cognito_proto::ops::Device, $crate::Error> {
                self.pool.runner.run($crate::operations::get_device(&self.username, device_key)) $($aw)*
            }

            /// Delete the user (`DeleteUser`) and everything stored for it.
            pub $($async)* fn delete_user(&self) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::delete_user(&self.username)) $($aw)*
            }

            /// Sign out on this device: revoke the refresh token (`RevokeToken`, when the
            /// token is revocable) and clear the stored tokens. The remembered device is
            /// kept. The tokens are cleared even when the revocation fails; its error is
            /// returned.
            pub $($async)* fn sign_out(&self) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::sign_out(&self.username)) $($aw)*
            }

            /// Sign out everywhere (`GlobalSignOut`): every refresh token of the user is
            /// revoked. The stored tokens are cleared; the remembered device is kept.
            pub $($async)* fn global_sign_out(&self) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::global_sign_out(&self.username)) $($aw)*
            }

            /// The user's claims from the domain's `/oauth2/userInfo`, with the session's
            /// access token (which needs the `openid` scope, so a hosted sign-in's session).
            pub $($async)* fn user_info(&self) -> Result<$crate::cognito_proto::oauth::UserInfo, $crate::Error> {
                self.pool.runner.run($crate::oauth::user_info(&self.username)) $($aw)*
            }

            /// AWS credentials from the identity pool `identity_pool_id`, with this user's ID
            /// token as login (refreshed first when due).
            ///
            /// Cached per identity: the same credentials come back until they expire within
            /// the credentials margin (default 5 minutes,
            /// [`UserPoolBuilder::credentials_margin`]); then one call renews them
            /// (`GetCredentialsForIdentity`; `GetId` only the first time). Single-flight:
            /// however many callers ask at once, one request is sent and every caller gets its
            /// result. Signing out forgets them.
            pub $($async)* fn aws_credentials(&self, identity_pool_id: &str) -> Result<$crate::AwsCredentials, $crate::Error> {
                self.pool.runner.run($crate::operations::aws_credentials(Some(&self.username), identity_pool_id)) $($aw)*
            }

            /// Forget this user's cached credentials of `identity_pool_id` (and its identity
            /// id): the next [`User::aws_credentials`] gets new ones.
            pub $($async)* fn forget_aws_credentials(&self, identity_pool_id: &str) -> Result<(), $crate::Error> {
                self.pool.runner.run($crate::operations::forget_aws_credentials(Some(&self.username), identity_pool_id)) $($aw)*
            }
        }
        /// Client-credentials access tokens for one set of scopes, cached and renewed before
        /// they expire; see [`UserPool::client_credentials`]. Cheap to clone; clones share
        /// the cache.
        #[derive(Clone)]
        pub struct ClientCredentials {
            pool: UserPool,
            scopes: Vec<String>,
        }

        impl ::std::fmt::Debug for ClientCredentials {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("ClientCredentials")
                    .field("scopes", &self.scopes)
                    .finish_non_exhaustive()
            }
        }

        impl ClientCredentials {
            /// The scopes asked for.
            pub fn scopes(&self) -> &[String] {
                &self.scopes
            }

            /// A token good for at least the refresh margin: the cached one, or a new one
            /// (one request for all concurrent callers). A failed renewal is returned to
            /// every caller that waited for it.
            pub $($async)* fn token(&self) -> Result<$crate::cognito_proto::oauth::OAuthTokens, $crate::Error> {
                self.pool.runner.client_token(&self.scopes) $($aw)*
            }

            /// The access token alone, for an `Authorization: Bearer` header.
            pub $($async)* fn access_token(&self) -> Result<$crate::cognito_proto::secret::SecretString, $crate::Error> {
                Ok(self.token() $($aw)* ?.access_token().token().clone())
            }
        }
    };
}
