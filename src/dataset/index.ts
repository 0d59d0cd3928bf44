// Dataset formats shared by the stages that write them (render) and read them (train, eval).
export {
  ShardWriter,
  ShardReader,
  readShardHeader,
  readShardLabels,
  isShard,
  SHARD_HEADER,
  SHARD_IMAGES,
  SHARD_LABELS,
} from './shard.js';
export type { ShardHeader, ImageLabel, Landmark } from './shard.js';
