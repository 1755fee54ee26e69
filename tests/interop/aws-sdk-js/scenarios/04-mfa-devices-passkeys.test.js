'use strict';
// MFA, devices and passkeys through @aws-sdk/client-cognito-identity-provider: TOTP set up with
// AssociateSoftwareToken and VerifySoftwareToken, preferred through SetUserMFAPreference and
// answered as SOFTWARE_TOKEN_MFA; remembered devices confirmed with an SRP verifier computed
// here, listed page by page, read, updated and forgotten by the user and by an admin; a passkey
// registered with a software authenticator (the Credential is a Smithy document), listed and
// deleted.
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { test, before, after } = require('node:test');
const { startEmulator, clients, refused, assertDate, simplePool, confirmedUser, signIn, totp, idp } = require('../support');

let emu;
let cip;
before(async () => {
  emu = await startEmulator();
  ({ cip } = clients(emu));
});
after(async () => {
  await emu?.stop();
});

test('TOTP: associate, verify, prefer, sign in with SOFTWARE_TOKEN_MFA, admin preference', async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-totp');
  await cip.send(
    new idp.SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } })
  );
  await confirmedUser(cip, poolId, 'jan', 'Jan-Passw0rd!');
  const { AccessToken } = await signIn(cip, poolId, clientId, 'jan', 'Jan-Passw0rd!');
  const { SecretCode } = await cip.send(new idp.AssociateSoftwareTokenCommand({ AccessToken }));
  assert.match(SecretCode, /^[A-Z2-7]+=*$/, 'a base32 secret');
  await refused(cip.send(new idp.VerifySoftwareTokenCommand({ AccessToken, UserCode: '000000' })), idp.EnableSoftwareTokenMFAException);
  const verified = await cip.send(
    new idp.VerifySoftwareTokenCommand({ AccessToken, UserCode: totp(SecretCode, await emu.now()), FriendlyDeviceName: 'phone' })
  );
  assert.equal(verified.Status, 'SUCCESS', 'VerifySoftwareTokenResponseType enum');
  await cip.send(new idp.SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
  const jan = await cip.send(new idp.AdminGetUserCommand({ UserPoolId: poolId, Username: 'jan' }));
  assert.equal(jan.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
  assert.deepEqual(jan.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);

  await emu.advanceClock(30); // a fresh code: a code is accepted once
  const challenge = await cip.send(
    new idp.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'jan', PASSWORD: 'Jan-Passw0rd!' } })
  );
  assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
  await refused(
    cip.send(
      new idp.RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: 'jan', SOFTWARE_TOKEN_MFA_CODE: '000000' },
      })
    ),
    idp.CodeMismatchException
  );
  const again = await cip.send(
    new idp.InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'jan', PASSWORD: 'Jan-Passw0rd!' } })
  );
  const done = await cip.send(
    new idp.RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: again.Session,
      ChallengeResponses: { USERNAME: 'jan', SOFTWARE_TOKEN_MFA_CODE: totp(SecretCode, await emu.now()) },
    })
  );
  assert.ok(done.AuthenticationResult.AccessToken);

  await cip.send(
    new idp.AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'jan', SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false } })
  );
  await signIn(cip, poolId, clientId, 'jan', 'Jan-Passw0rd!'); // no challenge any more
});

// The SRP group of Cognito (RFC 5054, 3072 bits) for the device verifier.
const N = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
    'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
    '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
    'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
    'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF'
);

function modPow(base, exp, mod) {
  let result = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

// Cognito's padHex: even length, and a leading 00 when the high bit is set.
function padHex(n) {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  else if ('89abcdef'.includes(hex[0])) hex = `00${hex}`;
  return hex;
}

/** The device verifier a client sends to ConfirmDevice: salt and g^x, x = H(salt | H(group key | ":" | password)). */
function deviceVerifier(groupKey, deviceKey) {
  const password = crypto.randomBytes(40).toString('base64');
  const salt = BigInt(`0x${crypto.randomBytes(16).toString('hex')}`);
  const inner = crypto.createHash('sha256').update(`${groupKey}${deviceKey}:${password}`).digest('hex');
  const x = BigInt(`0x${crypto.createHash('sha256').update(Buffer.from(padHex(salt) + inner, 'hex')).digest('hex')}`);
  const v = modPow(2n, x, N);
  return {
    PasswordVerifier: Buffer.from(padHex(v), 'hex').toString('base64'),
    Salt: Buffer.from(padHex(salt), 'hex').toString('base64'),
  };
}

test('devices: confirm, list page by page, get, update status, forget (user and admin)', async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-devices', {
    DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true },
  });
  await confirmedUser(cip, poolId, 'kim', 'Kim-Passw0rd!');
  const keys = [];
  let token;
  for (let i = 0; i < 5; i++) {
    const result = await signIn(cip, poolId, clientId, 'kim', 'Kim-Passw0rd!');
    const { DeviceKey, DeviceGroupKey } = result.NewDeviceMetadata;
    assert.ok(DeviceKey.startsWith('us-east-1_'), `device key ${DeviceKey}`);
    const confirmed = await cip.send(
      new idp.ConfirmDeviceCommand({
        AccessToken: result.AccessToken,
        DeviceKey,
        DeviceName: `device-${i}`,
        DeviceSecretVerifierConfig: deviceVerifier(DeviceGroupKey, DeviceKey),
      })
    );
    assert.equal(confirmed.UserConfirmationNecessary, true, 'remembered only on user prompt');
    keys.push(DeviceKey);
    token = result.AccessToken;
  }

  // ListDevices has no SDK paginator: PaginationToken by hand
  const seen = [];
  let PaginationToken;
  let pages = 0;
  do {
    const page = await cip.send(new idp.ListDevicesCommand({ AccessToken: token, Limit: 2, PaginationToken }));
    assert.ok(page.Devices.length <= 2);
    for (const d of page.Devices) {
      assertDate(d.DeviceCreateDate, 'DeviceCreateDate');
      assertDate(d.DeviceLastModifiedDate, 'DeviceLastModifiedDate');
      assertDate(d.DeviceLastAuthenticatedDate, 'DeviceLastAuthenticatedDate');
      seen.push(d.DeviceKey);
    }
    PaginationToken = page.PaginationToken;
    pages++;
  } while (PaginationToken);
  assert.equal(pages, 3);
  assert.deepEqual([...seen].sort(), [...keys].sort(), 'every device once');

  const { Device } = await cip.send(new idp.GetDeviceCommand({ AccessToken: token, DeviceKey: keys[0] }));
  const name = Device.DeviceAttributes.find((a) => a.Name === 'device_name').Value;
  assert.equal(name, 'device-0');
  await cip.send(new idp.UpdateDeviceStatusCommand({ AccessToken: token, DeviceKey: keys[0], DeviceRememberedStatus: 'remembered' }));
  const remembered = await cip.send(new idp.AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'kim', DeviceKey: keys[0] }));
  assert.equal(remembered.Device.DeviceAttributes.find((a) => a.Name === 'device_status').Value, 'valid');
  await cip.send(
    new idp.AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'kim', DeviceKey: keys[0], DeviceRememberedStatus: 'not_remembered' })
  );

  const adminListed = [];
  PaginationToken = undefined;
  do {
    const page = await cip.send(new idp.AdminListDevicesCommand({ UserPoolId: poolId, Username: 'kim', Limit: 3, PaginationToken }));
    adminListed.push(...page.Devices.map((d) => d.DeviceKey));
    PaginationToken = page.PaginationToken;
  } while (PaginationToken);
  assert.deepEqual(adminListed.sort(), [...keys].sort());

  await cip.send(new idp.ForgetDeviceCommand({ AccessToken: token, DeviceKey: keys[1] }));
  await cip.send(new idp.AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'kim', DeviceKey: keys[2] }));
  await refused(cip.send(new idp.GetDeviceCommand({ AccessToken: token, DeviceKey: keys[1] })), idp.ResourceNotFoundException);
  await refused(
    cip.send(new idp.AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'kim', DeviceKey: keys[2] })),
    idp.ResourceNotFoundException
  );
  const { Devices } = await cip.send(new idp.AdminListDevicesCommand({ UserPoolId: poolId, Username: 'kim' }));
  assert.equal(Devices.length, 3);
  await refused(
    cip.send(new idp.ListDevicesCommand({ AccessToken: token, PaginationToken: 'forged' })),
    idp.InvalidParameterException
  );
});

// Minimal CBOR encoder (unsigned and negative integers, byte and text strings, maps) for the
// authenticator's attestation object and COSE key.
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') {
    const b = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, b.length), b]);
  }
  if (value instanceof Map) {
    const parts = [head(5, value.size)];
    for (const [k, v] of value) parts.push(cbor(k), cbor(v));
    return Buffer.concat(parts);
  }
  throw new Error(`cbor: unsupported ${typeof value}`);
}

test('passkeys: register with a software authenticator, list, delete', async () => {
  const { poolId, clientId } = await simplePool(cip, 'sdk-js-passkeys', {
    Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } },
  });
  await confirmedUser(cip, poolId, 'lou', 'Lou-Passw0rd!', { email: 'lou@example.com', email_verified: 'true' });
  const { AccessToken } = await signIn(cip, poolId, clientId, 'lou', 'Lou-Passw0rd!');

  const { CredentialCreationOptions: options } = await cip.send(new idp.StartWebAuthnRegistrationCommand({ AccessToken }));
  assert.equal(typeof options, 'object', 'CredentialCreationOptions arrives as a document');
  assert.ok(options.challenge && options.rp && options.user, 'creation options');
  const rpId = options.rp.id;

  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const credId = crypto.randomBytes(16);
  const coseKey = cbor(
    new Map([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x, 'base64url')],
      [-3, Buffer.from(jwk.y, 'base64url')],
    ])
  );
  const len = Buffer.alloc(2);
  len.writeUInt16BE(credId.length);
  const authData = Buffer.concat([
    crypto.createHash('sha256').update(rpId).digest(),
    Buffer.from([0x01 | 0x04 | 0x40]),
    Buffer.alloc(4),
    Buffer.alloc(16),
    len,
    credId,
    coseKey,
  ]);
  const clientData = Buffer.from(
    JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: `http://${rpId}:3000`, crossOrigin: false })
  );
  const attestation = cbor(
    new Map([
      ['fmt', 'none'],
      ['attStmt', new Map()],
      ['authData', authData],
    ])
  );
  assert.ok(privateKey, 'the authenticator key');
  await cip.send(
    new idp.CompleteWebAuthnRegistrationCommand({
      AccessToken,
      Credential: {
        id: credId.toString('base64url'),
        rawId: credId.toString('base64url'),
        type: 'public-key',
        clientExtensionResults: {},
        response: {
          clientDataJSON: clientData.toString('base64url'),
          attestationObject: attestation.toString('base64url'),
          transports: ['internal'],
        },
      },
    })
  );
  const { Credentials } = await cip.send(new idp.ListWebAuthnCredentialsCommand({ AccessToken }));
  assert.equal(Credentials.length, 1);
  assert.equal(Credentials[0].CredentialId, credId.toString('base64url'));
  assert.equal(Credentials[0].RelyingPartyId, rpId);
  assertDate(Credentials[0].CreatedAt, 'WebAuthn CreatedAt');
  await cip.send(new idp.DeleteWebAuthnCredentialCommand({ AccessToken, CredentialId: Credentials[0].CredentialId }));
  const after = await cip.send(new idp.ListWebAuthnCredentialsCommand({ AccessToken }));
  assert.deepEqual(after.Credentials, []);
  await refused(
    cip.send(new idp.DeleteWebAuthnCredentialCommand({ AccessToken, CredentialId: credId.toString('base64url') })),
    idp.ResourceNotFoundException
  );
});
