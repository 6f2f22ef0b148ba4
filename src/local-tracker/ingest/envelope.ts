/**
 * Sentry's envelope format, as Relay reads it (relay-server/src/envelope/mod.rs, item.rs):
 * a JSON header line, then items, each a JSON item header line and a payload. A payload is
 * `length` bytes when the item header says so, else everything up to the next newline (or the
 * end). Headers and payloads end with "\n" or the end of the body. Every byte is the sender's:
 * nothing here trusts a length, a type or a nesting depth.
 */

export interface EnvelopeItem {
  type: string;
  headers: Record<string, unknown>;
  payload: Buffer;
}

export interface Envelope {
  headers: Record<string, unknown>;
  items: EnvelopeItem[];
}

/** What Relay answers for a malformed envelope: "invalid event envelope", with the cause. */
export class EnvelopeError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Relay's default limits (relay-config: max_envelope_size 100 MiB is theirs; this tracker keeps smaller ones). */
export const LIMITS = {
  /** Body as received (compressed or not), and after gunzip. */
  envelopeBytes: 20 * 1024 * 1024,
  /** One event item (Relay: max_event_size 1 MiB). */
  eventBytes: 1024 * 1024,
  /** One session or sessions item (Relay: max_session_count; here bytes). */
  sessionBytes: 100 * 1024,
  /** Items in one envelope: more is a malformed or hostile sender. */
  items: 1000,
};

const NL = 0x0a;

function parseHeader(bytes: Buffer, start: number, what: 'envelope' | 'item'): { value: Record<string, unknown>; next: number } {
  let end = bytes.indexOf(NL, start);
  if (end === -1) end = bytes.length;
  const text = bytes.subarray(start, end).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EnvelopeError(what === 'envelope' ? 'invalid envelope header' : 'invalid item header');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new EnvelopeError(what === 'envelope' ? 'invalid envelope header' : 'invalid item header');
  }
  return { value: value as Record<string, unknown>, next: end + 1 };
}

export function parseEnvelope(bytes: Buffer): Envelope {
  if (bytes.length === 0) throw new EnvelopeError('missing envelope header');
  const { value: headers, next } = parseHeader(bytes, 0, 'envelope');
  const items: EnvelopeItem[] = [];
  let offset = next;
  while (offset < bytes.length) {
    // Relay tolerates blank lines between items only as part of a zero-length payload; a
    // trailing newline at the very end is fine.
    if (offset === bytes.length - 1 && bytes[offset] === NL) break;
    if (items.length >= LIMITS.items) throw new EnvelopeError(`more than ${LIMITS.items} items`);
    const { value: itemHeaders, next: payloadStart } = parseHeader(bytes, offset, 'item');
    const type = itemHeaders.type;
    if (typeof type !== 'string' || type === '') throw new EnvelopeError('invalid item header');
    const length = itemHeaders.length;
    let payloadEnd: number;
    if (length === undefined || length === null) {
      payloadEnd = bytes.indexOf(NL, payloadStart);
      if (payloadEnd === -1) payloadEnd = bytes.length;
    } else {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) throw new EnvelopeError('invalid item header');
      payloadEnd = payloadStart + length;
      if (payloadEnd > bytes.length) throw new EnvelopeError('unexpected end of file');
      if (payloadEnd < bytes.length && bytes[payloadEnd] !== NL) throw new EnvelopeError('missing newline after header or payload');
    }
    const start = Math.min(payloadStart, bytes.length);
    items.push({ type, headers: itemHeaders, payload: bytes.subarray(start, Math.max(start, payloadEnd)) });
    offset = payloadEnd + 1;
  }
  return { headers, items };
}

/** A payload as JSON, or an EnvelopeError naming the item (Relay: "invalid JSON data"). */
export function jsonPayload(item: EnvelopeItem): unknown {
  try {
    return JSON.parse(item.payload.toString('utf8'));
  } catch (e) {
    throw new EnvelopeError(`invalid JSON data in ${item.type} item: ${(e as Error).message}`);
  }
}
