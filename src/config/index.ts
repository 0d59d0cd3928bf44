// The project configuration stage: synx.yaml, validated, with defaults.
export type { DatasetConfig, ProjectConfig, RendererSetting } from './config.js';
export { configKeyRange, loadConfig, findConfigFile, CONFIG_FILE } from './load.js';
export type { LoadedConfig } from './load.js';
export { CONFIG_SCHEMA } from './schema.js';
