import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from '../args.js';
import { UsageError, writeLine, type Command } from '../io.js';
import { parseScoresCsv, ScoresCsvError, verificationMetrics } from '../../eval/index.js';
import { fsErrorReason } from '../../util/index.js';

const usage = `usage: synx metrics --scores FILE.csv

Computes the standard verification metrics of your own scores and prints them as JSON:
accuracy and accuracy_std (LFW 10-fold, distance = 2 - 2*score), threshold (as a score),
val_at_far_1e-3, tar_at_far ("1e-1", "1e-2", "1e-3"), auc and pairs.

FILE.csv has a header and the columns same (1 genuine, 0 impostor), score (cosine similarity,
higher = more similar) and optionally fold (otherwise file order in 10 equal parts; a file
whose consecutive parts hold one class only, e.g. one sorted by same, is refused: add a fold
column). A column named twice is refused.`;

/** `synx metrics --scores FILE.csv`: the standard metrics of a user's own score file. */
const metrics: Command = {
  name: 'metrics',
  summary: 'standard verification metrics (LFW accuracy, TAR@FAR, AUC) of a score CSV',
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { scores: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (values.scores === undefined) throw new UsageError('--scores FILE.csv is required');
    const file = path.resolve(io.cwd, values.scores);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      writeLine(io.stderr, `synx metrics: cannot read ${values.scores}: ${fsErrorReason(e)}`);
      return 2;
    }
    try {
      const rows = parseScoresCsv(text, values.scores);
      writeLine(io.stdout, JSON.stringify(verificationMetrics(rows), null, 2));
      return 0;
    } catch (e) {
      if (e instanceof ScoresCsvError) {
        writeLine(io.stderr, `synx metrics: ${e.message}`);
        return 2;
      }
      throw e;
    }
  },
};

export default metrics;
