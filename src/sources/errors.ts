/** A tracker answer that retrying cannot fix: bad token, missing scope, unknown org, project or release. */
export class TrackerSetupError extends Error {
  override name = 'TrackerSetupError';
}

/**
 * A setup error that is the input's fault, not the service's refusal: a URL
 * where no query API answers, a query the service cannot parse. The CLI exits
 * 2 on it, as on any bad input; `input` names what to fix.
 */
export class InputSetupError extends TrackerSetupError {
  override name = 'InputSetupError';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(message);
  }
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
