/** A tracker answer that retrying cannot fix: bad token, missing scope, unknown org, project or release. */
export class TrackerSetupError extends Error {
  override name = 'TrackerSetupError';
}
