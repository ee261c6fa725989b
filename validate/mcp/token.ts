/** Bearer tokens the MCP checks send: a valid one, or one broken in a single way (token-validation). */
import { SignJWT } from "jose";
import { randomBytes } from "node:crypto";
import { mintJwt } from "../app/jwt";
import type { McpTarget } from "../target";

export async function bearer(mcp: McpTarget, subject?: string): Promise<string> {
  return mintJwt(mcp.jwtSigningKey, { issuer: mcp.jwtIssuer, audience: mcp.jwtAudience, subject });
}

export function authHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export const BROKEN_TOKENS = ["expired", "wrong issuer", "wrong audience", "bad signature"] as const;
export type BrokenToken = (typeof BROKEN_TOKENS)[number];

/** A token valid in every way but `broken`. */
export async function brokenToken(mcp: McpTarget, broken: BrokenToken): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = new TextEncoder().encode(broken === "bad signature" ? randomBytes(32).toString("base64url") : mcp.jwtSigningKey);
  return new SignJWT({ scope: "verify" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(broken === "wrong issuer" ? `${mcp.jwtIssuer}.other.invalid` : mcp.jwtIssuer)
    .setAudience(broken === "wrong audience" ? `${mcp.jwtAudience}-other` : mcp.jwtAudience)
    .setSubject("mcp-post-deploy-verify")
    .setIssuedAt(broken === "expired" ? now - 7200 : now)
    .setExpirationTime(broken === "expired" ? now - 3600 : now + 120)
    .sign(key);
}
