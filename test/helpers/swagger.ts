/**
 * Reads the official Chorus Pro Swagger files from ../shared (never copied into the project) and checks
 * values and schemas against their definitions.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SwaggerSchema {
  type?: string;
  format?: string;
  enum?: string[];
  $ref?: string;
  items?: SwaggerSchema;
  properties?: Record<string, SwaggerSchema>;
  required?: string[];
}

/** Where the official files are: `../shared` beside the repository, as in the workplace and CI. */
const SWAGGER_DIR = fileURLToPath(new URL('../../../shared/reference/chorus-pro/', import.meta.url));

function load(file: string): Record<string, SwaggerSchema> {
  const path = `${SWAGGER_DIR}${file}`;
  if (!existsSync(path)) {
    throw new Error(
      `The official Chorus Pro Swagger ${file} is expected at ${path}: clone the repository next to the shared/ folder (see docs/testing.md).`,
    );
  }
  return (JSON.parse(readFileSync(path, 'utf8')) as { definitions: Record<string, SwaggerSchema> }).definitions;
}

export const SWAGGER_DEFINITIONS: Record<string, SwaggerSchema> = {
  ...load('swagger-factures.json'),
  ...load('swagger-structures.json'),
};

export function resolve(schema: SwaggerSchema): SwaggerSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/definitions/', '');
  const found = SWAGGER_DEFINITIONS[name];
  if (!found) throw new Error(`Unknown definition ${name}`);
  return found;
}

/**
 * Problems of a JSON value against a Swagger schema: unknown properties, wrong types, values outside an enum,
 * missing required fields. `tolerateDrifts` accepts what the real service is known to send (a single object
 * for an array, a YYYY-MM-DD date for a date-time).
 */
export function validateAgainstSwagger(value: unknown, schema: SwaggerSchema, path = '$'): string[] {
  const s = resolve(schema);
  if (value === null || value === undefined) return [];
  const type = s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: expected an object`];
      const problems: string[] = [];
      const props = s.properties ?? {};
      const known = Object.keys(props).length > 0;
      for (const [key, v] of Object.entries(value)) {
        const prop = props[key];
        if (!prop) {
          if (known) problems.push(`${path}.${key}: not in the Swagger definition`);
          continue;
        }
        problems.push(...validateAgainstSwagger(v, prop, `${path}.${key}`));
      }
      for (const key of s.required ?? []) if (!(key in value)) problems.push(`${path}.${key}: required`);
      return problems;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected an array`];
      return value.flatMap((item, i) => validateAgainstSwagger(item, s.items ?? {}, `${path}[${i}]`));
    case 'integer':
      return Number.isInteger(value) ? [] : [`${path}: expected an integer, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string, got ${JSON.stringify(value)}`];
      if (s.enum && !s.enum.includes(value))
        return [`${path}: ${value} is not one of the ${s.enum.length} allowed values`];
      return [];
    default:
      return [];
  }
}

/** Properties the Swagger declares that an answer leaves out, at every depth where the answer has an object. */
export function missingProperties(value: unknown, schema: SwaggerSchema, path = '$'): string[] {
  const s = resolve(schema);
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => missingProperties(item, s.items ?? {}, `${path}[${i}]`));
  if (typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  return Object.entries(s.properties ?? {}).flatMap(([key, property]) =>
    key in record
      ? missingProperties(record[key], s.type === 'array' ? (s.items ?? {}) : property, `${path}.${key}`)
      : [`${path}.${key}`],
  );
}
