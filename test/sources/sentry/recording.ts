import { Agent, type Dispatcher } from 'undici';

export interface RecordedResponse {
  method: string;
  /** Path and query as sent. */
  path: string;
  status: number;
  body: unknown;
}

/**
 * An undici dispatcher that keeps every response body as the adapter received
 * it, before any parsing: what the tracker really answered.
 */
export function recordingDispatcher(): { dispatcher: Dispatcher; responses: RecordedResponse[]; close(): Promise<void> } {
  const responses: RecordedResponse[] = [];
  const agent = new Agent();
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    let status = 0;
    const chunks: Buffer[] = [];
    return dispatch(opts, {
      onRequestStart: (controller, context) => handler.onRequestStart?.(controller, context),
      onRequestUpgrade: (controller, statusCode, headers, socket) => handler.onRequestUpgrade?.(controller, statusCode, headers, socket),
      onResponseStart(controller, statusCode, headers, statusMessage) {
        status = statusCode;
        return handler.onResponseStart?.(controller, statusCode, headers, statusMessage);
      },
      onResponseData(controller, chunk) {
        chunks.push(chunk);
        return handler.onResponseData?.(controller, chunk);
      },
      onResponseEnd(controller, trailers) {
        const text = Buffer.concat(chunks).toString('utf8');
        responses.push({ method: opts.method, path: opts.path, status, body: text ? JSON.parse(text) : undefined });
        return handler.onResponseEnd?.(controller, trailers);
      },
      onResponseError: (controller, error) => handler.onResponseError?.(controller, error),
    });
  });
  return { dispatcher, responses, close: () => agent.close() };
}
