// Prepended to the server-everything bundle in the app image.
// 1. The bundle is ESM but carries CommonJS dependencies (express) that call require().
// 2. server-everything listens on every interface; inside the app container only the app
//    itself talks to it, so a listen on a bare port is pinned to loopback.
import { createRequire as __mcpCreateRequire } from "node:module";
import * as __mcpHttp from "node:http";
// eslint-disable-next-line no-redeclare, @typescript-eslint/no-unused-vars -- the bundle's CommonJS dependencies call this module-scoped require()
const require = __mcpCreateRequire(import.meta.url);
{
  const listen = __mcpHttp.Server.prototype.listen;
  __mcpHttp.Server.prototype.listen = function (...args) {
    const port = args[0];
    const bare = typeof port === "number" || (typeof port === "string" && /^\d+$/.test(port));
    if (bare && typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
    return listen.apply(this, args);
  };
}
