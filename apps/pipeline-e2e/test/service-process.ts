// Moved to @shopwire/testing, where suites outside this project start built apps too.
export { runNode, startService, type ServiceProcess } from '@shopwire/testing';
