/** A tracker answer that retrying cannot fix: bad token, missing scope, unknown org, project or release. */
export class TrackerSetupError extends Error {
  override name = 'TrackerSetupError';
}

/**
 * An answer that cannot be health data: negative or fractional counts, more
 * crashes than sessions, a rate outside [0, 1], counts that went down since
 * the last poll. The poll is skipped and recorded, as in an outage.
 */
export class TrackerAnswerError extends Error {
  override name = 'TrackerAnswerError';
}

/** The release is not in the tracker: the caller knows whether registering it was tried. */
export class ReleaseNotFoundError extends TrackerSetupError {
  override name = 'ReleaseNotFoundError';
}
