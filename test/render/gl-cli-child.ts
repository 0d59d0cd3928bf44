// `synx ARGS` in a child process with the real node kinds; argv: <project dir> ARGS. The gl tests
// run it with DISPLAY removed, which a process that already holds a GL context cannot pretend.
import { main } from '../../src/cli/main.js';

const [dir, ...args] = process.argv.slice(2) as [string, ...string[]];
process.exitCode = await main(args, { stdout: process.stdout, stderr: process.stderr, cwd: dir, env: { ...process.env, CI: '1' } });
