"""Identity pools from the shell (`aws cognito-identity`): guest and signed-in identities,
their credentials, and listing."""

import json
import time

from conftest import confirmed_user, unique

NO_CREDS = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}


def test_guest_and_signed_in_identities(emu, pool):
    pid, cid = pool
    provider = f"cognito-idp.us-east-1.amazonaws.com/{pid}"
    name = unique("idp-pool-")
    created = emu.ok("cognito-identity", "create-identity-pool", "--identity-pool-name", name,
                     "--allow-unauthenticated-identities",
                     "--cognito-identity-providers", f"ProviderName={provider},ClientId={cid},ServerSideTokenCheck=false")
    ipid = created["IdentityPoolId"]
    assert ipid.startswith("us-east-1:"), created
    assert created["IdentityPoolName"] == name and created["AllowUnauthenticatedIdentities"] is True
    assert created["CognitoIdentityProviders"] == [
        {"ProviderName": provider, "ClientId": cid, "ServerSideTokenCheck": False}]

    # GetId and GetCredentialsForIdentity are unsigned: a guest needs no AWS credentials.
    guest = emu.ok("cognito-identity", "get-id", "--identity-pool-id", ipid, env=NO_CREDS)["IdentityId"]
    assert guest.startswith("us-east-1:"), guest
    # Credentials need the pool's roles, as on AWS.
    r = emu.aws("cognito-identity", "get-credentials-for-identity", "--identity-id", guest, env=NO_CREDS)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == (
        "An error occurred (InvalidIdentityPoolConfigurationException) when calling the "
        "GetCredentialsForIdentity operation: Invalid identity pool configuration. Check assigned "
        "IAM roles for this pool."), repr(r)
    roles = {"unauthenticated": "arn:aws:iam::123456789012:role/Guest",
             "authenticated": "arn:aws:iam::123456789012:role/Member"}
    r = emu.aws("cognito-identity", "set-identity-pool-roles", "--identity-pool-id", ipid,
                "--roles", ",".join(f"{k}={v}" for k, v in roles.items()))
    assert (r.rc, r.out) == (0, ""), repr(r)
    got = emu.ok("cognito-identity", "get-identity-pool-roles", "--identity-pool-id", ipid)
    assert got == {"IdentityPoolId": ipid, "Roles": roles}, got
    creds = emu.ok("cognito-identity", "get-credentials-for-identity", "--identity-id", guest,
                   env=NO_CREDS)
    assert creds["IdentityId"] == guest
    c = creds["Credentials"]
    assert c["AccessKeyId"] and c["SecretKey"] and c["SessionToken"], c
    # CLI v1 prints a timestamp as it came over the wire (its cli_timestamp_format defaults
    # to "none"): epoch seconds, here about an hour ahead.
    assert isinstance(c["Expiration"], (int, float)), c
    assert 0 < c["Expiration"] - time.time() <= 3600 + 60, c

    # A signed-in user: the ID token as the login of the user pool provider.
    user = unique("ident")
    confirmed_user(emu, pid, user, "Pass-word-1")
    token = emu.wire("InitiateAuth", {
        "ClientId": cid, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": user, "PASSWORD": "Pass-word-1"},
    })["AuthenticationResult"]["IdToken"]
    logins = json.dumps({provider: token})
    signed = emu.ok("cognito-identity", "get-id", "--identity-pool-id", ipid, "--logins", logins,
                    env=NO_CREDS)["IdentityId"]
    assert signed != guest
    again = emu.ok("cognito-identity", "get-credentials-for-identity", "--identity-id", signed,
                   "--logins", logins, env=NO_CREDS)
    assert again["IdentityId"] == signed and again["Credentials"]["AccessKeyId"]
    # The login is needed for a signed-in identity.
    r = emu.aws("cognito-identity", "get-credentials-for-identity", "--identity-id", signed, env=NO_CREDS)
    assert r.rc == 255, repr(r)
    assert r.err.strip().startswith(
        "An error occurred (NotAuthorizedException) when calling the GetCredentialsForIdentity operation: "), repr(r)

    # ListIdentities has no paginator: --max-results is one page.
    out = emu.ok("cognito-identity", "list-identities", "--identity-pool-id", ipid, "--max-results", "10")
    assert out["IdentityPoolId"] == ipid
    assert sorted(i["IdentityId"] for i in out["Identities"]) == sorted([guest, signed])
    listed = {i["IdentityId"]: i for i in out["Identities"]}
    assert listed[signed]["Logins"] == [provider] and listed[guest].get("Logins", []) == []

    described = emu.ok("cognito-identity", "describe-identity-pool", "--identity-pool-id", ipid)
    assert described["IdentityPoolName"] == name
    r = emu.aws("cognito-identity", "delete-identity-pool", "--identity-pool-id", ipid)
    assert (r.rc, r.out) == (0, ""), repr(r)
    r = emu.aws("cognito-identity", "describe-identity-pool", "--identity-pool-id", ipid)
    assert r.rc == 255, repr(r)
    assert r.err.strip().startswith(
        "An error occurred (ResourceNotFoundException) when calling the DescribeIdentityPool operation: "), repr(r)


def test_guests_refused_by_a_closed_pool(emu):
    closed = emu.ok("cognito-identity", "create-identity-pool", "--identity-pool-name", unique("closed"),
                    "--no-allow-unauthenticated-identities")["IdentityPoolId"]
    r = emu.aws("cognito-identity", "get-id", "--identity-pool-id", closed, env=NO_CREDS)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (NotAuthorizedException) when calling the GetId "
                             "operation: Unauthenticated access is not supported for this identity pool."), repr(r)


def test_list_identity_pools_by_hand(emu):
    mine = [emu.wire("CreateIdentityPool",
                     {"IdentityPoolName": unique("listed"), "AllowUnauthenticatedIdentities": True},
                     service="AWSCognitoIdentityService")["IdentityPoolId"]
            for _ in range(5)]
    # --max-results is required and is the paginator's limit key, so the CLI sends one
    # request and prints the service's NextToken; a script follows it with --next-token.
    got, token, calls = [], None, 0
    while True:
        out = emu.ok("cognito-identity", "list-identity-pools", "--max-results", "2",
                     *(["--next-token", token] if token else []))
        assert len(out["IdentityPools"]) <= 2
        got += [p["IdentityPoolId"] for p in out["IdentityPools"]]
        calls += 1
        token = out.get("NextToken")
        if not token:
            break
        assert calls < 30
    assert len(got) == len(set(got)), f"an identity pool listed twice: {got}"
    assert set(mine) <= set(got)
