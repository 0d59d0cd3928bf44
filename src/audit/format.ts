import { REAL_PEOPLE_REFERENCE, type AuditResult } from './audit.js';

const pct = (v: number) => (Number.isNaN(v) ? '–' : `${(v * 100).toFixed(0)}%`);
const f3 = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(3));

/** The audit as plain text lines for the terminal (and the report). */
export function formatAudit(a: AuditResult): string[] {
  const buckets = (counts: AuditResult['detection']) =>
    Object.entries(counts)
      .map(([b, d]) => `${b}° ${pct(d.rate)} (${d.detected}/${d.images})`)
      .join(', ');
  const lm = a.landmarkError
    ? `${f3(a.landmarkError.mean)} outer-eye-corner distances (${a.landmarkError.images} images, ${a.landmarkError.ibug68 ? '68 iBUG points' : `${a.landmarkError.points} named points`})`
    : '– (no detected image under 15° with labelled eye corners)';
  const pairs = (name: string, s: AuditResult['all']) =>
    `${name}: AUC ${f3(s.auc)}; different identities under ${a.threshold}: ${pct(s.impostorUnderThreshold)} of ${s.impostorPairs}; same identity under it: ${pct(s.genuineUnderThreshold)} of ${s.genuinePairs}`;
  return [
    `${a.images} images of ${a.identities} identities, face-api ${a.detector === 'ssd' ? 'SSD MobileNet v1' : 'tiny'} detector on a 3x grey canvas`,
    `detection by |yaw|: ${buckets(a.detection)}`,
    ...(a.detectionByPitch ? [`detection by |pitch|: ${buckets(a.detectionByPitch)}`] : []),
    `landmark error (|yaw| < 15°): ${lm}`,
    pairs('near-frontal pairs (both |yaw| < 30°)', a.nearFrontal),
    pairs('all pairs', a.all),
    ...(a.bySkinTone
      ? [
          `near-frontal pairs by skin-tone third (identities ranked by their skin-tone draw), different identities under ${a.threshold}: ${a.bySkinTone
            .map((t) => `${t.third} ${pct(t.nearFrontal.impostorUnderThreshold)} of ${t.nearFrontal.impostorPairs} (${t.identities} ids)`)
            .join(', ')}`,
        ]
      : []),
    `for reference, different real people: ${pct(REAL_PEOPLE_REFERENCE.impostorsUnder / REAL_PEOPLE_REFERENCE.impostorPairs)} of ${REAL_PEOPLE_REFERENCE.impostorPairs} pairs under ${a.threshold} (the ${REAL_PEOPLE_REFERENCE.faces} women of face-api's ${REAL_PEOPLE_REFERENCE.photos} demo photos)`,
    `identity consistency: spread about the identity's mean descriptor ${f3(a.identitySpread)}; nearest other image of the same identity for ${pct(a.nearestIsSameIdentity)}`,
  ];
}
