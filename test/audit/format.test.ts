import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatAudit, type AuditResult, type PairStats } from '../../src/audit/index.js';

// What `synx audit` and `synx report --audit` print, kept beside this test in
// fixtures/format.expected.txt (UPDATE_GOLDENS=1 rewrites it), from a hand-made result so every
// line shows: pitch buckets, 68-point landmarks, skin-tone thirds, and the empty cases.
const golden = path.join(__dirname, 'fixtures', 'format.expected.txt');

const pairs = (genuine: number, impostor: number, auc: number, under: number, genuineUnder: number): PairStats => ({
  genuinePairs: genuine,
  impostorPairs: impostor,
  auc,
  impostorUnderThreshold: under,
  genuineUnderThreshold: genuineUnder,
  genuineHistogram: [],
  impostorHistogram: [],
});
const count = (images: number, detected: number) => ({ images, detected, rate: images === 0 ? NaN : detected / images });

const full: AuditResult = {
  images: 520,
  identities: 40,
  detector: 'ssd',
  detection: { '0-15': count(90, 88), '15-45': count(161, 159), '45-90': count(269, 195) },
  detectionByPitch: { '0-15': count(442, 442), '15-30': count(0, 0), '30-45': count(0, 0), '45-90': count(78, 0) },
  landmarkError: { images: 88, mean: 0.0594, points: 68, ibug68: true },
  nearFrontal: pairs(130, 5200, 0.9876, 0.62, 1),
  all: pairs(3100, 120000, 0.8451, 0.54, 0.91),
  identitySpread: 0.2801,
  nearestIsSameIdentity: 0.79,
  threshold: 0.6,
  bySkinTone: [
    { third: 'light', identities: 13, nearFrontal: pairs(40, 520, 0.99, 0.82, 1) },
    { third: 'mid', identities: 13, nearFrontal: pairs(40, 510, 0.98, 0.65, 1) },
    { third: 'dark', identities: 14, nearFrontal: pairs(45, 600, 0.99, 0.41, 1) },
  ],
};
const sparse: AuditResult = {
  ...full,
  images: 4,
  identities: 2,
  detector: 'tiny',
  detection: { '0-15': count(0, 0), '15-45': count(2, 1), '45-90': count(2, 0) },
  detectionByPitch: null,
  landmarkError: null,
  nearFrontal: pairs(0, 0, NaN, NaN, NaN),
  all: pairs(1, 0, NaN, NaN, 1),
  identitySpread: NaN,
  nearestIsSameIdentity: NaN,
  bySkinTone: null,
};

describe('formatAudit', () => {
  it('prints what the golden file holds', () => {
    const text = ['# a full audit', ...formatAudit(full), '', '# two identities, one face found, no pitch or skin tone', ...formatAudit(sparse), ''].join('\n');
    if (process.env.UPDATE_GOLDENS) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});
