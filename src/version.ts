// Replaced at build time from package.json; "dev" when run from source.
declare const __VERSION__: string | undefined;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';
export const USER_AGENT = `release-health-gate/${VERSION}`;
