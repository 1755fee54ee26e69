"""Users from the shell: the admin operations, sign-up with the delivered code, and groups."""

from conftest import unique


def attrs(user, key="UserAttributes"):
    return {a["Name"]: a["Value"] for a in user[key]}


def test_admin_user_lifecycle(emu, pool):
    pid, cid = pool
    name = unique("ada")
    created = emu.ok(
        "cognito-idp", "admin-create-user", "--user-pool-id", pid, "--username", name,
        "--user-attributes", "Name=email,Value=ada@example.com", "Name=email_verified,Value=true",
        "Name=name,Value=Ada Lovelace",
        "--temporary-password", "Temp-pass-1", "--message-action", "SUPPRESS",
    )["User"]
    assert created["Username"] == name and created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Enabled"] is True
    a = attrs(created, "Attributes")
    assert a["email"] == "ada@example.com" and a["name"] == "Ada Lovelace" and len(a["sub"]) == 36

    r = emu.aws("cognito-idp", "admin-set-user-password", "--user-pool-id", pid, "--username", name,
                "--password", "Perm-pass-2", "--permanent")
    assert (r.rc, r.out) == (0, ""), repr(r)
    r = emu.aws("cognito-idp", "admin-get-user", "--user-pool-id", pid, "--username", name,
                "--query", "[UserStatus, Enabled]", "--output", "text")
    assert (r.rc, r.out.split()) == (0, ["CONFIRMED", "True"]), repr(r)

    emu.ok("cognito-idp", "admin-update-user-attributes", "--user-pool-id", pid, "--username", name,
           "--user-attributes", "Name=name,Value=Countess of Lovelace", "Name=locale,Value=en-GB")
    got = emu.ok("cognito-idp", "admin-get-user", "--user-pool-id", pid, "--username", name)
    a = attrs(got)
    assert a["name"] == "Countess of Lovelace" and a["locale"] == "en-GB" and a["email_verified"] == "true"
    assert got["UserLastModifiedDate"] >= got["UserCreateDate"]

    emu.ok("cognito-idp", "admin-disable-user", "--user-pool-id", pid, "--username", name)
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Perm-pass-2")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (NotAuthorizedException) when calling the "
                             "InitiateAuth operation: User is disabled."), repr(r)
    emu.ok("cognito-idp", "admin-enable-user", "--user-pool-id", pid, "--username", name)
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Perm-pass-2",
                "--query", "AuthenticationResult.TokenType", "--output", "text")
    assert (r.rc, r.out) == (0, "Bearer\n"), repr(r)

    emu.ok("cognito-idp", "admin-delete-user", "--user-pool-id", pid, "--username", name)
    r = emu.aws("cognito-idp", "admin-get-user", "--user-pool-id", pid, "--username", name)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (UserNotFoundException) when calling the "
                             "AdminGetUser operation: User does not exist."), repr(r)


def test_sign_up_and_confirm_with_the_delivered_code(emu, pool):
    pid, cid = pool
    name = unique("grace")
    # SignUp is unauthenticated: it works with no AWS credentials configured at all.
    no_creds = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    out = emu.ok("cognito-idp", "sign-up", "--client-id", cid, "--username", name,
                 "--password", "Sign-up-pass-1",
                 "--user-attributes", f"Name=email,Value={name}@example.com",
                 env=no_creds)
    assert out["UserConfirmed"] is False and len(out["UserSub"]) == 36
    assert out["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert out["CodeDeliveryDetails"]["AttributeName"] == "email"

    r = emu.aws("cognito-idp", "confirm-sign-up", "--client-id", cid, "--username", name,
                "--confirmation-code", "000000", env=no_creds)
    assert r.rc == 255, repr(r)
    assert "An error occurred (CodeMismatchException) when calling the ConfirmSignUp operation:" in r.err

    code = emu.code_for(name, "SIGN_UP")
    out = emu.ok("cognito-idp", "confirm-sign-up", "--client-id", cid, "--username", name,
                 "--confirmation-code", code, env=no_creds)
    # The only member of ConfirmSignUp's answer is the Session for a passwordless sign-in.
    assert out is None or set(out) == {"Session"}, out
    got = emu.ok("cognito-idp", "admin-get-user", "--user-pool-id", pid, "--username", name)
    assert got["UserStatus"] == "CONFIRMED" and attrs(got)["email_verified"] == "true"


def test_groups_and_members(emu, pool):
    pid, _ = pool
    user = unique("grp-user")
    emu.wire("AdminCreateUser", {"UserPoolId": pid, "Username": user, "MessageAction": "SUPPRESS"})
    g = emu.ok("cognito-idp", "create-group", "--user-pool-id", pid, "--group-name", "admins",
               "--description", "Administrators", "--precedence", "1")["Group"]
    assert g["GroupName"] == "admins" and g["Precedence"] == 1 and g["UserPoolId"] == pid
    r = emu.aws("cognito-idp", "admin-add-user-to-group", "--user-pool-id", pid,
                "--username", user, "--group-name", "admins")
    assert (r.rc, r.out) == (0, ""), repr(r)
    r = emu.aws("cognito-idp", "list-users-in-group", "--user-pool-id", pid, "--group-name", "admins",
                "--query", "Users[].Username", "--output", "text")
    assert (r.rc, r.out.split()) == (0, [user]), repr(r)
    r = emu.aws("cognito-idp", "admin-list-groups-for-user", "--user-pool-id", pid, "--username", user,
                "--query", "Groups[].[GroupName,Description]", "--output", "text")
    assert (r.rc, r.out) == (0, "admins\tAdministrators\n"), repr(r)
    r = emu.aws("cognito-idp", "create-group", "--user-pool-id", pid, "--group-name", "admins")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("An error occurred (GroupExistsException) when calling the "
                             "CreateGroup operation: A group with the name admins already exists."), repr(r)
