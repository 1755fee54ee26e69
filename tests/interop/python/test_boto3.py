"""boto3 (AWS's own Python SDK, as `aws cognito-idp --endpoint-url` uses it) against the
project's emulator: the administration operations, their output shapes as botocore parses
them, and botocore's paginators over the emulator's pagination tokens.

Each failure message names the operation and what was expected.
"""

import datetime
import json
import unittest

from botocore.exceptions import ClientError

from emulator import Emulator

EMU = None


def setUpModule():
    global EMU
    EMU = Emulator()


def tearDownModule():
    EMU.stop()


def error_code(ctx):
    return ctx.exception.response["Error"]["Code"]


def shape_problems(value, shape, path):
    """Where a raw JSON response breaks botocore's output shape: undeclared or missing
    required members, wrong JSON types, values outside an enum, non-numeric timestamps."""
    out = []
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        for name, v in value.items():
            if name not in shape.members:
                out.append(f"{path}.{name}: not declared by the model")
            else:
                out += shape_problems(v, shape.members[name], f"{path}.{name}")
        out += [f"{path}.{r}: required but missing" for r in shape.required_members if r not in value]
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: not a list"]
        for i, v in enumerate(value):
            out += shape_problems(v, shape.member, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: not a map"]
        for k, v in value.items():
            out += shape_problems(v, shape.value, f"{path}{{{k}}}")
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{path}: not a string")
        elif shape.enum and value not in shape.enum:
            out.append(f"{path}: {value!r} not in the enum")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{path}: not an integer")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{path}: not a boolean")
    elif kind == "timestamp":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(f"{path}: not epoch seconds")
    return out


class Boto3Admin(unittest.TestCase):
    def setUp(self):
        self.c = EMU.client()
        # Every successful raw response is checked against the operation's output shape
        # (botocore's parser would silently drop undeclared members).
        self.problems = []
        self.c.meta.events.register("after-call.cognito-idp.*", self.check_response)
        self.pool = self.c.create_user_pool(PoolName=f"boto3-{self.id().rsplit('.', 1)[-1]}")[
            "UserPool"
        ]
        self.pool_id = self.pool["Id"]

    def check_response(self, http_response, model, **_):
        if http_response.status_code != 200 or model.output_shape is None:
            return
        body = json.loads(http_response.content or b"{}")
        self.problems += shape_problems(body, model.output_shape, model.name)

    def tearDown(self):
        self.assertEqual(self.problems, [], "responses conform to the model's output shapes")
        try:
            self.c.update_user_pool(UserPoolId=self.pool_id, DeletionProtection="INACTIVE")
            desc = self.c.describe_user_pool(UserPoolId=self.pool_id)["UserPool"]
            if "Domain" in desc:
                self.c.delete_user_pool_domain(UserPoolId=self.pool_id, Domain=desc["Domain"])
            self.c.delete_user_pool(UserPoolId=self.pool_id)
        except ClientError:
            pass

    def user(self, name, **attrs):
        self.c.admin_create_user(
            UserPoolId=self.pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()],
        )

    def test_describe_user_pool_parses_with_defaults(self):
        p = self.c.describe_user_pool(UserPoolId=self.pool_id)["UserPool"]
        self.assertIsInstance(p["CreationDate"], datetime.datetime, "CreationDate is a timestamp")
        self.assertEqual(p["MfaConfiguration"], "OFF")
        self.assertEqual(p["DeletionProtection"], "INACTIVE")
        self.assertEqual(p["Policies"]["PasswordPolicy"]["MinimumLength"], 8)
        self.assertTrue(p["Arn"].endswith(f"userpool/{self.pool_id}"))
        self.assertNotIn("Schema", p)

    def test_update_user_pool_replaces_and_deletion_protection(self):
        self.c.update_user_pool(UserPoolId=self.pool_id, DeletionProtection="ACTIVE")
        with self.assertRaises(ClientError) as ctx:
            self.c.delete_user_pool(UserPoolId=self.pool_id)
        self.assertEqual(error_code(ctx), "InvalidParameterException", "DeleteUserPool while protected")

    def test_clients_describe_list_and_paginate(self):
        ids = set()
        for i in range(4):
            ids.add(
                self.c.create_user_pool_client(UserPoolId=self.pool_id, ClientName=f"c{i}")[
                    "UserPoolClient"
                ]["ClientId"]
            )
        d = self.c.describe_user_pool_client(UserPoolId=self.pool_id, ClientId=sorted(ids)[0])[
            "UserPoolClient"
        ]
        self.assertEqual(
            d["ExplicitAuthFlows"], ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]
        )
        self.assertEqual(d["TokenValidityUnits"]["AccessToken"], "minutes")
        pages = self.c.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=self.pool_id, PaginationConfig={"PageSize": 3}
        )
        listed = [c["ClientId"] for page in pages for c in page["UserPoolClients"]]
        self.assertEqual(sorted(listed), sorted(ids), "ListUserPoolClients paginator")

    def test_list_users_paginator_filter_and_attributes(self):
        for i in range(7):
            self.user(f"user{i}", email=f"u{i}@example.com", given_name="Jon" if i % 2 else "Ann")
        pages = self.c.get_paginator("list_users").paginate(
            UserPoolId=self.pool_id, PaginationConfig={"PageSize": 2}
        )
        names = [u["Username"] for page in pages for u in page["Users"]]
        self.assertEqual(names, [f"user{i}" for i in range(7)], "ListUsers paginator")
        jons = self.c.list_users(UserPoolId=self.pool_id, Filter='given_name = "Jon"')["Users"]
        self.assertEqual([u["Username"] for u in jons], ["user1", "user3", "user5"])
        one = self.c.list_users(
            UserPoolId=self.pool_id, Filter='email ^= "u4"', AttributesToGet=["email"]
        )["Users"]
        self.assertEqual(one[0]["Attributes"], [{"Name": "email", "Value": "u4@example.com"}])
        # AWS answers AttributesToGet only when every listed user has the attribute.
        with self.assertRaises(ClientError) as ctx:
            self.c.list_users(UserPoolId=self.pool_id, AttributesToGet=["family_name"])
        self.assertEqual(error_code(ctx), "InvalidParameterException", "AttributesToGet: a missing value")
        self.assertEqual(
            ctx.exception.response["Error"]["Message"],
            "One or more requested attributes do not exist.",
        )
        with self.assertRaises(ClientError) as ctx:
            self.c.list_users(UserPoolId=self.pool_id, PaginationToken="forged-token")
        self.assertEqual(error_code(ctx), "InvalidParameterException", "forged PaginationToken")

    def test_list_user_pools_paginator(self):
        pages = self.c.get_paginator("list_user_pools").paginate(PaginationConfig={"PageSize": 1})
        ids = [p["Id"] for page in pages for p in page["UserPools"]]
        self.assertIn(self.pool_id, ids)
        self.assertEqual(len(ids), len(set(ids)), "no pool listed twice")

    def test_mfa_config(self):
        out = self.c.set_user_pool_mfa_config(
            UserPoolId=self.pool_id,
            MfaConfiguration="ON",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
        self.assertNotIn("SmsMfaConfiguration", out)
        got = self.c.get_user_pool_mfa_config(UserPoolId=self.pool_id)
        self.assertEqual(got["MfaConfiguration"], "ON")
        self.assertEqual(got["SoftwareTokenMfaConfiguration"], {"Enabled": True})
        self.assertNotIn("EmailMfaConfiguration", got)
        with self.assertRaises(ClientError) as ctx:
            self.c.set_user_pool_mfa_config(UserPoolId=self.pool_id, MfaConfiguration="ON")
        self.assertEqual(error_code(ctx), "InvalidParameterException", "ON without a method")

    def test_groups(self):
        self.user("gus")
        for name, prec in [("admins", 1), ("readers", 2), ("others", 3)]:
            self.c.create_group(
                UserPoolId=self.pool_id,
                GroupName=name,
                Precedence=prec,
                RoleArn=f"arn:aws:iam::000000000000:role/{name}",
            )
            self.c.admin_add_user_to_group(UserPoolId=self.pool_id, Username="gus", GroupName=name)
        g = self.c.get_group(UserPoolId=self.pool_id, GroupName="admins")["Group"]
        self.assertEqual(g["Precedence"], 1)
        self.assertIsInstance(g["CreationDate"], datetime.datetime)
        pages = self.c.get_paginator("list_groups").paginate(
            UserPoolId=self.pool_id, PaginationConfig={"PageSize": 2}
        )
        self.assertEqual([g["GroupName"] for p in pages for g in p["Groups"]], ["admins", "others", "readers"])
        pages = self.c.get_paginator("admin_list_groups_for_user").paginate(
            UserPoolId=self.pool_id, Username="gus", PaginationConfig={"PageSize": 1}
        )
        self.assertEqual(len([g for p in pages for g in p["Groups"]]), 3, "AdminListGroupsForUser")
        users = self.c.list_users_in_group(UserPoolId=self.pool_id, GroupName="readers")["Users"]
        self.assertEqual([u["Username"] for u in users], ["gus"])
        self.c.update_group(UserPoolId=self.pool_id, GroupName="readers", Description="r")
        self.c.admin_remove_user_from_group(UserPoolId=self.pool_id, Username="gus", GroupName="readers")
        self.c.delete_group(UserPoolId=self.pool_id, GroupName="others")
        with self.assertRaises(ClientError) as ctx:
            self.c.get_group(UserPoolId=self.pool_id, GroupName="others")
        self.assertEqual(error_code(ctx), "ResourceNotFoundException")

    def test_tags_certificate_csv_header(self):
        arn = self.pool["Arn"]
        self.c.tag_resource(ResourceArn=arn, Tags={"team": "auth"})
        self.assertEqual(self.c.list_tags_for_resource(ResourceArn=arn)["Tags"], {"team": "auth"})
        self.c.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(self.c.list_tags_for_resource(ResourceArn=arn).get("Tags", {}), {})
        cert = self.c.get_signing_certificate(UserPoolId=self.pool_id)["Certificate"]
        self.assertTrue(cert.startswith("MII"), "base64 DER certificate")
        header = self.c.get_csv_header(UserPoolId=self.pool_id)["CSVHeader"]
        self.assertIn("cognito:username", header)

    def test_resource_servers_domains_identity_providers(self):
        self.c.create_resource_server(
            UserPoolId=self.pool_id,
            Identifier="https://api.example.com",
            Name="api",
            Scopes=[{"ScopeName": "read", "ScopeDescription": "Read"}],
        )
        rs = self.c.describe_resource_server(UserPoolId=self.pool_id, Identifier="https://api.example.com")
        self.assertEqual(rs["ResourceServer"]["Scopes"][0]["ScopeName"], "read")
        listed = self.c.list_resource_servers(UserPoolId=self.pool_id, MaxResults=10)["ResourceServers"]
        self.assertEqual(len(listed), 1)
        self.c.update_resource_server(UserPoolId=self.pool_id, Identifier="https://api.example.com", Name="api2")
        self.c.delete_resource_server(UserPoolId=self.pool_id, Identifier="https://api.example.com")

        # AWS refuses a prefix naming it ("Domain cannot contain reserved word: aws"); the
        # random pool id could spell it.
        domain = f"boto3-{self.pool_id.split('_')[1].lower()}".replace("aws", "a-ws")
        self.assertEqual(self.c.describe_user_pool_domain(Domain=domain)["DomainDescription"], {})
        self.c.create_user_pool_domain(UserPoolId=self.pool_id, Domain=domain)
        d = self.c.describe_user_pool_domain(Domain=domain)["DomainDescription"]
        self.assertEqual(d["UserPoolId"], self.pool_id)
        self.assertEqual(self.c.describe_user_pool(UserPoolId=self.pool_id)["UserPool"]["Domain"], domain)
        self.c.update_user_pool_domain(UserPoolId=self.pool_id, Domain=domain, ManagedLoginVersion=2)
        self.c.delete_user_pool_domain(UserPoolId=self.pool_id, Domain=domain)

        self.c.create_identity_provider(
            UserPoolId=self.pool_id,
            ProviderName="Corp",
            ProviderType="OIDC",
            ProviderDetails={
                "client_id": "x",
                "oidc_issuer": "https://idp.example.com",
                "authorize_scopes": "openid",
                "attributes_request_method": "GET",
            },
        )
        idp = self.c.describe_identity_provider(UserPoolId=self.pool_id, ProviderName="Corp")
        self.assertIsInstance(idp["IdentityProvider"]["CreationDate"], datetime.datetime)
        self.c.update_identity_provider(
            UserPoolId=self.pool_id, ProviderName="Corp", AttributeMapping={"email": "email"}
        )
        providers = self.c.list_identity_providers(UserPoolId=self.pool_id, MaxResults=10)["Providers"]
        self.assertEqual([p["ProviderName"] for p in providers], ["Corp"])
        self.c.delete_identity_provider(UserPoolId=self.pool_id, ProviderName="Corp")
        with self.assertRaises(ClientError) as ctx:
            self.c.describe_identity_provider(UserPoolId=self.pool_id, ProviderName="Corp")
        self.assertEqual(error_code(ctx), "ResourceNotFoundException")

    def test_admin_devices_and_settings(self):
        self.user("dee", phone_number="+15550003333")
        self.c.admin_set_user_settings(
            UserPoolId=self.pool_id,
            Username="dee",
            MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
        )
        self.assertEqual(self.c.admin_list_devices(UserPoolId=self.pool_id, Username="dee")["Devices"], [])
        with self.assertRaises(ClientError) as ctx:
            self.c.admin_get_device(UserPoolId=self.pool_id, Username="dee", DeviceKey="us-east-1_0000-1111")
        self.assertEqual(error_code(ctx), "ResourceNotFoundException")


if __name__ == "__main__":
    unittest.main()
