/**
 * The checks' own MCP requests honour 429 Retry-After (validate/mcp/retry-after.ts): against a
 * real loopback HTTP server that limits them, a request told to wait is asked again and gets
 * its answer; one that is always limited gives up after a bounded number of attempts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { rpc } from "../../validate/mcp/raw";
import { RETRY_AFTER_ATTEMPTS, retryAfterMs } from "../../validate/mcp/retry-after";

let server: Server;
let url: string;
let limitedFor = 0;
let seen = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen++;
    req.resume();
    if (limitedFor > 0) {
      limitedFor--;
      res.writeHead(429, { "retry-after": "1", "content-type": "text/html" }).end("<html>429</html>");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => (seen = 0));

test("a 429 with Retry-After is waited out and asked again", async () => {
  limitedFor = 1;
  const t0 = Date.now();
  const answer = await rpc(url, {}, {}, { method: "ping" }, new AbortController().signal);
  expect(answer.status).toBe(200);
  expect(seen).toBe(2);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
});

test("always limited: the 429 is returned after a bounded number of attempts", async () => {
  limitedFor = 100;
  const answer = await rpc(url, {}, {}, { method: "ping" }, new AbortController().signal);
  expect(answer.status).toBe(429);
  expect(seen).toBe(RETRY_AFTER_ATTEMPTS);
  limitedFor = 0;
}, 15_000);

test("Retry-After as seconds, as an HTTP-date, absent", () => {
  expect(retryAfterMs("2")).toBe(2000);
  expect(retryAfterMs(new Date(10_000).toUTCString(), 7_000)).toBe(3000);
  expect(retryAfterMs(undefined)).toBe(1000);
});
