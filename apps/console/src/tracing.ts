// Imported first by main.ts: module imports are hoisted, so tracing must start in a module of its
// own to be in place before Nest and undici are loaded.
import { startTracing } from '@shopwire/observability';

startTracing('console');
