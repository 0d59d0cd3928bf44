#!/usr/bin/env node
// The `synx` command: runs the compiled CLI (built by `npm install` through the prepare script).
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (e) {
  // A half-installed node_modules or a dist/ never built fails here, before main() can say so.
  if (e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/'"]+)/.exec(e.message)?.[1];
  const what = pkg !== undefined ? `package '${pkg}'` : (/Cannot find (?:package|module) '([^']+)'/.exec(e.message)?.[1] ?? 'a module');
  process.stderr.write(`synx: the installation is incomplete: ${what} is missing\n`);
  process.stderr.write('run `bash scripts/setup.sh` in the synx folder to install the dependencies and build the CLI\n');
  process.exit(70);
}

const code = await cli.main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
process.exitCode = code;
