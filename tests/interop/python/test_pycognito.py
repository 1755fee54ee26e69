"""pycognito (a Cognito SRP client nobody here wrote) against the project's emulator.

pycognito's `AWSSRP` does the SRP exchange; tokens are then checked with PyJWT against the
pool's JWKS. (pycognito's own `Cognito` wrapper insists that `iss` equals the endpoint URL,
while the emulator issues the AWS form `https://cognito-idp.<region>.amazonaws.com/<pool>`.)
Each failure message names the scenario and the step.
"""

import base64
import hashlib
import hmac
import random
import string
import struct
import time
import unittest

import jwt
from jwt.algorithms import RSAAlgorithm
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SoftwareTokenMFAChallengeException

from emulator import Emulator

USERS = 50
EMU = None


def setUpModule():
    global EMU
    EMU = Emulator()


def tearDownModule():
    EMU.stop()


def random_password(rng):
    alphabet = string.ascii_letters + string.digits + "!#%&*+-=?@^_~"
    core = "".join(rng.choice(alphabet) for _ in range(rng.randint(8, 24)))
    return "Aa1!" + core + rng.choice(["", "é", "ß", "密码", "🔑"])


def random_username(rng, i):
    stem = "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(3, 12)))
    return f"{stem}{i}" + rng.choice(["", "_ü", ".ñ", "-用户", "+tag"])


def totp(secret_b32, at):
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def make_pool(client, name, **extra):
    pool = client.create_user_pool(PoolName=name, **extra)["UserPool"]
    app = client.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=name,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    return pool["Id"], app["ClientId"]


def add_user(client, pool_id, username, password, attributes=()):
    client.admin_create_user(
        UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
        UserAttributes=list(attributes),
    )
    client.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password, Permanent=True)


def srp(client, pool_id, client_id, username, password, client_secret=None):
    """pycognito's SRP sign-in; returns the AuthenticationResult."""
    aws = AWSSRP(username=username, password=password, pool_id=pool_id, client_id=client_id,
                 client=client, client_secret=client_secret)
    return aws.authenticate_user()["AuthenticationResult"]


def verify_id_token(pool_id, client_id, token):
    """Checks the RS256 signature against the pool's JWKS with PyJWT, and the claims."""
    header = jwt.get_unverified_header(token)
    keys = {k["kid"]: k for k in EMU.jwks(pool_id)["keys"]}
    key = RSAAlgorithm.from_jwk(keys[header["kid"]])
    return jwt.decode(
        token, key, algorithms=["RS256"], audience=client_id,
        issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
    )


class PycognitoSrp(unittest.TestCase):
    def test_srp_sign_in_for_random_users(self):
        client = EMU.client()
        pool_id, client_id = make_pool(client, "pycognito-srp")
        rng = random.Random(20261128)
        for i in range(USERS):
            username, password = random_username(rng, i), random_password(rng)
            step = f"scenario srp, user {i} ({username!r})"
            add_user(client, pool_id, username, password)
            try:
                tokens = srp(client, pool_id, client_id, username, password)
            except Exception as e:  # noqa: BLE001 - report which user failed
                self.fail(f"{step}: sign-in failed: {e!r}")
            claims = verify_id_token(pool_id, client_id, tokens["IdToken"])
            self.assertEqual(claims["cognito:username"], username, step)
            self.assertEqual(claims["token_use"], "id", step)
            me = client.get_user(AccessToken=tokens["AccessToken"])
            self.assertEqual(me["Username"], username, step)
            if i % 10 == 0:
                with self.assertRaises(client.exceptions.NotAuthorizedException, msg=f"{step}: wrong password accepted"):
                    srp(client, pool_id, client_id, username, password + "x")

    def test_srp_with_client_secret_and_email_alias(self):
        client = EMU.client()
        pool = client.create_user_pool(PoolName="pycognito-secret", UsernameAttributes=["email"])["UserPool"]
        app = client.create_user_pool_client(
            UserPoolId=pool["Id"], ClientName="secret", GenerateSecret=True,
            ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]
        rng = random.Random(7)
        for i in range(5):
            email, password = f"user{i}@example.com", random_password(rng)
            step = f"scenario secret+alias, {email}"
            add_user(client, pool["Id"], email, password, [{"Name": "email", "Value": email}])
            tokens = srp(client, pool["Id"], app["ClientId"], email, password, app["ClientSecret"])
            claims = verify_id_token(pool["Id"], app["ClientId"], tokens["IdToken"])
            self.assertEqual(claims["email"], email, step)
            self.assertNotEqual(claims["cognito:username"], email, f"{step}: internal username is the sub")
            self.assertEqual(claims["cognito:username"], claims["sub"], step)

    def test_totp_challenge(self):
        client = EMU.client()
        pool_id, client_id = make_pool(client, "pycognito-totp", MfaConfiguration="OPTIONAL")
        username, password = "totp-user", "Correct-Horse-9"
        add_user(client, pool_id, username, password)
        access = srp(client, pool_id, client_id, username, password)["AccessToken"]
        secret = client.associate_software_token(AccessToken=access)["SecretCode"]
        status = client.verify_software_token(AccessToken=access, UserCode=totp(secret, time.time()))
        self.assertEqual(status["Status"], "SUCCESS", "scenario totp, step verify")
        client.set_user_mfa_preference(
            AccessToken=access,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        # Next 30 s step, so the code differs from the one used for verification.
        EMU.hook("/_emulator/clock", {"advanceSeconds": 30})
        with self.assertRaises(SoftwareTokenMFAChallengeException, msg="scenario totp, step challenge") as ctx:
            srp(client, pool_id, client_id, username, password)
        session = ctx.exception.get_tokens()["Session"]

        def answer(code):
            return client.respond_to_auth_challenge(
                ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=session,
                ChallengeResponses={"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code},
            )

        good = totp(secret, time.time() + 30)
        with self.assertRaises(client.exceptions.CodeMismatchException, msg="scenario totp, step wrong code"):
            answer("000000" if good != "000000" else "111111")
        result = answer(good)["AuthenticationResult"]
        claims = jwt.decode(result["AccessToken"], options={"verify_signature": False})
        self.assertEqual(claims["username"], username, "scenario totp, step tokens")


if __name__ == "__main__":
    unittest.main(verbosity=2)
