#!/usr/bin/env node
// The project's one CLI, run as compiled code: transpiling TypeScript at every call cost 2–4 s
// before a command could even print its help. The bundle is rebuilt when a source changed.
require(require('./bundle').ensureBundle());
