/**
 * HTTP(S) for the checks, on node:http/https so a check can add trust anchors and
 * connect to an address other than the URL's host (tests on loopback, `--resolve` before
 * DNS cutover) while TLS still verifies the certificate against the URL's host name.
 * No redirects are followed: checks look at exactly what the server answered.
 */
import * as http from "node:http";
import * as https from "node:https";
import { isIP } from "node:net";
import { Readable } from "node:stream";
import { rootCertificates } from "node:tls";
import type { HttpOptions } from "../target";

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Wall time from request start to the end of the body. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Body bytes kept (default 1 MiB); the rest is read and dropped. */
  maxBodyBytes?: number;
  /** Connection pool to reuse (default: a fresh connection per request). */
  agent?: http.Agent;
}

const bareHost = (hostname: string) => hostname.replace(/^\[|\]$/g, "");

/** Where to connect for host:port under `opts`: a `connectTo` entry, else a `resolve` address, else the host itself. */
export function connectTarget(host: string, port: number, opts: HttpOptions): { host: string; port: number } {
  const to = opts.connectTo?.[`${host}:${port}`];
  if (to) {
    const m = /^(.*):(\d+)$/.exec(to);
    if (m) return { host: m[1].replace(/^\[|\]$/g, ""), port: Number(m[2]) };
  }
  return { host: opts.resolve?.[host] ?? host, port };
}

/** Connection options for a URL under `opts`: address override, SNI and trust. */
export function connectOptions(url: URL, opts: HttpOptions): https.RequestOptions {
  const host = bareHost(url.hostname);
  const target = connectTarget(host, url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80, opts);
  const base: https.RequestOptions = {
    host: target.host,
    port: target.port,
    path: `${url.pathname}${url.search}`,
    agent: false,
  };
  if (url.protocol === "https:") {
    if (!isIP(host)) base.servername = host;
    if (opts.ca) base.ca = [...rootCertificates, opts.ca];
  }
  return base;
}

function send(urlString: string, opts: HttpOptions, r: RequestOptions): Promise<http.IncomingMessage> {
  const url = new URL(urlString);
  if (url.protocol !== "http:" && url.protocol !== "https:") return Promise.reject(new Error(`unsupported URL scheme in ${urlString}`));
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const base = connectOptions(url, opts);
    const req = lib.request(
      { ...base, agent: r.agent ?? base.agent, method: r.method ?? "GET", headers: { host: url.host, ...r.headers }, signal: r.signal },
      resolve,
    );
    req.on("error", reject);
    req.end(r.body);
  });
}

export async function request(url: string, opts: HttpOptions, r: RequestOptions = {}): Promise<HttpResponse> {
  const started = performance.now();
  const res = await send(url, opts, r);
  const max = r.maxBodyBytes ?? 1 << 20;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (size < max) chunks.push(chunk.subarray(0, max - size));
    size += chunk.length;
  }
  return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started };
}

export async function requestJson<T = unknown>(
  url: string,
  opts: HttpOptions,
  r: RequestOptions = {},
): Promise<{ status: number; json: T | undefined; body: string; headers: http.IncomingHttpHeaders }> {
  const res = await request(url, opts, { ...r, headers: { accept: "application/json", ...r.headers } });
  let json: T | undefined;
  try {
    json = res.body ? (JSON.parse(res.body) as T) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, body: res.body, headers: res.headers };
}

type FetchInput = string | URL | { url: string };

/**
 * A WHATWG-style fetch over the same connection rules, streaming the body, for clients
 * that take a fetch implementation (the MCP SDK's Streamable HTTP transport).
 */
export function fetchWith(opts: HttpOptions): (input: FetchInput, init?: RequestInit) => Promise<Response> {
  return async (input, init = {}) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => (headers[k] = v));
    let body: string | undefined;
    if (init.body !== undefined && init.body !== null) body = typeof init.body === "string" ? init.body : await new Response(init.body).text();
    const res = await send(url, opts, { method: init.method, headers, body, signal: init.signal ?? undefined });
    const outHeaders = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (Array.isArray(v)) v.forEach((x) => outHeaders.append(k, x));
      else if (v !== undefined) outHeaders.set(k, v);
    }
    const status = res.statusCode ?? 500;
    const nullBody = [101, 103, 204, 205, 304].includes(status) || init.method === "HEAD";
    if (nullBody) res.resume();
    return new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: outHeaders });
  };
}

/** A header's single value (first, when repeated). */
export function header(h: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** base URL + absolute path, without a doubled slash when the base ends in one. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
