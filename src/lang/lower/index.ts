// Lowering: a resolved declaration and one point of its sweeps, checked and defaulted into an
// ExperimentSpec (the door of lang/lower; check and the lang stage's door import from here).
export { lowerExperiment } from './experiment.js';
export { sweepAxes } from './axes.js';
export type { Axis } from './axes.js';
export type { LowerContext, Pick } from './values.js';
