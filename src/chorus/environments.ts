/**
 * Chorus Pro's two environments. Each has its own PISTE application (client id and secret), its own URLs and its
 * own technical accounts: an account qualified in the sandbox (Chorus Pro "qualification") means nothing in
 * production. From the Internet, only `*.piste.gouv.fr` (docs/chorus-pro-notes.md, "Reaching Chorus Pro").
 */
export const CHORUS_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type ChorusEnvironment = (typeof CHORUS_ENVIRONMENTS)[number];

export const CHORUS_URLS: Readonly<Record<ChorusEnvironment, { readonly apiUrl: string; readonly oauthUrl: string }>> =
  {
    sandbox: {
      apiUrl: 'https://sandbox-api.piste.gouv.fr',
      oauthUrl: 'https://sandbox-oauth.piste.gouv.fr/api/oauth/token',
    },
    production: { apiUrl: 'https://api.piste.gouv.fr', oauthUrl: 'https://oauth.piste.gouv.fr/api/oauth/token' },
  };
