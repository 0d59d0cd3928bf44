// Dataset formats shared by the stages that write them (render) and read them (train, eval).
export {
  ShardWriter,
  ShardReader,
  readShardHeader,
  readShardLabels,
  readShardIdentities,
  readShardParameters,
  isShard,
  SHARD_HEADER,
  SHARD_IMAGE_FILE,
  SHARD_LABELS,
  SHARD_IDENTITIES,
  SHARD_MAPS,
  SHARD_MAP_FILES,
} from './shard.js';
export type { ShardHeader, ShardMap, Pose, ImageLabel, ImageExtra, IdentityLabel, ImageParameters, ImageMaps, Landmark } from './shard.js';
