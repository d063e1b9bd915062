// The keys of weft.config.yaml that weft itself owns; any other key belongs to a plugin
// (Plugin.settings) or is a mistake. Kept apart so the registry can refuse a plugin claiming one.
import { configSchema } from './config.js';

export const CORE_CONFIG_KEYS: ReadonlySet<string> = new Set(Object.keys(configSchema.properties));
