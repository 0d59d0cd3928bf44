import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';

// synx compiles the synx.yaml schema without checking it against JSON Schema's meta-schema (it
// costs about 200 ms at every start of the CLI); the check is done here instead.
describe('the synx.yaml schema', () => {
  it('is a valid JSON Schema (2020-12): the meta-schema check synx skips passes', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    expect(ajv.validateSchema(CONFIG_SCHEMA), JSON.stringify(ajv.errors)).toBe(true);
    expect(() => new Ajv2020({ strict: false, validateSchema: true }).compile(CONFIG_SCHEMA)).not.toThrow();
    // The check is not vacuous: a schema with a mistyped keyword value fails it.
    expect(ajv.validateSchema({ ...CONFIG_SCHEMA, type: 'dictionary' })).toBe(false);
  });
});
