/**
 * Credentials of the fake git host: the set of accepted tokens (tests add and revoke them at
 * runtime, e.g. to expire a token mid-run) and how a request carries one — Basic auth (git, the
 * password is the token), `Authorization: Bearer|token` (GitHub API) or `PRIVATE-TOKEN` (GitLab).
 */

/** The token every fake host accepts unless `tokens` is given to it. */
export const DEFAULT_FAKE_TOKEN = 'fake-host-token-0001';

/** How a request presented its credentials. */
export interface PresentedAuth {
  /** True when any credential header was sent. */
  sent: boolean;
  scheme: 'basic' | 'bearer' | 'private-token' | null;
  /** The token (the Basic password); null when none or unreadable. */
  token: string | null;
  /** The Basic user name, when Basic was used. */
  user: string | null;
}

/** The accepted tokens; a change applies to the next request. */
export class TokenSet {
  private readonly accepted: Set<string>;

  constructor(initial: readonly string[]) {
    this.accepted = new Set(initial);
  }

  add(token: string): void {
    if (token.length === 0) throw new Error('fake git host: an empty token cannot be accepted');
    this.accepted.add(token);
  }

  revoke(token: string): void {
    this.accepted.delete(token);
  }

  /** Makes `tokens` the only accepted ones. */
  set(tokens: readonly string[]): void {
    this.accepted.clear();
    for (const t of tokens) this.add(t);
  }

  accepts(token: string | null): boolean {
    return token !== null && this.accepted.has(token);
  }

  list(): string[] {
    return [...this.accepted];
  }
}

function decodeBasic(value: string): { user: string; password: string } | null {
  try {
    const text = Buffer.from(value, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
  } catch {
    return null;
  }
}

/** The credentials of a request, from `Authorization` or `PRIVATE-TOKEN`. */
export function presentedAuth(headers: Headers): PresentedAuth {
  const authorization = headers.get('authorization');
  if (authorization !== null) {
    const [scheme = '', value = ''] = authorization.trim().split(/\s+/, 2);
    const lower = scheme.toLowerCase();
    if (lower === 'basic') {
      const basic = decodeBasic(value);
      return { sent: true, scheme: 'basic', token: basic !== null && basic.password !== '' ? basic.password : null, user: basic?.user ?? null };
    }
    if (lower === 'bearer' || lower === 'token') return { sent: true, scheme: 'bearer', token: value === '' ? null : value, user: null };
    return { sent: true, scheme: null, token: null, user: null };
  }
  const privateToken = headers.get('private-token');
  if (privateToken !== null) return { sent: true, scheme: 'private-token', token: privateToken === '' ? null : privateToken, user: null };
  return { sent: false, scheme: null, token: null, user: null };
}
