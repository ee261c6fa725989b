/**
 * Preloaded into the policy pack process (`node -r`): when the pack prints its port, also note on
 * stderr this machine's wall-clock time. The preflight reads the pack's port only when its own
 * event loop is free, which is after the program ran; this stamp says when the pack was really
 * ready, so "policy pack started in N ms" measures the pack and not the program.
 *
 * Then, where Node's compile cache is on (NODE_COMPILE_CACHE), write it: the pack is stopped by a
 * signal, and Node writes the cache only at a normal exit, so the next start would compile again.
 * Once the cache holds the pack, the write finds nothing new (under a millisecond).
 */
"use strict";

const write = process.stdout.write.bind(process.stdout);
let stamped = false;
process.stdout.write = (chunk, ...rest) => {
  const written = write(chunk, ...rest);
  if (!stamped && String(chunk).includes("\n")) {
    stamped = true;
    process.stderr.write(`mcp-pack-ready-at ${Date.now()}\n`);
    const { flushCompileCache } = require("module");
    if (process.env.NODE_COMPILE_CACHE && typeof flushCompileCache === "function") require("timers").setImmediate(flushCompileCache);
  }
  return written;
};
