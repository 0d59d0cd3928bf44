/**
 * Node kinds and their versions. A version is part of every fingerprint of its kind: bump it when
 * a change to the kind's code changes its outputs, so cached results of the old code are not reused.
 */
export const KIND_VERSIONS = {
  render: '4',
  data: '1',
  train: '3',
  eval: '1',
  report: '2',
} as const;

export type NodeKindName = keyof typeof KIND_VERSIONS;
