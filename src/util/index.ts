// Small helpers shared by every stage.
export { canonicalJson } from './json.js';
export type { JsonValue } from './json.js';
export { sha256 } from './hash.js';
export { fsErrorReason, makeDirs, writeFileAtomic } from './fs.js';
export { workerScript } from './worker-script.js';
export { optionalImport, optionalModuleInstalled } from './optional-import.js';
export type { Sha256 } from './hash.js';
export { csvField, csvRow, CsvSyntaxError, parseCsv } from './csv.js';
export type { CsvRecord } from './csv.js';
