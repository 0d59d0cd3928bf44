import type { Severity } from './diagnostic.js';

/**
 * The catalogue of diagnostic codes. Ranges by stage, so a code says where it came from:
 * SX1xxx lexing and parsing, SX2xxx checking, SX3xxx planning, SX4xxx project config,
 * SX5xxx run-time inputs (datasets, model files, cache).
 */
export const CODES = {
  // lex / parse
  SX1001: { severity: 'error', title: 'unexpected character' },
  SX1002: { severity: 'error', title: 'syntax error' },
  SX1003: { severity: 'error', title: 'unterminated string' },
  SX1004: { severity: 'error', title: 'cannot read file' },
  // check
  SX2001: { severity: 'error', title: 'unknown name' },
  SX2002: { severity: 'error', title: 'wrong unit' },
  SX2003: { severity: 'error', title: 'empty or reversed range' },
  SX2004: { severity: 'error', title: 'fraction out of range' },
  SX2005: { severity: 'error', title: 'count not positive' },
  SX2006: { severity: 'error', title: 'duplicate clause' },
  SX2007: { severity: 'error', title: 'impossible stage order' },
  SX2008: { severity: 'error', title: 'unknown dataset' },
  SX2009: { severity: 'error', title: 'mixed sweep' },
  SX2010: { severity: 'error', title: 'wrong value' },
  SX2011: { severity: 'error', title: 'unknown option' },
  SX2012: { severity: 'error', title: 'unknown import' },
  SX2013: { severity: 'error', title: 'inheritance problem' },
  SX2014: { severity: 'error', title: 'conflicting clauses' },
  SX2015: { severity: 'error', title: 'missing clause' },
  SX2016: { severity: 'error', title: 'duplicate name' },
  SX2101: { severity: 'warning', title: 'suspicious value' },
  SX2102: { severity: 'warning', title: 'unused declaration' },
  // plan
  SX3001: { severity: 'error', title: 'sweep too large' },
  SX3002: { severity: 'error', title: 'nothing to run' },
  // config
  SX4001: { severity: 'error', title: 'invalid synx.yaml' },
  SX4002: { severity: 'error', title: 'cannot read synx.yaml' },
  // run-time inputs
  SX5001: { severity: 'error', title: 'dataset not configured' },
  SX5002: { severity: 'error', title: 'dataset path missing' },
  SX5003: { severity: 'error', title: 'model file problem' },
  SX5004: { severity: 'error', title: 'cache problem' },
  SX5005: { severity: 'error', title: 'unreadable input' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Code = keyof typeof CODES;
