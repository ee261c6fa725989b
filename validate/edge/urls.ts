/** Public URLs of the edge from its target: the port is omitted when it is the scheme's default. */
import type { EdgeTarget } from "../target";

export function httpsUrl(edge: EdgeTarget, path: string): string {
  return `https://${edge.hostname}${edge.httpsPort === 443 ? "" : `:${edge.httpsPort}`}${path}`;
}

export function httpUrl(edge: EdgeTarget, path: string): string {
  return `http://${edge.hostname}${edge.httpPort === 80 ? "" : `:${edge.httpPort}`}${path}`;
}
