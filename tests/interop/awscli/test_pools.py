"""User pools, app clients and domains from the shell: shorthand syntax, --cli-input-json,
--generate-cli-skeleton, --query and the text output."""

import json

from conftest import unique


def test_create_user_pool_with_shorthand_then_describe_update_delete(emu):
    name = unique("short-")
    created = emu.ok(
        "cognito-idp", "create-user-pool", "--pool-name", name,
        "--policies", "PasswordPolicy={MinimumLength=10,RequireUppercase=false,RequireSymbols=false,TemporaryPasswordValidityDays=3}",
        "--auto-verified-attributes", "email",
        "--username-attributes", "email",
        "--schema",
        "Name=email,AttributeDataType=String,Required=true,Mutable=true",
        "Name=team,AttributeDataType=String,Mutable=true,StringAttributeConstraints={MinLength=1,MaxLength=32}",
        "Name=level,AttributeDataType=Number,NumberAttributeConstraints={MinValue=0,MaxValue=10}",
        "--user-pool-tags", "env=test,owner=cli",
    )["UserPool"]
    pid = created["Id"]
    assert pid.startswith("us-east-1_"), created
    assert created["Name"] == name
    policy = created["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 10 and policy["RequireUppercase"] is False
    assert policy["RequireLowercase"] is False and policy["TemporaryPasswordValidityDays"] == 3
    assert created["AutoVerifiedAttributes"] == ["email"]
    assert created["UsernameAttributes"] == ["email"]
    assert created["UserPoolTags"] == {"env": "test", "owner": "cli"}
    schema = {a["Name"]: a for a in created["SchemaAttributes"]}
    assert schema["custom:team"]["StringAttributeConstraints"] == {"MinLength": "1", "MaxLength": "32"}
    assert schema["custom:level"]["AttributeDataType"] == "Number"
    assert schema["custom:level"]["NumberAttributeConstraints"] == {"MinValue": "0", "MaxValue": "10"}
    assert schema["email"]["Required"] is True

    # --query with --output text: what a script reads into a shell variable.
    r = emu.aws("cognito-idp", "describe-user-pool", "--user-pool-id", pid,
                "--query", "UserPool.Policies.PasswordPolicy.MinimumLength", "--output", "text")
    assert (r.rc, r.out) == (0, "10\n"), repr(r)

    # UpdateUserPool replaces the settings: what it omits returns to its default.
    emu.ok("cognito-idp", "update-user-pool", "--user-pool-id", pid,
           "--policies", "PasswordPolicy={MinimumLength=12}",
           "--auto-verified-attributes", "email",
           "--user-pool-tags", "env=prod")
    after = emu.ok("cognito-idp", "describe-user-pool", "--user-pool-id", pid)["UserPool"]
    assert after["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert after["Policies"]["PasswordPolicy"]["RequireUppercase"] is False
    assert after["UserPoolTags"] == {"env": "prod"}
    assert after["LastModifiedDate"] >= after["CreationDate"]

    r = emu.aws("cognito-idp", "delete-user-pool", "--user-pool-id", pid)
    assert (r.rc, r.out) == (0, ""), repr(r)
    r = emu.aws("cognito-idp", "describe-user-pool", "--user-pool-id", pid)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the DescribeUserPool "
        f"operation: User pool {pid} does not exist."
    ), repr(r)


def test_create_user_pool_from_cli_input_json(emu, tmp_path):
    # The skeleton the CLI generates itself (no request) is the template users fill in.
    r = emu.aws("cognito-idp", "create-user-pool", "--generate-cli-skeleton")
    assert r.rc == 0, repr(r)
    skeleton = json.loads(r.out)
    assert "PoolName" in skeleton and "Policies" in skeleton and "Schema" in skeleton

    name = unique("json-")
    doc = {
        "PoolName": name,
        "Policies": {"PasswordPolicy": {"MinimumLength": 9, "RequireNumbers": True}},
        "AutoVerifiedAttributes": ["email"],
        "AliasAttributes": ["email", "preferred_username"],
        "Schema": [{"Name": "dept", "AttributeDataType": "String", "Mutable": True}],
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "MfaConfiguration": "OFF",
        "DeletionProtection": "ACTIVE",
    }
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(doc))
    created = emu.ok("cognito-idp", "create-user-pool", "--cli-input-json", f"file://{path}")["UserPool"]
    assert created["Name"] == name
    assert created["Policies"]["PasswordPolicy"]["MinimumLength"] == 9
    assert created["AliasAttributes"] == ["email", "preferred_username"]
    assert created["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert any(a["Name"] == "custom:dept" for a in created["SchemaAttributes"])
    assert created["DeletionProtection"] == "ACTIVE"

    # A command-line argument overrides the same member of --cli-input-json.
    other = emu.ok("cognito-idp", "create-user-pool", "--cli-input-json", json.dumps(doc),
                   "--pool-name", name + "-b", "--deletion-protection", "INACTIVE")["UserPool"]
    assert other["Name"] == name + "-b" and other["DeletionProtection"] == "INACTIVE"

    # Deletion protection refuses the delete, with AWS's wording.
    pid = created["Id"]
    r = emu.aws("cognito-idp", "delete-user-pool", "--user-pool-id", pid)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == (
        "An error occurred (InvalidParameterException) when calling the DeleteUserPool operation: "
        "The user pool cannot be deleted because deletion protection is activated. Deletion "
        "protection must be inactivated first."), repr(r)
    emu.ok("cognito-idp", "update-user-pool", "--user-pool-id", pid, "--deletion-protection", "INACTIVE")
    emu.ok("cognito-idp", "delete-user-pool", "--user-pool-id", pid)
    emu.ok("cognito-idp", "delete-user-pool", "--user-pool-id", other["Id"])


def test_client_with_secret_and_domain(emu, pool):
    pid, _ = pool
    client = emu.ok(
        "cognito-idp", "create-user-pool-client", "--user-pool-id", pid,
        "--client-name", "backend", "--generate-secret",
        "--explicit-auth-flows", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH",
        "--allowed-o-auth-flows", "code", "--allowed-o-auth-scopes", "openid", "email",
        "--allowed-o-auth-flows-user-pool-client",
        "--callback-urls", "https://app.example.com/cb",
        "--supported-identity-providers", "COGNITO",
        "--token-validity-units", "AccessToken=minutes,IdToken=minutes,RefreshToken=days",
        "--access-token-validity", "15", "--id-token-validity", "15",
        "--refresh-token-validity", "2",
    )["UserPoolClient"]
    assert client["ClientName"] == "backend"
    assert len(client["ClientSecret"]) >= 40, client
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["AllowedOAuthFlows"] == ["code"]
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid"]
    assert client["TokenValidityUnits"] == {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
    assert client["AccessTokenValidity"] == 15 and client["RefreshTokenValidity"] == 2

    described = emu.ok("cognito-idp", "describe-user-pool-client", "--user-pool-id", pid,
                       "--client-id", client["ClientId"])["UserPoolClient"]
    assert described["ClientSecret"] == client["ClientSecret"]

    domain = unique("auth-")
    r = emu.aws("cognito-idp", "create-user-pool-domain", "--user-pool-id", pid, "--domain", domain)
    assert r.rc == 0, repr(r)
    # CreateUserPoolDomain answers the managed-login version (1, the classic hosted UI, when
    # none was asked for); an empty answer would print nothing.
    assert r.out == "" or set(json.loads(r.out)) <= {"ManagedLoginVersion", "CloudFrontDomain"}, repr(r)
    d = emu.ok("cognito-idp", "describe-user-pool-domain", "--domain", domain)["DomainDescription"]
    assert d["UserPoolId"] == pid and d["Domain"] == domain and d["Status"] == "ACTIVE"
    # The pool names its domain.
    r = emu.aws("cognito-idp", "describe-user-pool", "--user-pool-id", pid,
                "--query", "UserPool.Domain", "--output", "text")
    assert (r.rc, r.out.strip()) == (0, domain), repr(r)


def test_table_output_and_jmespath_filter(emu, pool):
    pid, _ = pool
    for name in ("alpha", "beta", "gamma"):
        emu.wire("CreateUserPoolClient", {"UserPoolId": pid, "ClientName": name})
    r = emu.aws("cognito-idp", "list-user-pool-clients", "--user-pool-id", pid, "--max-results", "60",
                "--query", "sort(UserPoolClients[?starts_with(ClientName, 'b') || ClientName=='gamma'].ClientName)",
                "--output", "text")
    assert (r.rc, r.out.split()) == (0, ["beta", "gamma"]), repr(r)
    r = emu.aws("cognito-idp", "list-user-pool-clients", "--user-pool-id", pid, "--max-results", "60",
                "--output", "table")
    assert r.rc == 0, repr(r)
    lines = r.out.splitlines()
    assert "ListUserPoolClients" in lines[1], repr(r)
    assert sum("alpha" in line for line in lines) == 1, repr(r)


def test_update_user_pool_resets_what_it_omits_and_checks_the_result(emu, pool):
    """update-user-pool with only --user-attribute-update-settings: the omitted
    --auto-verified-attributes returns to its default (none), so AWS refuses the update, as
    AWS CLI users report (aws/aws-cli#7151). Sending both succeeds."""
    pid, _ = pool
    r = emu.aws("cognito-idp", "update-user-pool", "--user-pool-id", pid,
                "--user-attribute-update-settings", "AttributesRequireVerificationBeforeUpdate=email")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == (
        "An error occurred (InvalidParameterException) when calling the UpdateUserPool operation: "
        "All attributes in AttributesRequireVerificationBeforeUpdate must exist in AutoVerifiedAttributes"
    ), repr(r)
    emu.ok("cognito-idp", "update-user-pool", "--user-pool-id", pid,
           "--auto-verified-attributes", "email",
           "--user-attribute-update-settings", "AttributesRequireVerificationBeforeUpdate=email")
    d = emu.ok("cognito-idp", "describe-user-pool", "--user-pool-id", pid)["UserPool"]
    assert d["UserAttributeUpdateSettings"] == {"AttributesRequireVerificationBeforeUpdate": ["email"]}
    assert d["AutoVerifiedAttributes"] == ["email"]


def test_client_token_lifetimes_outside_aws_ranges(emu, pool):
    """A lifetime AWS refuses fails here as it fails against AWS, whatever its unit; a
    refresh lifetime of 0 is AWS's default of 30 days."""
    pid, _ = pool
    r = emu.aws("cognito-idp", "create-user-pool-client", "--user-pool-id", pid,
                "--client-name", "short", "--access-token-validity", "1",
                "--token-validity-units", "AccessToken=minutes")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == (
        "An error occurred (InvalidParameterException) when calling the CreateUserPoolClient "
        "operation: Invalid range for token validity."
    ), repr(r)
    c = emu.ok("cognito-idp", "create-user-pool-client", "--user-pool-id", pid,
               "--client-name", "zero", "--refresh-token-validity", "0")["UserPoolClient"]
    assert c["RefreshTokenValidity"] == 30 and c["TokenValidityUnits"]["RefreshToken"] == "days", c
