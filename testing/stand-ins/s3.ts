/**
 * A stand-in for an S3-compatible object store, for the backup service's off-site copy in
 * tests: HTTPS (the backup-offsite policy asks for https://), path-style buckets, the object
 * calls rclone's S3 backend makes for `copyto` and `deletefile` (PutObject, HeadObject,
 * GetObject, DeleteObject, ListObjectsV2). Requests are not signature-checked: the stand-in
 * records which access key signed them, and the tests assert the secret key never travels.
 * Objects are kept in memory; nothing leaves the process.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface StoredObject {
  body: Buffer;
  etag: string;
  modified: Date;
}

export interface S3StandIn {
  url: string;
  host: string;
  port: number;
  /** bucket/key -> object. */
  objects: Map<string, StoredObject>;
  /** Access key IDs seen in Authorization headers (the secret key never is). */
  accessKeys: Set<string>;
  /** Every request line, for assertions and failure messages. */
  requests: string[];
  stop(): Promise<void>;
}

export interface S3StandInOptions {
  /** Address to listen on (the engine's gateway bridge address, where tasks on non-internal overlays reach the host). */
  host: string;
  port?: number;
  /** PEM server certificate and key. */
  cert: string;
  key: string;
}

const xml = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, body = "", headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-length": String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function error(res: ServerResponse, status: number, code: string): void {
  send(res, status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code></Error>`, { "content-type": "application/xml" });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** aws-chunked bodies (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): `<hex size>;chunk-signature=...\r\n<data>\r\n` until size 0. */
export function decodeAwsChunked(raw: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (let n = 0; n < 100_000 && at < raw.length; n++) {
    const eol = raw.indexOf("\r\n", at);
    if (eol < 0) break;
    const size = parseInt(raw.subarray(at, eol).toString("latin1").split(";")[0], 16);
    if (!(size > 0)) break;
    out.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const objects = new Map<string, StoredObject>();
  const accessKeys = new Set<string>();
  const requests: string[] = [];
  const server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "https://s3");
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const cred = /Credential=([^/,\s]+)\//.exec(String(req.headers.authorization ?? ""));
      if (cred) accessKeys.add(cred[1]);
      const [, bucket = "", ...rest] = decodeURIComponent(url.pathname).split("/");
      const key = rest.join("/");
      const id = `${bucket}/${key}`;
      if (!bucket) return error(res, 400, "InvalidBucketName");
      if (!key && req.method === "GET") {
        // ListObjectsV2 (and v1): the objects under prefix.
        const prefix = url.searchParams.get("prefix") ?? "";
        const items = [...objects.entries()].filter(([k]) => k.startsWith(`${bucket}/${prefix}`));
        const contents = items
          .map(
            ([k, o]) =>
              `<Contents><Key>${xml(k.slice(bucket.length + 1))}</Key><LastModified>${o.modified.toISOString()}</LastModified><ETag>"${o.etag}"</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
          )
          .join("");
        return send(
          res,
          200,
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix><KeyCount>${items.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`,
          { "content-type": "application/xml" },
        );
      }
      if (!key) return req.method === "HEAD" || req.method === "PUT" ? send(res, 200) : error(res, 405, "MethodNotAllowed");
      const found = objects.get(id);
      switch (req.method) {
        case "PUT": {
          const raw = await readBody(req);
          const body =
            /STREAMING-/.test(String(req.headers["x-amz-content-sha256"] ?? "")) || /aws-chunked/.test(String(req.headers["content-encoding"] ?? ""))
              ? decodeAwsChunked(raw)
              : raw;
          const etag = createHash("md5").update(body).digest("hex");
          objects.set(id, { body, etag, modified: new Date() });
          return send(res, 200, "", { etag: `"${etag}"` });
        }
        case "HEAD":
          if (!found) return send(res, 404);
          res.writeHead(200, {
            "content-length": String(found.body.length),
            etag: `"${found.etag}"`,
            "last-modified": found.modified.toUTCString(),
            "content-type": "application/octet-stream",
          });
          return res.end();
        case "GET":
          if (!found) return error(res, 404, "NoSuchKey");
          res.writeHead(200, {
            "content-length": String(found.body.length),
            etag: `"${found.etag}"`,
            "last-modified": found.modified.toUTCString(),
            "content-type": "application/octet-stream",
          });
          return res.end(found.body);
        case "DELETE":
          objects.delete(id);
          return send(res, 204);
        default:
          return error(res, 405, "MethodNotAllowed");
      }
    })().catch(() => {
      if (!res.headersSent) error(res, 500, "InternalError");
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${options.host}:${port}`,
    host: options.host,
    port,
    objects,
    accessKeys,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
