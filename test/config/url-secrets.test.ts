import { describe, expect, it } from 'vitest';
import { urlInputSecrets, urlSecrets } from '../../src/config/url-secrets';

describe('urlSecrets', () => {
  it('takes query values whose name has a credential word, raw and decoded, and the userinfo', () => {
    expect(urlSecrets('https://am.example/?token=abc%2Bdef123')).toEqual(['abc%2Bdef123', 'abc+def123']);
    for (const name of ['access_token', 'private_token', 'api_key', 'apiKey', 'X-Amz-Signature', 'sig', 'password'])
      expect(urlSecrets(`https://h.example/p?x=1&${name}=S3cretValue42`)).toEqual(['S3cretValue42']);
    expect(urlSecrets('https://bot:p@ssW0rd@h.example/')).toEqual(['bot:p@ssW0rd', 'p@ssW0rd']);
    expect(urlSecrets('https://bot:hunter22@h.example/')).toEqual(['bot:hunter22', 'hunter22']);
    expect(urlSecrets('https://glpat-0123456789abcdef@h.example/')).toEqual(['glpat-0123456789abcdef']);
  });

  it('leaves a link state alone: a dashboard variable is not a secret, so the release name is not blanked', () => {
    expect(urlSecrets('https://grafana.example/d/shop?orgId=1&var-release=shop-web-2.0.0-rc1&from=now-1h')).toEqual([]);
    expect(urlSecrets('https://wiki.example/runbooks/rollback#keyboard')).toEqual([]);
  });

  it('covers every URL input', () => {
    expect(
      urlInputSecrets({ 'prometheus-url': 'http://p/?access_token=PromTok3n', 'runbook-url': 'https://w/?auth=WikiAuth9', release: 'x?token=nope1234' }),
    ).toEqual(['PromTok3n', 'WikiAuth9']);
  });
});
