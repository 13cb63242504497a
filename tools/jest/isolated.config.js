/** Every project's suites except the disruptive ones, in parallel (see ./workspace.js). */
module.exports = require('./workspace').workspaceConfig('isolated');
