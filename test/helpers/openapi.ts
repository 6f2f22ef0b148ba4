/**
 * Validates requests and responses against Sentry's published OpenAPI document,
 * the subset of it vendored in test/fixtures/sentry-openapi (see its README).
 *
 * Every deviation from the published schema is listed in EXCEPTIONS below with
 * the reason; nothing else is relaxed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as typeof addFormatsImport;

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  parameters?: { in: string; name: string; required?: boolean; schema?: Json }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}
interface Doc {
  paths: Record<string, Record<string, Operation>>;
}

const SCHEMA_URL = new URL('../fixtures/sentry-openapi/openapi-subset.json', import.meta.url);
const ORG = '/api/0/organizations/{organization_id_or_slug}';

/** Query parameters the endpoint reads although the published schema omits them. */
const EXTRA_QUERY_PARAMS: Record<string, Record<string, Json>> = {
  // organization_releases.py reads `sort` (date|sessions|users|crash_free_users|crash_free_sessions|build|semver|adoption)
  // and `status` (open|archived); the schema lists neither for the list operation.
  [`get ${ORG}/releases/`]: {
    sort: { type: 'string', enum: ['date', 'sessions', 'users', 'crash_free_users', 'crash_free_sessions', 'build', 'semver', 'adoption'] },
    status: { type: 'string', enum: ['open', 'archived'] },
  },
};

/** Patches to the published schema, each a place where it disagrees with what Sentry sends. */
function applyExceptions(doc: Doc): void {
  // 1. StreamGroupSerializerSnuba adds these keys only when asked with `expand=` (inbox, owners,
  //    sessions, integrationIssues, sentryAppIssues, latestEventHasAttachments) or when the query is
  //    an event id (matchingEvent*); the schema marks all of them required.
  const issues = schemaOf(doc, 'get', `${ORG}/issues/`, '200');
  const issueItem = (issues?.items ?? {}) as Json;
  const optional = new Set([
    'inbox',
    'owners',
    'sessionCount',
    'integrationIssues',
    'sentryAppIssues',
    'latestEventHasAttachments',
    'matchingEventId',
    'matchingEventEnvironment',
  ]);
  issueItem.required = ((issueItem.required as string[]) ?? []).filter((k) => !optional.has(k));

  // 2. Deploy.name is optional (null=True) and the release serializer copies it into lastDeploy,
  //    but the schema types lastDeploy.name as a non-null string.
  for (const [method, path, status] of [
    ['get', `${ORG}/releases/`, '200'],
    ['post', `${ORG}/releases/`, '201'],
    ['post', `${ORG}/releases/`, '208'],
    ['get', `${ORG}/releases/{version}/`, '200'],
    ['put', `${ORG}/releases/{version}/`, '200'],
    ['get', '/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/releases/', '200'],
  ] as const) {
    const s = schemaOf(doc, method, path, status);
    const release = (s?.type === 'array' ? s.items : s) as Json | undefined;
    const lastDeploy = (release?.properties as Json | undefined)?.lastDeploy as Json | undefined;
    const name = (lastDeploy?.properties as Json | undefined)?.name as Json | undefined;
    if (name) name.nullable = true;
  }
  // 3. get_cursor_from_request takes an empty cursor as none, and sentry-cli asks for every first
  //    page with `cursor=`; the schema gives cursor parameters minLength 1.
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      for (const p of op.parameters ?? []) if (p.in === 'query' && p.name === 'cursor' && p.schema) delete p.schema.minLength;
    }
  }
}

function schemaOf(doc: Doc, method: string, path: string, status: string): Json | undefined {
  return doc.paths[path]?.[method]?.responses[status]?.content?.['application/json']?.schema;
}

let cached: { doc: Doc; templates: { template: string; re: RegExp; literals: number }[] } | undefined;
const compiled = new Map<string, ValidateFunction>();

function load() {
  if (cached) return cached;
  const doc = JSON.parse(readFileSync(fileURLToPath(SCHEMA_URL), 'utf8')) as Doc;
  applyExceptions(doc);
  const templates = Object.keys(doc.paths).map((template) => {
    const parts = template.split('/');
    const re = new RegExp('^' + parts.map((p) => (/^\{.+\}$/.test(p) ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
    return { template, re, literals: parts.filter((p) => p && !p.startsWith('{')).length };
  });
  cached = { doc, templates };
  return cached;
}

function makeAjv(coerce: boolean): Ajv {
  // strict: false because the document carries OpenAPI-only keywords (example, x-learn-more, ...).
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce ? 'array' : false });
  addFormats(ajv);
  for (const f of ['double', 'float', 'int32', 'int64']) ajv.addFormat(f, true);
  return ajv;
}
const bodyAjv = makeAjv(false);
const queryAjv = makeAjv(true);

function compile(key: string, ajv: Ajv, schema: Json): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

/** The schema's path template for a concrete (still percent-encoded) path, or the template itself. */
export function matchPath(pathTemplateOrConcretePath: string): string | undefined {
  const { doc, templates } = load();
  const path = pathTemplateOrConcretePath.split('?')[0] ?? '';
  if (doc.paths[path]) return path;
  const hits = templates.filter((t) => t.re.test(path)).sort((a, b) => b.literals - a.literals);
  return hits[0]?.template;
}

function operation(method: string, path: string): { template: string; op: Operation } | string {
  const template = matchPath(path);
  if (!template) return `no schema path matches ${path}`;
  const op = load().doc.paths[template]?.[method.toLowerCase()];
  if (!op) return `${method.toUpperCase()} is not defined for ${template}`;
  return { template, op };
}

function format(v: ValidateFunction, where: string): string[] {
  return (v.errors ?? []).map((e) => `${where}${e.instancePath || ''} ${e.message ?? ''}${e.params ? ' ' + JSON.stringify(e.params) : ''}`);
}

/** Errors (empty when valid) of a response body against the operation's schema for `status`. */
export function validateResponse(method: string, pathTemplateOrConcretePath: string, status: number, body: unknown): string[] {
  const found = operation(method, pathTemplateOrConcretePath);
  if (typeof found === 'string') return [found];
  const { template, op } = found;
  const response = op.responses[String(status)];
  if (!response) return [`status ${status} is not documented for ${method.toUpperCase()} ${template}`];
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return []; // documented without a body schema (401, 403, 404, ...)
  const v = compile(`res ${method} ${template} ${status}`, bodyAjv, schema);
  return v(body) ? [] : format(v, 'response');
}

/**
 * Errors (empty when valid) of a request: path parameters, query parameters (unknown ones are
 * errors; repeated keys as arrays) and the JSON body.
 */
export function validateRequest(method: string, concretePath: string, query: Record<string, string | string[]> = {}, body?: unknown): string[] {
  const found = operation(method, concretePath);
  if (typeof found === 'string') return [found];
  const { template, op } = found;
  const errors: string[] = [];
  const params = op.parameters ?? [];
  const extra = EXTRA_QUERY_PARAMS[`${method.toLowerCase()} ${template}`] ?? {};

  const properties: Record<string, Json> = { ...extra };
  const required: string[] = [];
  for (const p of params.filter((x) => x.in === 'query')) {
    properties[p.name] = p.schema ?? {};
    if (p.required) required.push(p.name);
  }
  const qv = compile(`query ${method} ${template}`, queryAjv, {
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  });
  // Coercion mutates; validate a copy so callers keep their object.
  if (!qv(structuredClone(query))) errors.push(...format(qv, 'query'));

  const pathParams = params.filter((p) => p.in === 'path');
  const tParts = template.split('/');
  const cParts = concretePath.split('?')[0]!.split('/');
  for (const p of pathParams) {
    const i = tParts.indexOf(`{${p.name}}`);
    const raw = cParts[i];
    if (raw === undefined || raw === '') errors.push(`path parameter ${p.name} missing`);
    else if (decodeURIComponent(raw).includes('/')) errors.push(`path parameter ${p.name} contains '/'`);
  }

  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  if (body === undefined) {
    if (op.requestBody?.required) errors.push('request body is required');
  } else if (!bodySchema) {
    errors.push(`${method.toUpperCase()} ${template} takes no JSON body`);
  } else {
    const bv = compile(`req ${method} ${template}`, bodyAjv, bodySchema);
    if (!bv(body)) errors.push(...format(bv, 'body'));
  }
  return errors;
}

/** Query string to the shape validateRequest takes: repeated keys become arrays. */
export function queryObject(search: URLSearchParams | string): Record<string, string | string[]> {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of params) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}
