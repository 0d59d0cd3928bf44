/** Progress a node reports; loggers draw bars, rates and ETAs from it. */
export interface Progress {
  readonly done: number;
  readonly total: number;
  /** What is counted: 'images', 'epochs', 'pairs'. */
  readonly unit: string;
  readonly message?: string;
  /** Numbers worth showing live: { loss: 0.21, 'img/s': 64 }. */
  readonly metrics?: Readonly<Record<string, number>>;
}
