import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** The one person the development issuer signs in. */
export interface DevUser {
  /** The token's `sub`: an opaque id, as an identity provider gives. */
  readonly subject: string;
  readonly roles: readonly string[];
}

export interface DevOidcIssuerOptions {
  /** The public client (the map) and the redirect URIs it may use, exactly. */
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  /** The `aud` of the access tokens (the analysts' API's audience). */
  readonly audience: string;
  readonly user: DevUser;
  readonly host?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Access token lifetime, seconds (default an hour). */
  readonly tokenLifetimeSeconds?: number;
}

/** A running development issuer. */
export interface DevOidcIssuer {
  /** Its issuer URL (`iss`), where discovery lives under `/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** What makes the analysts' API trust it and the map sign in with it. */
  readonly env: Readonly<Record<string, string>>;
  /** An access token of its user, as the sign-in would give (for `curl` in the demo). */
  accessToken(): Promise<string>;
  close(): Promise<void>;
}

const CODE_LIFETIME_MS = 60_000;
const BANNER = 'LOCAL DEVELOPMENT ISSUER — for the demo and the tests only, never in production';

interface PendingCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge: string;
  readonly nonce: string | undefined;
  readonly expiresAt: number;
}

/**
 * **A local development issuer, not an identity provider.** It plays the Préfecture's and the
 * city's single sign-on for `npm run demo` and the map's browser test: OpenID Connect discovery,
 * a JWKS, the authorization endpoint of the authorization-code flow with PKCE (S256 only) and
 * the token endpoint. It has no passwords: its sign-in page, marked as what it is, signs in its
 * one configured user to whoever presses the button. What it does check is what a client must
 * get right: the client id, the exact redirect URI, the PKCE verifier, single-use codes that
 * expire within a minute. Access tokens are RS256 JWTs for `audience` with the user's roles;
 * ID tokens carry the client's nonce. Tokens only ever travel in the token endpoint's response
 * body, never in a URL.
 */
export async function startDevOidcIssuer(options: DevOidcIssuerOptions): Promise<DevOidcIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomBytes(8).toString('hex');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const codes = new Map<string, PendingCode>();
  const origins = new Set(options.redirectUris.map((uri) => new URL(uri).origin));
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  let issuer = '';

  const sign = (claims: Record<string, unknown>, audience: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(issuer)
      .setSubject(options.user.subject)
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + lifetime)
      .sign(privateKey);

  const discovery = () => ({
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['none'],
    scopes_supported: ['openid'],
  });

  /** The checked parameters of an authorization request, or why it is refused. */
  const authorization = (params: URLSearchParams): PendingCode | string => {
    const redirectUri = params.get('redirect_uri') ?? '';
    if (params.get('client_id') !== options.clientId) return 'unknown client_id';
    if (!options.redirectUris.includes(redirectUri)) return 'redirect_uri is not registered';
    if (params.get('response_type') !== 'code') return 'response_type must be code';
    if (params.get('code_challenge_method') !== 'S256') return 'PKCE with S256 is required';
    const challenge = params.get('code_challenge') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return 'code_challenge is missing or malformed';
    return {
      clientId: options.clientId,
      redirectUri,
      challenge,
      nonce: params.get('nonce') ?? undefined,
      expiresAt: Date.now() + CODE_LIFETIME_MS,
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', issuer);
    const origin = request.headers.origin;
    if (origin !== undefined && origins.has(origin)) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Vary', 'Origin');
    }
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Methods', 'GET, POST');
      response.setHeader('Access-Control-Allow-Headers', 'Content-Type, Accept');
      return end(response, 204);
    }
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /.well-known/openid-configuration':
        return json(response, 200, discovery());
      case 'GET /jwks':
        return json(response, 200, { keys: [jwk] });
      case 'GET /authorize': {
        const checked = authorization(url.searchParams);
        if (typeof checked === 'string')
          return page(response, 400, `<p>Refused: ${escape(checked)}</p>`);
        const hidden = [...url.searchParams]
          .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
          .join('');
        return page(
          response,
          200,
          `<p>This issuer has no passwords: it signs in its one user, <b>${escape(options.user.subject)}</b>
           (roles ${escape(options.user.roles.join(', '))}), for the client <code>${escape(options.clientId)}</code>.</p>
           <form method="post" action="/authorize">${hidden}
           <button type="submit" autofocus>Sign in as ${escape(options.user.subject)}</button></form>`,
        );
      }
      case 'POST /authorize': {
        const params = new URLSearchParams(await body(request));
        const checked = authorization(params);
        if (typeof checked === 'string')
          return page(response, 400, `<p>Refused: ${escape(checked)}</p>`);
        const code = randomBytes(32).toString('base64url');
        codes.set(code, checked);
        const target = new URL(checked.redirectUri);
        target.searchParams.set('code', code);
        const state = params.get('state');
        if (state !== null) target.searchParams.set('state', state);
        response.setHeader('Location', target.toString());
        return end(response, 303);
      }
      case 'POST /token': {
        const params = new URLSearchParams(await body(request));
        const code = params.get('code') ?? '';
        const pending = codes.get(code);
        codes.delete(code);
        const verifier = params.get('code_verifier') ?? '';
        const refused =
          params.get('grant_type') !== 'authorization_code'
            ? 'unsupported_grant_type'
            : pending === undefined || pending.expiresAt < Date.now()
              ? 'invalid_grant'
              : params.get('client_id') !== pending.clientId ||
                  params.get('redirect_uri') !== pending.redirectUri ||
                  createHash('sha256').update(verifier).digest('base64url') !== pending.challenge
                ? 'invalid_grant'
                : undefined;
        response.setHeader('Cache-Control', 'no-store');
        if (refused !== undefined || pending === undefined)
          return json(response, 400, { error: refused ?? 'invalid_grant' });
        return json(response, 200, {
          token_type: 'Bearer',
          expires_in: lifetime,
          scope: 'openid',
          access_token: await sign({ roles: [...options.user.roles] }, options.audience),
          id_token: await sign(pending.nonce ? { nonce: pending.nonce } : {}, pending.clientId),
        });
      }
      default:
        return json(response, 404, { error: 'not_found' });
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) json(response, 500, { error: 'server_error' });
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  issuer = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    env: { AUTH_ISSUER: issuer, AUTH_JWKS_URL: `${issuer}/jwks`, ANALYST_API_MAP_ISSUER: issuer },
    accessToken: () => sign({ roles: [...options.user.roles] }, options.audience),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 16_384) request.destroy(new Error('body too large'));
    });
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

function end(response: ServerResponse, status: number): void {
  response.statusCode = status;
  response.end();
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(value));
}

function page(response: ServerResponse, status: number, content: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/html; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${BANNER}</title>
<style>body{font:16px system-ui,sans-serif;margin:2rem;max-width:40rem}
.banner{background:#fde725;color:#000;border:3px solid #000;padding:1rem;font-weight:bold}
button{font-size:1.1rem;padding:.6rem 1.2rem}</style></head>
<body><p class="banner" role="alert">${BANNER}</p>${content}</body></html>`);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
