/** The suites that stop or restart shared infrastructure; run with --runInBand (./workspace.js). */
module.exports = require('./workspace').workspaceConfig('disruptive');
