/**
 * Short-lived HS256 bearer tokens signed with the stack's JWT key, as the app expects
 * them (issuer and audience from the app contract). Made per check run, never stored.
 */
import { SignJWT } from "jose";

export interface JwtClaims {
  issuer: string;
  audience: string;
  subject?: string;
  ttlSeconds?: number;
}

export async function mintJwt(key: string, claims: JwtClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope: "verify" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.subject ?? "mcp-post-deploy-verify")
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.ttlSeconds ?? 120))
    .sign(new TextEncoder().encode(key));
}
