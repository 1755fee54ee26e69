// Peer for benches/compare/jwt_compare.rs: aws-jwt-verify (pinned in package.json /
// package-lock.json) verifying the same access tokens with the same JWKS, cached beforehand.
//
//   node jwt-peer.js FIXTURE.json   -> {"verifySync": per-second, "verify": per-second}
'use strict';
const fs = require('fs');
const { CognitoJwtVerifier } = require('aws-jwt-verify');

const fixture = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const verifier = CognitoJwtVerifier.create({
  userPoolId: fixture.poolId,
  tokenUse: 'access',
  clientId: fixture.clientId,
});
verifier.cacheJwks(fixture.jwks);
const tokens = fixture.tokens;
for (const t of tokens) verifier.verifySync(t); // throws on a refused token; also warms up

function rateSync(seconds) {
  const start = process.hrtime.bigint();
  let n = 0;
  for (;;) {
    for (const t of tokens) verifier.verifySync(t);
    n += tokens.length;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return n / elapsed;
  }
}

async function rateAsync(seconds) {
  const start = process.hrtime.bigint();
  let n = 0;
  for (;;) {
    for (const t of tokens) await verifier.verify(t);
    n += tokens.length;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return n / elapsed;
  }
}

(async () => {
  const verifySync = rateSync(fixture.seconds);
  const verify = await rateAsync(fixture.seconds);
  process.stdout.write(JSON.stringify({ verifySync, verify }));
})();
