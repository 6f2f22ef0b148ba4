/**
 * Validates the Datadog source's requests and a stub's answers against the
 * subset of Datadog's published API schema vendored in
 * test/fixtures/datadog-openapi (see its README). Requests are held to the
 * schema strictly (no property it does not define); answers as published.
 * Deviations, each with its reason, are listed in applyExceptions; nothing
 * else is relaxed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

type Json = Record<string, unknown>;
interface Doc {
  paths: Record<
    string,
    Record<string, { requestBody: { content: Record<string, { schema: Json }> }; responses: Record<string, { content: Record<string, { schema: Json }> }> }>
  >;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, { name: string }> };
}

export const DATADOG_SUBSET = fileURLToPath(new URL('../fixtures/datadog-openapi/openapi-subset.json', import.meta.url));
const SCALAR = '/api/v2/query/scalar';

function applyExceptions(doc: Doc): void {
  // 1. A recorded answer of the endpoint (datadog-api-client-typescript, cassette "Scalar cross product query
  //    returns OK response") has `"unit": [{...}, null]`; the client's model types the items as Unit.
  const meta = doc.components.schemas.ScalarMeta as { properties: { unit: Json } };
  meta.properties.unit = { type: 'array', items: { anyOf: [{ $ref: '#/components/schemas/Unit' }, { type: 'null' }] } };
}

function closeObjects(node: unknown): void {
  if (Array.isArray(node)) node.forEach(closeObjects);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    if (o.type === 'object' && o.properties) o.additionalProperties = false;
    Object.values(o).forEach(closeObjects);
  }
}

function compile(strict: boolean, schemaName: (doc: Doc) => Json): ValidateFunction {
  const doc = JSON.parse(readFileSync(DATADOG_SUBSET, 'utf8')) as Doc;
  applyExceptions(doc);
  if (strict) closeObjects(doc.components);
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of ['double', 'float', 'int32', 'int64']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: 'dd', components: doc.components });
  return ajv.compile({ $ref: `dd${String(schemaName(doc).$ref).replace(/^#/, '#')}` });
}

let request: ValidateFunction | undefined;
const responses = new Map<string, ValidateFunction>();

const errorsOf = (v: ValidateFunction) => (v.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);

/** Problems with a request body for QueryScalarData; [] when it matches the schema. */
export function scalarRequestProblems(body: unknown): string[] {
  request ??= compile(true, (doc) => doc.paths[SCALAR]?.post?.requestBody.content['application/json']?.schema as Json);
  return request(body) ? [] : errorsOf(request);
}

/** Problems with an answer of QueryScalarData with this status; [] when it matches. */
export function scalarResponseProblems(status: number, body: unknown): string[] {
  let v = responses.get(String(status));
  if (!v) {
    v = compile(false, (doc) => {
      const schema = doc.paths[SCALAR]?.post?.responses[String(status)]?.content['application/json']?.schema;
      if (!schema) throw new Error(`the schema defines no ${status} answer for ${SCALAR}`);
      return schema;
    });
    responses.set(String(status), v);
  }
  return v(body) ? [] : errorsOf(v);
}

/** The header names the schema's security schemes put the keys in. */
export function keyHeaders(): { api: string; app: string } {
  const doc = JSON.parse(readFileSync(DATADOG_SUBSET, 'utf8')) as Doc;
  return { api: doc.components.securitySchemes.apiKeyAuth?.name ?? '', app: doc.components.securitySchemes.appKeyAuth?.name ?? '' };
}
