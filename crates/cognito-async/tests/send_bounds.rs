//! The futures of the API are `Send`, so they can run on a multi-threaded runtime
//! (`tokio::spawn`). This file fails to compile if one is not.

use cognito_async::{Answer, PendingSignIn, Start, User, UserPool};

fn assert_send<T: Send>(_: T) {}

#[test]
fn api_futures_are_send() {
    let pool = UserPool::builder("us-east-1_Abc", "client")
        .endpoint_url("http://127.0.0.1:1")
        .unwrap()
        .build()
        .unwrap();
    let user: User = pool.user("alice");
    assert_send(pool.sign_in("alice", "pw"));
    assert_send(pool.sign_in_with(Start::password("alice", "pw")));
    assert_send(pool.sign_up("alice", "pw", &[]));
    assert_send(pool.confirm_sign_up("alice", "123456"));
    assert_send(pool.forgot_password("alice"));
    assert_send(user.session());
    assert_send(user.get_user());
    assert_send(user.change_password("a", "b"));
    assert_send(user.list_devices(None, None));
    assert_send(user.forget_device());
    assert_send(user.sign_out());
    assert_send(user.global_sign_out());
    assert_send(user.aws_credentials("us-east-1:0000"));
    fn answer_is_send(step: &mut PendingSignIn) {
        assert_send(step.answer(Answer::code("123456")));
    }
    let _ = answer_is_send;
    assert_send(user.is_signed_in());
    assert_send(user.remembered_device());
    assert_send(pool.current_user());
}
