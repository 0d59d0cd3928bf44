// What the executor warns about, as data; `describeWarning` puts it into words for the loggers
// (like failures, see failure.ts).

/** A problem worth telling the user that fails no node. */
export type Warning =
  /** A cache entry failed its check (`problem`): it was removed and its node runs again. */
  | { readonly reason: 'corrupt-entry'; readonly entry: string; readonly label: string; readonly problem: string }
  /** The run record could not be written in `dir`; `message` is the system's. The run goes on. */
  | { readonly reason: 'record-unwritable'; readonly dir: string; readonly message: string }
  /** A node kind logged a `warning: ` line (a dataset that lost files): its own words. */
  | { readonly reason: 'node'; readonly message: string }
  /** The runner (Slurm) said so when it started: its own words. */
  | { readonly reason: 'runner'; readonly message: string };

/** A warning in words, as the loggers print it after `warning: `. */
export function describeWarning(w: Warning): string {
  switch (w.reason) {
    case 'corrupt-entry':
      return `cache entry ${w.entry} of ${w.label} is corrupt (${w.problem}); removed, it will be recomputed`;
    case 'record-unwritable':
      return `cannot write the run record in ${w.dir}: ${w.message}`;
    case 'node':
    case 'runner':
      return w.message;
  }
}
