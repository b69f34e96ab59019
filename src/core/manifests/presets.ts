// Provider presets: each provider's real issuer and JWKS paths (the chart's
// `issuer + /.well-known/jwks.json` default is wrong for most of them).

export type Provider = 'auth0' | 'okta' | 'google' | 'keycloak' | 'azure';
export const PROVIDERS: Provider[] = ['auth0', 'okta', 'google', 'keycloak', 'azure'];

export interface PresetInput {
  domain?: string;
  realm?: string;
  tenant?: string;
  /** Okta authorization server id (default "default"). */
  authorizationServer?: string;
}

export interface Preset {
  issuer: string;
  jwksUri: string;
}

export class PresetError extends Error {}

function origin(domain: string | undefined, provider: string, example: string): string {
  if (!domain) throw new PresetError(`--provider ${provider} needs --domain (e.g. ${example})`);
  const d = domain.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(d) ? d : `https://${d}`;
}

export function preset(provider: Provider, p: PresetInput): Preset {
  switch (provider) {
    case 'auth0': {
      const o = origin(p.domain, 'auth0', 'example.eu.auth0.com');
      // Auth0's issuer keeps its trailing slash; the JWKS path must not double it.
      return { issuer: `${o}/`, jwksUri: `${o}/.well-known/jwks.json` };
    }
    case 'okta': {
      const o = origin(p.domain, 'okta', 'dev-123456.okta.com');
      const server = p.authorizationServer ?? 'default';
      return { issuer: `${o}/oauth2/${server}`, jwksUri: `${o}/oauth2/${server}/v1/keys` };
    }
    case 'google':
      return { issuer: 'https://accounts.google.com', jwksUri: 'https://www.googleapis.com/oauth2/v3/certs' };
    case 'keycloak': {
      const o = origin(p.domain, 'keycloak', 'sso.example.com');
      if (!p.realm) throw new PresetError('--provider keycloak needs --realm');
      const base = `${o}/realms/${encodeURIComponent(p.realm)}`;
      return { issuer: base, jwksUri: `${base}/protocol/openid-connect/certs` };
    }
    case 'azure': {
      if (!p.tenant) throw new PresetError('--provider azure needs --tenant (the directory id)');
      const t = encodeURIComponent(p.tenant);
      return { issuer: `https://login.microsoftonline.com/${t}/v2.0`, jwksUri: `https://login.microsoftonline.com/${t}/discovery/v2.0/keys` };
    }
  }
}
