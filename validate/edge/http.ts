/**
 * What Nginx answers over HTTP(S): plain HTTP only redirects (DEP-WEB-03, SEC-NET-04),
 * HSTS on HTTPS responses, requests reach the app (DEP-WEB-04) and static files are
 * served from disk (DEP-WEB-05).
 */
import { fail, pass, type Check } from "../core/types";
import { header, request } from "../net/http";
import type { VerifyTarget } from "../target";
import { httpsUrl, httpUrl } from "./urls";

export const httpRedirectCheck: Check<VerifyTarget> = {
  id: "edge.http-redirect",
  title: "Port 80 answers 301 to the same URL on HTTPS",
  checklistIds: ["DEP-WEB-03", "SEC-NET-04"],
  needs: ["edge"],
  retries: 2,
  async run({ edge }, { signal }) {
    const path = "/verify-redirect-probe?from=verify";
    const url = httpUrl(edge, path);
    const expected = httpsUrl(edge, path);
    const res = await request(url, edge.http, { signal });
    const location = header(res.headers, "location");
    if (res.status !== 301 || location !== expected) {
      return fail(`GET ${url} answered ${res.status}${location ? ` -> ${location}` : " without Location"}`, {
        expected: `301 -> ${expected}`,
        actual: `${res.status}${location ? ` -> ${location}` : ""}`,
        remediation: "The port-80 server block must only `return 301 https://$host$request_uri` (infra/render/nginx.ts).",
      });
    }
    return pass(`GET ${url} -> 301 ${location}`);
  },
};

export function hstsMaxAge(value: string | undefined): number | undefined {
  const m = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?/i.exec(value ?? "");
  return m ? Number(m[1]) : undefined;
}

export const hstsCheck: Check<VerifyTarget> = {
  id: "edge.hsts",
  title: "HTTPS responses carry Strict-Transport-Security",
  checklistIds: ["SEC-NET-04"],
  needs: ["edge"],
  retries: 2,
  async run({ edge }, { signal }) {
    const url = httpsUrl(edge, edge.healthPath);
    const res = await request(url, edge.http, { signal });
    const value = header(res.headers, "strict-transport-security");
    const maxAge = hstsMaxAge(value);
    if (maxAge === undefined || maxAge < edge.hstsMinMaxAgeSeconds) {
      return fail(value ? `HSTS max-age ${maxAge ?? "missing"} is below ${edge.hstsMinMaxAgeSeconds}` : `no Strict-Transport-Security header on ${url}`, {
        expected: `Strict-Transport-Security: max-age>=${edge.hstsMinMaxAgeSeconds}`,
        actual: value ?? "header absent",
        remediation: "add_header Strict-Transport-Security ... always; at server level (mcp:edge.hstsMaxAgeSeconds).",
      });
    }
    return pass(`Strict-Transport-Security: ${value}`, { measurements: { maxAgeSeconds: maxAge } });
  },
};

export const proxyPassCheck: Check<VerifyTarget> = {
  id: "edge.proxy-pass",
  title: "Nginx proxies requests to the app",
  checklistIds: ["DEP-WEB-04", "DEP-WEB-01", "HA-REDUNDANCY-02", "DEP-CORE-04"],
  needs: ["edge"],
  retries: 3,
  retryDelayMs: 300,
  async run({ edge }, { signal }) {
    const url = httpsUrl(edge, edge.healthPath);
    const res = await request(url, edge.http, { signal });
    if ([502, 503, 504].includes(res.status)) {
      return fail(`Nginx answered ${res.status} for ${url}: it could not reach the app upstream`, {
        settling: true,
        expected: "200 from the app",
        actual: `${res.status} from Nginx`,
        remediation: "Check the app replicas are running and healthy (docker ps, the app logs) and on the network Nginx proxies to.",
      });
    }
    if (res.status !== 200) {
      return fail(`GET ${url} answered ${res.status}`, {
        expected: "200 from the app's health endpoint",
        actual: `${res.status} ${res.body.slice(0, 120)}`,
        remediation: "The health location must proxy_pass to the app upstream.",
      });
    }
    return pass(`GET ${url} -> 200 through Nginx`, { measurements: { ms: Math.round(res.ms) } });
  },
};

export const staticFileCheck: Check<VerifyTarget> = {
  id: "edge.static-file",
  title: "Nginx serves static files",
  checklistIds: ["DEP-WEB-05"],
  needs: ["edge"],
  retries: 2,
  async run({ edge }, { signal }) {
    const url = httpsUrl(edge, edge.staticFile.path);
    const res = await request(url, edge.http, { signal });
    if (res.status !== 200) {
      return fail(`GET ${url} answered ${res.status}`, {
        expected: "200 with the rendered static file",
        actual: String(res.status),
        remediation: "The static location must serve the files rendered by renderStaticFiles() from the static root.",
      });
    }
    if (res.body !== edge.staticFile.content) {
      return fail(`GET ${url} served different content (${res.body.length} bytes)`, {
        expected: JSON.stringify(edge.staticFile.content),
        actual: JSON.stringify(res.body.slice(0, 200)),
        remediation: "Redeploy so Nginx serves the static files the program renders.",
      });
    }
    return pass(`GET ${url} -> 200, ${res.body.length} bytes as rendered`);
  },
};
