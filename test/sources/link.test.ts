import { describe, expect, it } from 'vitest';
import { nextPage } from '../../src/sources/link';

describe('nextPage (Link header)', () => {
  const base = 'https://api.bugsnag.example/v2';
  it('gives the next page as a path under the base URL', () => {
    expect(nextPage('<https://api.bugsnag.example/v2/projects/p/errors?offset=30&per_page=30>; rel="next", <https://x/last>; rel="last"', base)).toBe(
      '/projects/p/errors?offset=30&per_page=30',
    );
  });
  it('never follows a page on another host, scheme or base path (the token would go with it)', () => {
    expect(nextPage('<https://evil.example/v2/projects/p/errors?offset=30>; rel="next"', base)).toBeNull();
    expect(nextPage('<http://api.bugsnag.example/v2/projects?offset=30>; rel="next"', base)).toBeNull();
    expect(nextPage('<https://api.bugsnag.example/other/projects?offset=30>; rel="next"', base)).toBeNull();
    expect(nextPage('<https://api.bugsnag.example/v2evil/x>; rel="next"', base)).toBeNull();
  });
  it('is null without a next link', () => {
    expect(nextPage(undefined, base)).toBeNull();
    expect(nextPage('<https://api.bugsnag.example/v2/x>; rel="prev"', base)).toBeNull();
    expect(nextPage('garbage', base)).toBeNull();
  });
});
