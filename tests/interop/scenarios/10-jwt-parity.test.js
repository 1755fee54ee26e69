// Parity of token verification: AWS's aws-jwt-verify (pinned in package.json) and our verifier
// (`cognito verify-token`, cognito-jwt through the blocking driver) judge the same corpus:
// tokens the emulator issued at sign-in, tokens with other claims signed by the emulator's key
// (POST /_emulator/sign), and broken ones made here. Both read the keys from the emulator's
// JWKS endpoint over HTTP. Every verdict must be the same, except the few listed in
// STRICTER, where our verifier refuses what aws-jwt-verify accepts on purpose (and the test
// checks that those still differ, so the list stays true).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { CognitoJwtVerifier } = require('aws-jwt-verify');
const { SimpleJwksCache } = require('aws-jwt-verify/jwk');
const { startEmulator } = require('../support');

/** The `cognito` binary: COGNITO_CLI_BIN, else next to the emulator binary, else built. */
function cliBinary() {
  if (process.env.COGNITO_CLI_BIN) return process.env.COGNITO_CLI_BIN;
  const emu = process.env.COGNITO_EMULATOR_BIN;
  if (emu) {
    const sibling = path.join(path.dirname(emu), 'cognito');
    if (fs.existsSync(sibling)) return sibling;
  }
  const root = path.resolve(__dirname, '..', '..', '..');
  const build = spawnSync('cargo', ['build', '-q', '-p', 'cognito-cli', '--message-format=json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(build.status, 0, 'cargo build -p cognito-cli');
  for (const line of build.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const msg = JSON.parse(line);
    if (msg.reason === 'compiler-artifact' && msg.target.name === 'cognito' && msg.executable) {
      return msg.executable;
    }
  }
  throw new Error('no cognito binary');
}

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const decode = (seg) => JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same bytes in another base64url spelling: unused low bits of the last character set. */
function nonCanonical(segment) {
  const last = segment[segment.length - 1];
  const spare = [0, 0, 4, 2][segment.length % 4]; // unused bits in the last character
  if (!spare) return null;
  const twin = ALPHABET[ALPHABET.indexOf(last) | ((1 << spare) - 1)];
  return twin === last ? null : segment.slice(0, -1) + twin;
}

/** aws-jwt-verify's error classes as our checks (`VerifyError::check`). */
const AWS_CHECK = {
  JwtParseError: 'malformed',
  ParameterValidationError: 'issuer', // 5.2: "issuer not configured" / "issuer must be provided"
  JwtInvalidIssuerError: 'issuer',
  JwtWithoutValidKidError: 'kid',
  KidNotFoundInJwksError: 'unknown_kid',
  WaitPeriodNotYetEndedJwkError: 'unknown_kid',
  JwkInvalidUseError: 'jwk',
  JwkInvalidKtyError: 'jwk',
  JwkValidationError: 'jwk',
  JwtInvalidSignatureAlgorithmError: 'algorithm',
  JwtInvalidSignatureError: 'signature',
  JwtExpiredError: 'expired',
  JwtNotBeforeError: 'not_yet_valid',
  JwtInvalidScopeError: 'scope',
  CognitoJwtInvalidGroupError: 'group',
  CognitoJwtInvalidTokenUseError: 'token_use',
  CognitoJwtInvalidClientIdError: 'client',
};

// Where our verifier is stricter than aws-jwt-verify on purpose: Node's lenient base64 decoder
// accepts a padded or non-canonical signature encoding (another spelling of a valid token), and
// aws-jwt-verify treats a token without `exp` as never expiring; Cognito never issues either.
const STRICTER = new Set(['signature padded', 'signature non-canonical', 'no exp']);

test('aws-jwt-verify and cognito verify-token agree on every token', async () => {
  const cli = cliBinary();
  const emu = await startEmulator();
  try {
    const { poolId, clientId } = await emu.createPool();
    const { UserPoolClient: other } = await emu.call('CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'other',
    });
    await emu.createUser(poolId, 'pat', 'Correct-Horse-1', { email: 'pat@example.com' });
    const { AuthenticationResult: auth } = await emu.call('InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: 'pat', PASSWORD: 'Correct-Horse-1' },
    });
    const id = auth.IdToken;
    const access = auth.AccessToken;
    const idClaims = decode(id.split('.')[1]);
    const accessClaims = decode(access.split('.')[1]);
    const now = Math.floor(Date.now() / 1000);

    const sign = async (tokenUse, claims, header = {}) => {
      const res = await fetch(`${emu.url}/_emulator/sign`, {
        method: 'POST',
        body: JSON.stringify({ userPoolId: poolId, tokenUse, claims, header }),
      });
      assert.equal(res.status, 200, 'POST /_emulator/sign');
      return (await res.json()).token;
    };
    const accessWith = (changes, header) => sign('access', { ...accessClaims, ...changes }, header);
    const idWith = (changes) => sign('id', { ...idClaims, ...changes });
    const without = (claims, name) => Object.fromEntries(Object.entries(claims).filter(([k]) => k !== name));

    const jwks = await (await fetch(`${emu.url}/${poolId}/.well-known/jwks.json`)).json();
    const accessJwk = jwks.keys.find((k) => k.kid === decode(access.split('.')[0]).kid);
    const [ah, ap, as] = access.split('.');
    const sigBytes = Buffer.from(as, 'base64url');
    const flipped = (i) => {
      const b = Buffer.from(sigBytes);
      b[i] ^= 0x01;
      return `${ah}.${ap}.${b.toString('base64url')}`;
    };
    const hs256 = (secret) => {
      const input = `${b64({ alg: 'HS256', kid: accessJwk.kid })}.${ap}`;
      return `${input}.${crypto.createHmac('sha256', secret).update(input).digest('base64url')}`;
    };
    const pem = crypto.createPublicKey({ key: accessJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });

    // name, token, options: tokenUse ('id'|'access'), clientId (list or null), groups, scope.
    const A = { tokenUse: 'access', clientId: [clientId] };
    const I = { tokenUse: 'id', clientId: [clientId] };
    const cases = [
      ['valid access', access, A],
      ['valid id', id, I],
      ['valid access, two clients allowed', access, { ...A, clientId: [other.ClientId, clientId] }],
      ['valid access, no client check', access, { ...A, clientId: null }],
      ['valid id, no client check', id, { ...I, clientId: null }],
      ['access as id', access, I],
      ['id as access', id, A],
      ['expired access', await accessWith({ exp: now - 60 }), A],
      ['expired id', await idWith({ exp: now - 60 }), I],
      ['not yet valid', await accessWith({ nbf: now + 600 }), A],
      ['nbf in the past', await accessWith({ nbf: now - 600 }), A],
      ['iat in the future', await accessWith({ iat: now + 600 }), A],
      ['no exp', await sign('access', without(accessClaims, 'exp')), A],
      ['wrong issuer, other pool', await accessWith({ iss: `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other` }), A],
      ['wrong issuer, other host', await accessWith({ iss: `https://evil.example/${poolId}` }), A],
      ['no issuer', await sign('access', without(accessClaims, 'iss')), A],
      ['wrong client (access)', await accessWith({ client_id: other.ClientId }), A],
      ['wrong client (id)', await idWith({ aud: other.ClientId }), I],
      ['client list as aud (id)', await idWith({ aud: [clientId] }), I],
      ['no client_id', await sign('access', without(accessClaims, 'client_id')), A],
      ['token_use refresh', await accessWith({ token_use: 'refresh' }), A],
      ['no token_use', await sign('access', without(accessClaims, 'token_use')), A],
      ['missing group', access, { ...A, groups: ['admins'] }],
      ['has group', await accessWith({ 'cognito:groups': ['staff', 'admins'] }), { ...A, groups: ['admins', 'ops'] }],
      ['other group', await accessWith({ 'cognito:groups': ['staff'] }), { ...A, groups: ['admins'] }],
      ['missing scope', access, { ...A, scope: ['orders/read'] }],
      ['has scope', await accessWith({ scope: 'openid orders/read' }), { ...A, scope: ['orders/read'] }],
      ['admin scope', access, { ...A, scope: ['aws.cognito.signin.user.admin'] }],
      ['m2m token with scope', await sign('access', { sub: clientId, token_use: 'access', scope: 'orders/write', auth_time: now, iss: accessClaims.iss, exp: now + 3600, iat: now, version: 2, jti: 'm2m', client_id: clientId }), { ...A, scope: ['orders/write'] }],
      ['m2m token without the scope', await sign('access', { sub: clientId, token_use: 'access', scope: 'orders/write', iss: accessClaims.iss, exp: now + 3600, iat: now, client_id: clientId }), { ...A, scope: ['orders/read'] }],
      ['signature byte 0 flipped', flipped(0), A],
      ['signature byte 128 flipped', flipped(128), A],
      ['signature last byte flipped', flipped(sigBytes.length - 1), A],
      ['signed by the ID key', await sign('id', accessClaims, { kid: accessJwk.kid }), A],
      ['payload swapped', `${ah}.${id.split('.')[1]}.${as}`, A],
      ['alg none, empty signature', `${b64({ alg: 'none', kid: accessJwk.kid })}.${ap}.`, A],
      ['alg none, some signature', `${b64({ alg: 'none', kid: accessJwk.kid })}.${ap}.${as}`, A],
      ['alg none, no kid', `${b64({ alg: 'none' })}.${ap}.AA`, A],
      ['HS256 keyed with the JWK', hs256(JSON.stringify(accessJwk)), A],
      ['HS256 keyed with the PEM', hs256(pem), A],
      ['RS384 header', await accessWith({}, { alg: 'RS384' }), A],
      ['no alg', await accessWith({}, { alg: null }), A],
      ['unknown kid', await accessWith({}, { kid: 'unknown-kid' }), A],
      ['no kid', await accessWith({}, { kid: null }), A],
      ['truncated to 10 chars', access.slice(0, 10), A],
      ['truncated after the payload', `${ah}.${ap}`, A],
      ['truncated by one char', access.slice(0, -1), A],
      ['truncated by 40 chars', access.slice(0, -40), A],
      ['extra segment', `${access}.${as}`, A],
      ['extra dot', `${access}.`, A],
      ['empty', '', A],
      ['header padded', `${ah}=.${ap}.${as}`, A],
      ['payload non-canonical', nonCanonical(ap) && `${ah}.${nonCanonical(ap)}.${as}`, A],
      ['header non-canonical', nonCanonical(ah) && `${nonCanonical(ah)}.${ap}.${as}`, A],
      ['signature non-canonical', `${ah}.${ap}.${nonCanonical(as)}`, A],
      ['signature padded', `${ah}.${ap}.${as}==`, A],
      ['header not JSON', `${b64('not json')}.${ap}.${as}`, A],
      ['payload an array', `${ah}.${b64([1])}.${as}`, A],
      ['exp a string', await accessWith({ exp: String(now + 3600) }), A],
    ].filter(([, token]) => token !== null);

    // aws-jwt-verify with a JWKS cache whose fetcher reads the emulator (its own fetcher
    // speaks HTTPS only): same endpoint, same document, no mock.
    const jwksUri = `${emu.url}/${poolId}/.well-known/jwks.json`;
    const jwksCache = new SimpleJwksCache({
      fetcher: {
        async fetch(uri) {
          assert.match(uri, new RegExp(`/${poolId}/\\.well-known/jwks\\.json$`));
          const res = await fetch(jwksUri);
          if (res.status !== 200) throw new Error(`JWKS status ${res.status}`);
          return res.arrayBuffer();
        },
      },
    });
    const aws = async (token, opts) => {
      const verifier = CognitoJwtVerifier.create(
        { userPoolId: poolId, tokenUse: opts.tokenUse, clientId: opts.clientId, groups: opts.groups, scope: opts.scope },
        { jwksCache }
      );
      try {
        await verifier.verify(token);
        return { valid: true };
      } catch (e) {
        return { valid: false, check: AWS_CHECK[e.constructor.name] || e.constructor.name, message: e.message };
      }
    };
    const ours = (token, opts) => {
      const args = ['--pool-id', poolId, '--endpoint', emu.url];
      for (const c of opts.clientId || []) args.push('--client-id', c);
      args.push('verify-token', '--token-use', opts.tokenUse);
      if (opts.clientId === null) args.push('--no-client-check');
      for (const g of opts.groups || []) args.push('--group', g);
      for (const s of opts.scope || []) args.push('--scope', s);
      args.push('--', token);
      const env = { ...process.env };
      delete env.COGNITO_CLIENT_ID;
      const run = spawnSync(cli, args, { encoding: 'utf8', env });
      if (run.status === 0) return { valid: true };
      assert.equal(run.status, 7, `cognito verify-token exit code: ${run.stderr}`);
      const report = JSON.parse(run.stdout);
      assert.ok(!run.stdout.includes(token || '\u0000') && !run.stderr.includes(token || '\u0000'), 'the token is never echoed');
      return { valid: false, check: report.check, message: report.message };
    };

    let same = 0;
    let sameCheck = 0;
    let accepted = 0;
    const stricter = [];
    const mismatches = [];
    const checkDiffs = [];
    for (const [name, token, opts] of cases) {
      const a = await aws(token, opts);
      const o = ours(token, opts);
      if (STRICTER.has(name)) {
        if (a.valid && !o.valid) stricter.push(`${name}: aws-jwt-verify accepts, ours: ${o.check}`);
        else mismatches.push(`${name}: listed as stricter but aws=${JSON.stringify(a)} ours=${JSON.stringify(o)}`);
        continue;
      }
      if (a.valid !== o.valid) {
        mismatches.push(`${name}: aws=${JSON.stringify(a)} ours=${JSON.stringify(o)}`);
        continue;
      }
      same += 1;
      if (a.valid) accepted += 1;
      if (a.check === o.check) sameCheck += 1;
      else checkDiffs.push(`${name}: aws ${a.check} (${a.message}), ours ${o.check} (${o.message})`);
    }
    console.log(`jwt parity: ${cases.length} tokens; ${same} identical verdicts (${accepted} accepted, ${same - accepted} rejected), ${sameCheck} with the same failed check; ${stricter.length} stricter by design; ${mismatches.length} mismatches`);
    for (const s of stricter) console.log(`  stricter: ${s}`);
    for (const d of checkDiffs) console.log(`  same verdict, other check: ${d}`);
    assert.deepEqual(mismatches, [], 'verdicts differ');
    assert.equal(stricter.length, STRICTER.size);
    assert.ok(accepted >= 8, 'the corpus has valid tokens');
  } finally {
    await emu.stop();
  }
});
