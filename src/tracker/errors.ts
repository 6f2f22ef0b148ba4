/** A tracker answer that retrying cannot fix: bad token, missing scope, unknown org, project or release. */
export class TrackerSetupError extends Error {
  override name = 'TrackerSetupError';
}

/** The release is not in the tracker: the caller knows whether registering it was tried. */
export class ReleaseNotFoundError extends TrackerSetupError {
  override name = 'ReleaseNotFoundError';
}
