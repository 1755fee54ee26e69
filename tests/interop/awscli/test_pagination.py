"""The CLI's automatic pagination (botocore's paginators-1.json) over the emulator's tokens:
every item exactly once, --page-size, --max-items with the NextToken the CLI prints, and
--starting-token to go on from it."""

import json

from conftest import unique


def names(items, key):
    return [i[key] for i in items]


def assert_once(got, expected, what):
    dupes = sorted({n for n in got if got.count(n) > 1})
    assert not dupes, f"{what}: listed more than once: {dupes}"
    assert sorted(got) == sorted(expected), f"{what}: got {sorted(got)}, expected {sorted(expected)}"


def paged(emu, *args, key, page_size=None, max_items=None):
    """Lists with the CLI in chunks of --max-items, following the NextToken it prints with
    --starting-token, until it prints none; returns every name it listed."""
    got, token, rounds = [], None, 0
    while True:
        extra = ["--max-items", max_items] if max_items else []
        if page_size:
            extra += ["--page-size", page_size]
        if token:
            extra += ["--starting-token", token]
        out = emu.ok(*args, *extra)
        list_key = next(k for k in out if isinstance(out[k], list))
        got += names(out[list_key], key)
        token = out.get("NextToken")
        rounds += 1
        if not max_items or not token:
            return got, rounds
        assert rounds < 20, "the CLI's NextToken never ran out"


def test_list_users_every_user_once(emu, pool):
    pid, _ = pool
    users = [unique("pg") for _ in range(23)]
    for i, u in enumerate(users):
        email = f"page{i:02d}@example.com" if i % 2 == 0 else f"other{i:02d}@example.com"
        emu.wire("AdminCreateUser", {
            "UserPoolId": pid, "Username": u, "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": email}],
        })
    # No paging option: the CLI follows PaginationToken through pages of the default size (60
    # on AWS) -- with --page-size 5 it needs five requests, and still prints one list.
    before = emu.hook("/_emulator/counts").get("ListUsers", 0)
    out = emu.ok("cognito-idp", "list-users", "--user-pool-id", pid, "--page-size", "5")
    assert_once(names(out["Users"], "Username"), users, "list-users --page-size 5")
    assert "PaginationToken" not in out and "NextToken" not in out
    assert emu.hook("/_emulator/counts")["ListUsers"] - before == 5

    # With --output text, the CLI applies --query to each page as it arrives: one line per
    # page, the names of that page separated by tabs.
    r = emu.aws("cognito-idp", "list-users", "--user-pool-id", pid, "--page-size", "5",
                "--query", "Users[].Username", "--output", "text")
    assert r.rc == 0, repr(r)
    lines = r.out.splitlines()
    assert [len(line.split("\t")) for line in lines] == [5, 5, 5, 5, 3], repr(r)
    assert_once([n for line in lines for n in line.split("\t")], users, "list-users --output text")

    # --max-items: the CLI prints a NextToken of its own, which --starting-token resumes.
    got, rounds = paged(emu, "cognito-idp", "list-users", "--user-pool-id", pid,
                        key="Username", page_size=4, max_items=7)
    assert_once(got, users, "list-users --max-items 7 --page-size 4")
    assert rounds == 4

    # --limit is ListUsers' own page size: naming it turns the CLI's pagination off, and the
    # service's PaginationToken is printed for --pagination-token.
    out = emu.ok("cognito-idp", "list-users", "--user-pool-id", pid, "--limit", "10")
    assert len(out["Users"]) == 10 and out["PaginationToken"], out
    rest = emu.ok("cognito-idp", "list-users", "--user-pool-id", pid,
                  "--pagination-token", out["PaginationToken"])
    assert_once(names(out["Users"] + rest["Users"], "Username"), users,
                "list-users --limit 10, then --pagination-token")

    # A filter; the CLI paginates the filtered list too.
    r = emu.aws("cognito-idp", "list-users", "--user-pool-id", pid, "--page-size", "3",
                "--filter", 'email ^= "page"', "--query", "Users[].Username", "--output", "json")
    assert r.rc == 0, repr(r)
    assert_once(json.loads(r.out), users[0::2], "list-users --filter 'email ^= \"page\"'")


def test_groups_members_and_memberships(emu, pool):
    pid, _ = pool
    member = unique("member")
    emu.wire("AdminCreateUser", {"UserPoolId": pid, "Username": member, "MessageAction": "SUPPRESS"})
    groups = [f"team-{i:02d}" for i in range(13)]
    for g in groups:
        emu.wire("CreateGroup", {"UserPoolId": pid, "GroupName": g})
        emu.wire("AdminAddUserToGroup", {"UserPoolId": pid, "GroupName": g, "Username": member})
    crowd = [unique("crowd") for _ in range(11)]
    for u in crowd:
        emu.wire("AdminCreateUser", {"UserPoolId": pid, "Username": u, "MessageAction": "SUPPRESS"})
        emu.wire("AdminAddUserToGroup", {"UserPoolId": pid, "GroupName": "team-00", "Username": u})

    out = emu.ok("cognito-idp", "list-groups", "--user-pool-id", pid, "--page-size", "4")
    assert_once(names(out["Groups"], "GroupName"), groups, "list-groups --page-size 4")
    got, _ = paged(emu, "cognito-idp", "admin-list-groups-for-user", "--user-pool-id", pid,
                   "--username", member, key="GroupName", page_size=3, max_items=5)
    assert_once(got, groups, "admin-list-groups-for-user --max-items 5 --page-size 3")
    out = emu.ok("cognito-idp", "list-users-in-group", "--user-pool-id", pid,
                 "--group-name", "team-00", "--page-size", "5")
    assert_once(names(out["Users"], "Username"), crowd + [member], "list-users-in-group --page-size 5")


def manual(emu, *args, key, list_key):
    """Follows the service's NextToken by hand with --next-token, as a shell loop does when
    the CLI does not paginate; returns every name listed and the number of calls."""
    got, token, calls = [], None, 0
    while True:
        out = emu.ok(*args, *(["--next-token", token] if token else []))
        got += names(out[list_key], key)
        calls += 1
        token = out.get("NextToken")
        if not token:
            return got, calls
        assert calls < 50, "NextToken never ran out"


def test_clients_and_pools(emu, pool):
    pid, _ = pool
    clients = [f"client-{i:02d}" for i in range(9)]
    for c in clients:
        emu.wire("CreateUserPoolClient", {"UserPoolId": pid, "ClientName": c})
    everyone = clients + ["app"]
    out = emu.ok("cognito-idp", "list-user-pool-clients", "--user-pool-id", pid, "--page-size", "3")
    assert_once(names(out["UserPoolClients"], "ClientName"), everyone,
                "list-user-pool-clients --page-size 3")
    # --max-results is the operation's own limit: naming it turns the CLI's pagination off
    # (one request, the service's NextToken printed as is) and --next-token goes on by hand.
    out = emu.ok("cognito-idp", "list-user-pool-clients", "--user-pool-id", pid, "--max-results", "4")
    assert len(out["UserPoolClients"]) == 4 and out["NextToken"], out
    got, calls = manual(emu, "cognito-idp", "list-user-pool-clients", "--user-pool-id", pid,
                        "--max-results", "4", key="ClientName", list_key="UserPoolClients")
    assert_once(got, everyone, "list-user-pool-clients --max-results 4 --next-token ...")
    assert calls == 3

    mine = [emu.wire("CreateUserPool", {"PoolName": unique("listed-")})["UserPool"]["Id"]
            for _ in range(7)]
    # list-user-pools requires --max-results, so the CLI never paginates it: a script follows
    # NextToken itself. Other tests create pools meanwhile, so the check is: ours are all
    # there, and nothing twice.
    got, calls = manual(emu, "cognito-idp", "list-user-pools", "--max-results", "4",
                        key="Id", list_key="UserPools")
    assert len(got) == len(set(got)), f"list-user-pools listed a pool twice: {got}"
    assert set(mine) <= set(got)
    assert calls == -(-len(got) // 4)
    # The paging options of the CLI are refused with --max-results, before any request.
    r = emu.aws("cognito-idp", "list-user-pools", "--max-results", "4", "--page-size", "2")
    assert r.rc == 255, repr(r)
    assert r.err.strip() == ("Error during pagination: Cannot specify --no-paginate along with "
                             "pagination arguments: --page-size"), repr(r)
