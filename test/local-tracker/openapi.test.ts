import { describe, expect, it } from 'vitest';
import { matchPath, validateRequest, validateResponse } from '../helpers/openapi';

const ORG = '/api/0/organizations/{organization_id_or_slug}';

describe('OpenAPI helper', () => {
  it('maps concrete, percent-encoded paths to schema templates, preferring literal segments', () => {
    expect(matchPath('/api/0/organizations/acme/releases/v1%401/deploys/')).toBe(`${ORG}/releases/{version}/deploys/`);
    expect(matchPath('/api/0/organizations/acme/releases/')).toBe(`${ORG}/releases/`);
    expect(matchPath('/api/0/organizations/acme/sessions/?field=x')).toBe(`${ORG}/sessions/`);
    expect(matchPath('/api/0/nothing/here/')).toBeUndefined();
  });

  it('rejects unknown or mistyped query parameters and missing required ones', () => {
    const path = '/api/0/organizations/acme/sessions/';
    expect(validateRequest('GET', path, { field: 'sum(session)', project: '-1', includeSeries: '0' })).toEqual([]);
    expect(validateRequest('GET', path, { field: 'sum(session)', bogus: '1' }).join()).toMatch(/additional/);
    expect(validateRequest('GET', path, { statsPeriod: '1h' }).join()).toMatch(/field/);
    expect(validateRequest('GET', path, { field: 'x', includeTotals: 'yes' }).join()).toMatch(/integer/);
    // Not in the published schema but read by the endpoint: allowed on purpose.
    expect(validateRequest('GET', '/api/0/organizations/acme/releases/', { sort: 'date' })).toEqual([]);
    expect(validateRequest('GET', '/api/0/organizations/acme/releases/', { sort: 'nope' })).not.toEqual([]);
  });

  it('checks request bodies and response bodies', () => {
    const deploys = '/api/0/organizations/acme/releases/v1/deploys/';
    expect(validateRequest('POST', deploys, {}, { environment: 'production', url: 'not a url' }).join()).toMatch(/uri/);
    const deploy = { id: '1', environment: 'production', dateStarted: null, dateFinished: '2026-06-03T02:00:00Z', name: null, url: null };
    expect(validateResponse('POST', deploys, 201, deploy)).toEqual([]);
    expect(validateResponse('POST', deploys, 201, { ...deploy, dateFinished: 'yesterday' }).join()).toMatch(/date-time/);
    expect(validateResponse('POST', deploys, 418, deploy).join()).toMatch(/not documented/);
    // Sentry sends issue counts as strings; a number must be flagged.
    const sessions = {
      start: '2026-06-03T02:00:00Z',
      end: '2026-06-03T03:00:00Z',
      intervals: [],
      groups: [{ by: {}, totals: { 'sum(session)': '3' }, series: {} }],
      query: '',
    };
    expect(validateResponse('GET', '/api/0/organizations/acme/sessions/', 200, sessions).join()).toMatch(/number/);
  });
});
