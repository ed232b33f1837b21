/**
 * `npm run dev:idp`: the test OpenID provider (Zitadel-shaped, see test/idp/test-idp.ts) on
 * http://127.0.0.1:9010 with two demo users, for trying single sign-on locally. It prints the
 * environment to start WorkmateOS with. No login page: add `login_hint=<user id>` to the
 * authorization URL (alice = admin, bob = employee) and the provider signs that user in.
 */
import { JWT_CLIENT, PROJECT_ID, REDIRECT_URI, startTestIdp } from '../test/idp/test-idp.ts';

const port = Number(process.env.IDP_PORT ?? 9010);
const idp = await startTestIdp({
  port,
  users: [
    {
      sub: 'alice',
      email: 'alice@workmate.local',
      email_verified: true,
      given_name: 'Alice',
      family_name: 'Admin',
      roles: ['admin'],
    },
    {
      sub: 'bob',
      email: 'bob@workmate.local',
      email_verified: true,
      given_name: 'Bob',
      family_name: 'Builder',
      roles: ['employee'],
    },
  ],
});

console.log(`Test OpenID provider on ${idp.issuer} (users: alice = admin, bob = employee)

Start WorkmateOS with:
  OIDC_ISSUER=${idp.issuer}
  OIDC_CLIENT_ID=${JWT_CLIENT.id}
  OIDC_CLIENT_SECRET=${JWT_CLIENT.secret}
  OIDC_PROJECT_ID=${PROJECT_ID}
  OIDC_REDIRECT_URI=${REDIRECT_URI}

Then: curl localhost:8000/api/auth/login/oidc → open authorization_url with &login_hint=alice
→ the browser lands on ${REDIRECT_URI}?code=…&state=… → POST /api/auth/callback {"code","state"}.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void idp.close().then(() => process.exit(0)));
}
