"""Sign-in from the shell: USER_PASSWORD_AUTH with and without SECRET_HASH, the admin flow,
NEW_PASSWORD_REQUIRED, the access token at work, global sign-out and token revocation."""

import base64
import json

from conftest import confirmed_user, secret_hash, unique

NO_CREDS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


def claims(jwt):
    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_user_password_auth_get_user_global_sign_out(emu, pool):
    pid, cid = pool
    name = unique("lin")
    confirmed_user(emu, pid, name, "Pass-word-1")
    # InitiateAuth is unsigned on AWS: the CLI needs no credentials for it.
    res = emu.ok("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                 "--auth-parameters", f"USERNAME={name},PASSWORD=Pass-word-1", env=NO_CREDS)
    auth = res["AuthenticationResult"]
    assert auth["TokenType"] == "Bearer" and auth["ExpiresIn"] == 3600
    assert claims(auth["IdToken"])["cognito:username"] == name
    access = auth["AccessToken"]
    assert claims(access)["client_id"] == cid

    me = emu.ok("cognito-idp", "get-user", "--access-token", access, env=NO_CREDS)
    assert me["Username"] == name
    assert {a["Name"]: a["Value"] for a in me["UserAttributes"]}["email"] == f"{name}@example.com"

    # The refresh token signs in again.
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "REFRESH_TOKEN_AUTH",
                "--auth-parameters", f"REFRESH_TOKEN={auth['RefreshToken']}",
                "--query", "AuthenticationResult.[TokenType, RefreshToken]", "--output", "text")
    assert r.rc == 0 and r.out.split() == ["Bearer", "None"], repr(r)

    r = emu.aws("cognito-idp", "global-sign-out", "--access-token", access, env=NO_CREDS)
    assert (r.rc, r.out) == (0, ""), repr(r)
    r = emu.aws("cognito-idp", "get-user", "--access-token", access, env=NO_CREDS)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (NotAuthorizedException) when calling the GetUser "
                             "operation: Access Token has been revoked"), repr(r)
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "REFRESH_TOKEN_AUTH",
                "--auth-parameters", f"REFRESH_TOKEN={auth['RefreshToken']}")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (NotAuthorizedException) when calling the InitiateAuth "
                             "operation: Refresh Token has been revoked"), repr(r)


def test_secret_hash_client_and_revoke_token(emu, pool):
    pid, _ = pool
    client = emu.ok("cognito-idp", "create-user-pool-client", "--user-pool-id", pid,
                    "--client-name", "secret", "--generate-secret",
                    "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
                    "--enable-token-revocation")["UserPoolClient"]
    cid, secret = client["ClientId"], client["ClientSecret"]
    name = unique("sec")
    confirmed_user(emu, pid, name, "Pass-word-1")

    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Pass-word-1")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (NotAuthorizedException) when calling the InitiateAuth "
                             f"operation: Client {cid} is configured for secret but secret was not received"), repr(r)

    # A secret hash contains '+', '/' and '='; shorthand keeps everything after the first '='
    # of a pair, so it passes unquoted, but the JSON form is what scripts use.
    params = {"USERNAME": name, "PASSWORD": "Pass-word-1", "SECRET_HASH": secret_hash(name, cid, secret)}
    auth = emu.ok("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                  "--auth-parameters", json.dumps(params))["AuthenticationResult"]
    wrong = secret_hash(name, cid, secret + "x")
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Pass-word-1,SECRET_HASH={wrong}")
    assert r.rc == 255, repr(r)
    assert r.err.strip().endswith(f"operation: Unable to verify secret hash for client {cid}"), repr(r)

    r = emu.aws("cognito-idp", "revoke-token", "--token", auth["RefreshToken"],
                "--client-id", cid, "--client-secret", secret, env=NO_CREDS)
    # An empty response prints nothing.
    assert (r.rc, r.out) == (0, ""), repr(r)
    r = emu.aws("cognito-idp", "get-user", "--access-token", auth["AccessToken"])
    assert r.rc == 255 and "Access Token has been revoked" in r.err, repr(r)
    refresh = {"REFRESH_TOKEN": auth["RefreshToken"], "SECRET_HASH": params["SECRET_HASH"]}
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "REFRESH_TOKEN_AUTH",
                "--auth-parameters", json.dumps(refresh))
    assert r.rc == 255 and "Refresh Token has been revoked" in r.err, repr(r)


def test_admin_initiate_auth_and_new_password_required(emu, pool):
    pid, cid = pool
    name = unique("new")
    emu.ok("cognito-idp", "admin-create-user", "--user-pool-id", pid, "--username", name,
           "--temporary-password", "Temp-pass-1", "--message-action", "SUPPRESS")
    res = emu.ok("cognito-idp", "admin-initiate-auth", "--user-pool-id", pid, "--client-id", cid,
                 "--auth-flow", "ADMIN_USER_PASSWORD_AUTH",
                 "--auth-parameters", f"USERNAME={name},PASSWORD=Temp-pass-1")
    assert res["ChallengeName"] == "NEW_PASSWORD_REQUIRED", res
    assert res["ChallengeParameters"]["USER_ID_FOR_SRP"] == name
    assert json.loads(res["ChallengeParameters"]["requiredAttributes"]) == []
    assert "AuthenticationResult" not in res

    out = emu.ok("cognito-idp", "respond-to-auth-challenge", "--client-id", cid,
                 "--challenge-name", "NEW_PASSWORD_REQUIRED", "--session", res["Session"],
                 "--challenge-responses", f"USERNAME={name},NEW_PASSWORD=Brand-new-2,userAttributes.name=Neo",
                 env=NO_CREDS)
    assert out["AuthenticationResult"]["TokenType"] == "Bearer", out
    assert out["ChallengeParameters"] == {}
    r = emu.aws("cognito-idp", "admin-get-user", "--user-pool-id", pid, "--username", name,
                "--query", "[UserStatus, UserAttributes[?Name=='name'].Value | [0]]", "--output", "text")
    assert (r.rc, r.out.split()) == (0, ["CONFIRMED", "Neo"]), repr(r)

    # The admin flow with the new password needs credentials: without any, the CLI stops
    # before sending anything.
    r = emu.aws("cognito-idp", "admin-initiate-auth", "--user-pool-id", pid, "--client-id", cid,
                "--auth-flow", "ADMIN_USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Brand-new-2", env=NO_CREDS)
    assert r.rc == 255 and "Unable to locate credentials" in r.err, repr(r)
    r = emu.aws("cognito-idp", "admin-initiate-auth", "--user-pool-id", pid, "--client-id", cid,
                "--auth-flow", "ADMIN_USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Brand-new-2",
                "--query", "AuthenticationResult.TokenType", "--output", "text")
    assert (r.rc, r.out) == (0, "Bearer\n"), repr(r)


def test_legacy_flow_names_of_old_scripts(emu, pool):
    pid, _ = pool
    # Scripts written before the ALLOW_ names still create clients with ADMIN_NO_SRP_AUTH and
    # sign in with that flow name.
    cid = emu.ok("cognito-idp", "create-user-pool-client", "--user-pool-id", pid, "--client-name", "legacy",
                 "--explicit-auth-flows", "ADMIN_NO_SRP_AUTH",
                 "--query", "UserPoolClient")["ClientId"]
    name = unique("old")
    confirmed_user(emu, pid, name, "Pass-word-1")
    r = emu.aws("cognito-idp", "admin-initiate-auth", "--user-pool-id", pid, "--client-id", cid,
                "--auth-flow", "ADMIN_NO_SRP_AUTH", "--auth-parameters", f"USERNAME={name},PASSWORD=Pass-word-1",
                "--query", "AuthenticationResult.TokenType", "--output", "text")
    assert (r.rc, r.out) == (0, "Bearer\n"), repr(r)
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Pass-word-1")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (InvalidParameterException) when calling the InitiateAuth "
                             "operation: USER_PASSWORD_AUTH flow not enabled for this client"), repr(r)
