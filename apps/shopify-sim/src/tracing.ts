// Imported first by main.ts: ES imports are hoisted, so a startTracing() call written between
// imports would still run after Nest had loaded.
import { startTracing } from '@shopwire/observability';

startTracing('shopify-sim');
