import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import type { JsonSchema } from '../openapi/index.js';

// ajv-formats is CommonJS: under NodeNext its default import is the module object in some
// toolchains and the function in others.
const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (
  ajv: Ajv,
) => Ajv;

/** One ajv instance for all tools: formats on (date, uuid, uri), no coercion, every error reported. */
export function createValidator(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  addFormats(ajv);
  // OpenAPI's file formats say how bytes travel, not what a string must look like.
  ajv.addFormat('binary', true);
  return ajv;
}

const FORMAT_WORDS: Record<string, string> = {
  date: 'a date as YYYY-MM-DD',
  'date-time': 'a date and time (RFC 3339)',
  uuid: 'a UUID',
  uri: 'an absolute URL',
  email: 'an email address',
};

function argumentName(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String(error.params['missingProperty']));
  if (error.keyword === 'additionalProperties') path.push(String(error.params['additionalProperty']));
  return path.map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function describeError(error: ErrorObject, accepted: string[]): string {
  const name = argumentName(error);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `missing required argument "${name}"`;
    case 'additionalProperties':
      return error.instancePath === ''
        ? `unknown argument "${name}" (this tool accepts: ${accepted.join(', ')})`
        : `unknown field "${name}"`;
    case 'type':
      return `"${name}" must be ${p['type']}`;
    case 'enum':
      return `"${name}" must be one of: ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `"${name}" must be ${FORMAT_WORDS[String(p['format'])] ?? `in format ${p['format']}`}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `"${name}" must be ${p['comparison']} ${p['limit']}`;
    case 'minLength':
      return `"${name}" must be at least ${p['limit']} characters`;
    case 'maxLength':
      return `"${name}" must be at most ${p['limit']} characters`;
    case 'minItems':
      return `"${name}" needs at least ${p['limit']} items`;
    default:
      return `"${name}" ${error.message ?? 'is invalid'}`;
  }
}

/** Compiled argument checks for one tool. */
export interface ArgumentValidator {
  /** Every problem with `args`, each naming the argument and the rule; empty when valid. */
  check(args: unknown): string[];
}

export function compileArgumentValidator(ajv: Ajv, schema: JsonSchema): ArgumentValidator {
  const validate: ValidateFunction = ajv.compile(schema);
  const accepted = Object.keys(schema.properties ?? {});
  return {
    check(args) {
      if (validate(args ?? {})) return [];
      // `type` errors on an argument make its other errors noise; keep one line per argument and rule.
      const lines = (validate.errors ?? []).map((error) => describeError(error, accepted));
      return [...new Set(lines)];
    },
  };
}
