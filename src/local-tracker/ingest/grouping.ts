/**
 * Which issue an event belongs to, the way Sentry's grouping (and the guide) describe it:
 * the SDK's `fingerprint` when set, with `{{ default }}` standing for the default grouping;
 * else the exception types with their stack traces normalized to modules and function names
 * (line numbers, columns and absolute paths change between deploys of the same code; in-app
 * frames only when the SDK marked any); else the message.
 */
import { createHash } from 'node:crypto';
import { isRecord, str } from './ids';

export interface EventSummary {
  hash: string;
  title: string;
  culprit: string;
  level: 'error' | 'fatal' | 'warning';
}

interface Frame {
  module?: string;
  function?: string;
  inApp: boolean;
}

const MAX_FRAMES = 250;
const MAX_EXCEPTIONS = 20;

function frameModule(f: Record<string, unknown>): string | undefined {
  const module = str(f.module, 500);
  if (module) return module;
  const file = str(f.filename, 1000) ?? str(f.abs_path, 1000);
  // No module: the file name without its directory, query and hash, which carry deploy paths.
  return file
    ?.replace(/[?#].*$/, '')
    .split(/[\\/]/)
    .pop();
}

function frameFunction(f: Record<string, unknown>): string | undefined {
  const name = str(f.function, 500);
  return name === undefined || name === '?' || name === '<anonymous>' ? undefined : name;
}

function framesOf(exception: Record<string, unknown>): Frame[] {
  const st = isRecord(exception.stacktrace) ? exception.stacktrace : undefined;
  const raw = st && Array.isArray(st.frames) ? st.frames.slice(-MAX_FRAMES) : [];
  return raw.filter(isRecord).map((f) => ({ module: frameModule(f), function: frameFunction(f), inApp: f.in_app === true }));
}

function exceptionsOf(event: Record<string, unknown>): Record<string, unknown>[] {
  const ex = event.exception;
  const values = isRecord(ex) ? ex.values : Array.isArray(ex) ? ex : undefined;
  return Array.isArray(values) ? values.filter(isRecord).slice(-MAX_EXCEPTIONS) : [];
}

function messageOf(event: Record<string, unknown>): { template?: string; formatted?: string } {
  const log = isRecord(event.logentry) ? event.logentry : isRecord(event.message) ? event.message : undefined;
  if (log) return { template: str(log.message, 8192), formatted: str(log.formatted, 8192) ?? str(log.message, 8192) };
  const m = str(event.message, 8192);
  return { template: m, formatted: m };
}

/** The default grouping components: exception types and normalized frames, else the message. */
function defaultComponents(event: Record<string, unknown>): string[] {
  const exceptions = exceptionsOf(event);
  if (exceptions.length > 0) {
    const out: string[] = [];
    for (const e of exceptions) {
      const frames = framesOf(e);
      const inApp = frames.filter((f) => f.inApp);
      const used = (inApp.length > 0 ? inApp : frames).filter((f) => f.module !== undefined || f.function !== undefined);
      out.push(`type:${str(e.type, 500) ?? 'Error'}`);
      // Without frames the value is all there is to tell errors of one type apart.
      if (used.length === 0) out.push(`value:${str(e.value, 8192) ?? ''}`);
      for (const f of used) out.push(`frame:${f.module ?? ''}|${f.function ?? ''}`);
    }
    return out;
  }
  const { template, formatted } = messageOf(event);
  return [`message:${template ?? formatted ?? ''}`];
}

export function summarize(event: Record<string, unknown>): EventSummary {
  const defaults = defaultComponents(event);
  let components = defaults;
  if (Array.isArray(event.fingerprint) && event.fingerprint.length > 0) {
    components = [];
    for (const part of event.fingerprint.slice(0, 50)) {
      const text = typeof part === 'string' ? part : (JSON.stringify(part) ?? '');
      if (/^\{\{\s*default\s*\}\}$/.test(text)) components.push(...defaults);
      else components.push(`fp:${text.slice(0, 1000)}`);
    }
  }
  const hash = createHash('sha1').update(JSON.stringify(components)).digest('hex').slice(0, 32);

  const exceptions = exceptionsOf(event);
  const top = exceptions.at(-1);
  let title: string;
  let culprit = '';
  const message = messageOf(event).formatted;
  // captureMessage with attachStacktrace sends a synthetic exception without a type: Sentry titles it by the message.
  if (top && !(top.type === undefined && message)) {
    const type = str(top.type, 500) ?? 'Error';
    const value = typeof top.value === 'string' ? top.value.split('\n')[0]!.slice(0, 500) : '';
    title = value ? `${type}: ${value}` : type;
    const frames = framesOf(top);
    const inApp = frames.filter((f) => f.inApp);
    const frame = (inApp.length > 0 ? inApp : frames).at(-1);
    if (frame) culprit = [frame.module, frame.function].filter(Boolean).join(' in ');
  } else {
    title = (message ?? '<unlabeled event>').split('\n')[0]!.slice(0, 500);
  }
  if (!culprit) culprit = str(event.transaction, 500) ?? str(event.culprit, 500) ?? '';
  const level = event.level === 'fatal' || event.level === 'warning' ? event.level : 'error';
  return { hash, title, culprit, level };
}
