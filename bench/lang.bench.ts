import { loadConfig } from '../dist/config/index.js';
import { check } from '../dist/lang/index.js';
import { compileText } from '../dist/plan/index.js';
import { timeBest, type Bench } from './harness.js';

/** A realistic ~30-line experiment file, varied by `i` so nothing is cached between files. */
function experimentFile(i: number): string {
  return `# experiment ${i}
import seed-study

seed ${1000 + i}
image 112px

experiment wide-${i} extends syn-1m {
  sample ${10 + i}k ids x 100 imgs
  yaw ~ mix(0.6 U(-90, 90), 0.2 N(0, 2), 0.2 0)
  pitch ~ N(0, ${10 + (i % 20)})
  roll ~ 0
  scale ~ U(1.0, 1.2)
  illumination ~ prior
  background ~ {noise, texture}
  pretrain 1M with nn4-small, triplet, epochs ${1 + (i % 10)}
  finetune casia {0%, 10%, 20%, 50%, 100%}
  eval lfw, ijba, multipie, syn-heldout
}

experiment narrow-${i} extends syn-frontal {
  sample 1k ids
  pretrain 100k with small, arcface, epochs 5
  eval lfw, syn-heldout
}

experiment baseline-${i} {
  train casia {10%, 50%} with small, triplet
  eval lfw
}
`;
}

const bench: Bench = {
  name: 'language',
  async run() {
    const files = Array.from({ length: 1000 }, (_, i) => experimentFile(i));
    const lines = files.reduce((n, f) => n + f.split('\n').length, 0) / files.length;
    // Start-up (building the lexer and parser, JIT warm-up) is not what is measured.
    for (let i = 0; i < 100; i++) check(files[i]!, 'warm.synexp');
    const checkSeconds = await timeBest(() => {
      for (let i = 0; i < files.length; i++) {
        const r = check(files[i]!, `exp-${i}.synexp`);
        if (r.diagnostics.some((d) => d.severity === 'error')) throw new Error(`bench file has errors: ${JSON.stringify(r.diagnostics[0])}`);
      }
    });
    const { config } = loadConfig('/nonexistent-bench-root', {});
    const vals = (n: number, f: (i: number) => string) => `{${Array.from({ length: n }, (_, i) => f(i)).join(', ')}}`;
    const sweep = `sample 10 ids x 2 imgs, pretrain with epochs ${vals(100, (i) => String(i + 1))}, finetune casia ${vals(100, (i) => `${(i + 1) * 0.5}%`)}, eval lfw`;
    let experiments = 0;
    const planSeconds = await timeBest(() => {
      experiments = compileText(sweep, 'sweep.synexp', config).plan?.experiments.length ?? 0;
    });
    return [
      { name: `check 1,000 files of ~${Math.round(lines)} lines`, value: checkSeconds, unit: 's', target: '< 1 s' },
      { name: 'check throughput', value: files.length / checkSeconds, unit: 'files/s' },
      { name: `plan a ${experiments}-experiment sweep`, value: planSeconds, unit: 's', target: '< 2 s' },
    ];
  },
};

export default bench;
