/** The message of anything thrown, for a log line or a report (JS code may throw non-Errors). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
