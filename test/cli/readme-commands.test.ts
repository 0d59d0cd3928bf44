import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';

// The README's command table is the user's list of what synx does: every command has a row there,
// and every option its usage line shows (`synx help COMMAND`) is in that row.
const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const table = readme.slice(readme.indexOf('## Commands'), readme.indexOf('### Checking in CI'));

describe("the README's command table", () => {
  it('has a row for every command with every option of its usage line', async () => {
    for (const [name, load] of Object.entries(COMMANDS)) {
      const command = await load();
      if (command.summary.startsWith('(internal)')) continue;
      const row = table.split('\n').find((l) => l.startsWith(`| \`synx ${name}`));
      expect(row, `README row for synx ${name}`).toBeDefined();
      const usage = command.usage.split('\n')[0]!;
      for (const option of usage.match(/--[a-z][a-z-]*/g) ?? []) expect(row, `${option} of synx ${name} in its README row`).toContain(option);
    }
  });
});
