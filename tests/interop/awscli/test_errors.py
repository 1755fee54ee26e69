"""What the CLI prints and how it exits when the service refuses, when it refuses a command
itself, and how its retry modes meet throttling and server errors.

AWS CLI v1 exits 255 for a service error and for a request it refuses before sending
(parameter validation, bad shorthand), and 2 for a command line argparse rejects. (Version 2
uses 254 and 252 instead.)"""

from conftest import confirmed_user, unique


def count(emu, op):
    return emu.hook("/_emulator/counts").get(op, 0)


def error_line(op, code, message):
    return f"An error occurred ({code}) when calling the {op} operation: {message}"


def test_service_errors(emu, pool):
    pid, cid = pool
    name = unique("err")
    confirmed_user(emu, pid, name, "Right-pass-1")

    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", f"USERNAME={name},PASSWORD=Wrong-pass-1")
    assert (r.rc, r.out) == (255, ""), repr(r)
    assert r.err.strip() == error_line("InitiateAuth", "NotAuthorizedException",
                                       "Incorrect username or password."), repr(r)

    # A client created through the API without PreventUserExistenceErrors is LEGACY: an
    # unknown user is named as such.
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", cid, "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", "USERNAME=nobody-here,PASSWORD=Wrong-pass-1")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == error_line("InitiateAuth", "UserNotFoundException", "User does not exist."), repr(r)

    r = emu.aws("cognito-idp", "sign-up", "--client-id", cid, "--username", unique("short"),
                "--password", "Ab-1")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == error_line(
        "SignUp", "InvalidPasswordException",
        "Password did not conform with policy: Password not long enough"), repr(r)

    r = emu.aws("cognito-idp", "admin-create-user", "--user-pool-id", pid, "--username", name)
    assert r.rc == 255, repr(r)
    assert r.err.strip() == error_line("AdminCreateUser", "UsernameExistsException",
                                       "User account already exists"), repr(r)

    r = emu.aws("cognito-idp", "list-users", "--user-pool-id", pid, "--filter", "email = unquoted")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == error_line("ListUsers", "InvalidParameterException",
                                       "Error while parsing filter."), repr(r)

    r = emu.aws("cognito-idp", "describe-user-pool", "--user-pool-id", "us-east-1_doesNotExist")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == error_line("DescribeUserPool", "ResourceNotFoundException",
                                       "User pool us-east-1_doesNotExist does not exist."), repr(r)


def test_what_the_cli_refuses_itself(emu, pool):
    pid, _ = pool
    before = sum(emu.hook("/_emulator/counts").values())

    r = emu.aws("cognito-idp", "admin-get-user", "--username", "x")
    assert r.rc == 2, repr(r)
    assert "aws: error: the following arguments are required: --user-pool-id" in r.err, repr(r)

    r = emu.aws("cognito-idp", "list-user-pools", "--max-results", "0")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("Parameter validation failed:\nInvalid value for parameter MaxResults, "
                             "value: 0, valid min value: 1"), repr(r)

    r = emu.aws("cognito-idp", "admin-create-user", "--user-pool-id", pid, "--username", "x",
                "--user-attributes", "Name=email,Valu=x@example.com")
    assert r.rc == 255, repr(r)
    assert "Unknown parameter in UserAttributes[0]: \"Valu\"" in r.err, repr(r)

    # A comma in a shorthand value makes a list: a password with a comma needs the JSON form.
    r = emu.aws("cognito-idp", "initiate-auth", "--client-id", "c", "--auth-flow", "USER_PASSWORD_AUTH",
                "--auth-parameters", "USERNAME=x,PASSWORD=one,two")
    assert r.rc == 255, repr(r)
    assert "Invalid type for parameter AuthParameters.PASSWORD, value: ['one', 'two']" in r.err, repr(r)

    r = emu.aws("cognito-idp", "admin-create-user", "--user-pool-id", pid, "--username", "x",
                "--message-action", "SUPPRESS", "--cli-input-json", "{not json")
    assert r.rc == 255 and "Invalid JSON" in r.err, repr(r)

    r = emu.aws("cognito-idp", "admin-get-user", "--user-pool-id", pid, "--username", "x", "--bogus")
    assert r.rc == 255, repr(r)
    assert "Unknown options: --bogus" in r.err, repr(r)

    # None of these reached the emulator.
    assert sum(emu.hook("/_emulator/counts").values()) == before + 0


def test_retries_on_server_errors_and_throttling(emu, pool):
    pid, _ = pool
    # Two 500s: the CLI's default (legacy) retry mode tries again, and the third call answers.
    emu.hook("/_emulator/faults", {"operation": "ListGroups", "kind": "http500", "count": 2})
    n = count(emu, "ListGroups")
    r = emu.aws("cognito-idp", "list-groups", "--user-pool-id", pid)
    assert (r.rc, r.out.split()) == (0, ["{", '"Groups":', "[]", "}"]), repr(r)
    assert count(emu, "ListGroups") - n == 3

    # More 500s than attempts: the message says how often it retried.
    emu.hook("/_emulator/faults", {"operation": "ListGroups", "kind": "http500", "count": 2})
    r = emu.aws("cognito-idp", "list-groups", "--user-pool-id", pid, env={"AWS_MAX_ATTEMPTS": "2"})
    assert r.rc == 255, repr(r)
    assert r.err.strip().startswith(
        "An error occurred (InternalErrorException) when calling the ListGroups operation "
        "(reached max retries: 1): "), repr(r)

    # Cognito throttles with TooManyRequestsException (HTTP 400), which the legacy mode does
    # not retry and the standard mode does.
    emu.hook("/_emulator/faults", {"operation": "ListGroups", "kind": "throttle", "count": 1})
    n = count(emu, "ListGroups")
    r = emu.aws("cognito-idp", "list-groups", "--user-pool-id", pid)
    assert r.rc == 255, repr(r)
    assert r.err.strip().startswith(
        "An error occurred (TooManyRequestsException) when calling the ListGroups operation: "), repr(r)
    assert count(emu, "ListGroups") - n == 1
    emu.hook("/_emulator/faults", {"operation": "ListGroups", "kind": "throttle", "count": 1})
    r = emu.aws("cognito-idp", "list-groups", "--user-pool-id", pid, env={"AWS_RETRY_MODE": "standard"})
    assert r.rc == 0, repr(r)
    assert count(emu, "ListGroups") - n == 3
