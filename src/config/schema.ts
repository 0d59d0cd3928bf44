/** JSON Schema (draft 2020-12) of synx.yaml. */
export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    cache: { type: 'string', description: 'cache folder, relative to synx.yaml' },
    runs: { type: 'string', description: 'run records folder' },
    backend: { enum: ['wasm', 'webgpu', 'tfjs-node', 'tfjs-node-gpu', 'cpu'] },
    jobs: { type: 'integer', minimum: 1 },
    cpus: { type: 'integer', minimum: 1 },
    gpus: { type: 'integer', minimum: 0 },
    threads: { type: 'integer', minimum: 1 },
    executor: { enum: ['local', 'slurm'] },
    renderer: { enum: ['auto', 'software', 'gl'], description: 'rasteriser of render nodes (gl = headless-gl, optional)' },
    scale: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'shrink every experiment by this factor (smoke tests)' },
    imageCache: {
      type: 'string',
      pattern: '^[0-9]+[KMGT]$',
      description: 'memory one train node may keep its training images in between epochs, e.g. 4G (default 1G; 0K reads and decodes every image every epoch)',
    },
    slurm: {
      type: 'object',
      additionalProperties: false,
      properties: {
        partition: { type: 'string' },
        account: { type: 'string' },
        time: { type: 'string', description: 'default time limit, e.g. 04:00:00' },
        poll: { type: 'number', description: 'seconds between squeue polls' },
        extra: { type: 'array', items: { type: 'string' }, description: 'more sbatch arguments' },
        command: {
          type: 'array',
          items: { type: 'string' },
          minItems: 1,
          description: 'program a job runs before `exec-node` (default: this node binary and bin/synx.js)',
        },
        resources: {
          type: 'object',
          description: 'per node kind: what its jobs ask Slurm for, instead of what the kind says',
          propertyNames: { enum: ['render', 'data', 'train', 'eval', 'report'] },
          additionalProperties: {
            type: 'object',
            additionalProperties: false,
            properties: {
              cpus: { type: 'integer', minimum: 1, description: '--cpus-per-task' },
              gpus: { type: 'integer', minimum: 0, description: '--gres=gpu:N' },
              mem: { type: 'string', pattern: '^[0-9]+[KMGT]?$', description: '--mem, e.g. 16G' },
              time: { type: 'string', description: '--time, e.g. 24:00:00' },
              partition: { type: 'string' },
              extra: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    datasets: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['format', 'path'],
        properties: {
          format: { enum: ['folder', 'lfw', 'ijba', 'multipie'] },
          path: { type: 'string', minLength: 1 },
          pairs: { type: 'string' },
          metadata: { type: 'string' },
          unreadable: { enum: ['skip', 'fail'] },
          fit: { enum: ['resize', 'center'] },
          align: { enum: ['face-api'], description: 'detect, 68 landmarks, similarity warp to the 112 px ArcFace 5-point template' },
        },
      },
    },
  },
} as const;
