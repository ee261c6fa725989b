/**
 * docker.Network: terraform-provider-docker v4.5.0 internal/provider/resource_docker_network_funcs.go
 * (cited `network_funcs.go L<a>-<b>`) and the schema in resource_docker_network.go
 * (`network schema L<a>-<b>`). HEAD 83c00e0b is identical.
 *
 * Top-level attributes are read with d.GetOk, so false/empty values are simply not sent, but
 * `ipam_driver` has the Default "default", which makes the IPAM block always present.
 */
import type { EngineApi } from "./api";
import { EngineCallError } from "./api";
import type { NetworkCreateRequest } from "./engine-types";
import { InputReader } from "./inputs";
import { waitForState } from "./state-change";

const nonEmpty = <T extends object>(o: T | undefined): T | undefined => (o && Object.keys(o).length > 0 ? o : undefined);

/** resourceDockerNetworkCreate L26-82 with ipamConfigSetToIpamConfigs L137-158. */
export function mapNetwork(r: InputReader, name: string): NetworkCreateRequest {
  const body: NetworkCreateRequest = { Name: name };
  // L33-35 labels, L36-38 driver, L39-41 options: GetOk.
  body.Labels = nonEmpty(r.labels("labels"));
  body.Driver = r.str("driver") || undefined;
  body.Options = nonEmpty(r.stringMap("options"));
  // L42-50 internal, attachable, ingress: GetOk, so only true is sent.
  body.Internal = r.bool("internal") || undefined;
  body.Attachable = r.bool("attachable") || undefined;
  body.Ingress = r.bool("ingress") || undefined;
  // L51-54 ipv6: EnableIPv6 pointer only when true.
  if (r.bool("ipv6")) body.EnableIPv6 = true;
  // L56-73: ipam_driver defaults to "default" (schema L85-91), so IPAM is always sent.
  const ipam: NonNullable<NetworkCreateRequest["IPAM"]> = { Driver: r.str("ipamDriver") || "default" };
  const configs = [];
  for (let i = 0; i < r.len("ipamConfigs"); i++) {
    const p = `ipamConfigs[${i}]`;
    // L143-152: every key read; aux_address allocated even when empty.
    configs.push({
      Subnet: r.str(`${p}.subnet`) || undefined,
      IPRange: r.str(`${p}.ipRange`) || undefined,
      Gateway: r.str(`${p}.gateway`) || undefined,
      AuxiliaryAddresses: nonEmpty(r.stringMap(`${p}.auxAddress`)),
    });
  }
  if (configs.length) ipam.Config = configs;
  ipam.Options = nonEmpty(r.stringMap("ipamOptions"));
  body.IPAM = ipam;
  return body;
}

/** The only ranges networks on the test engine may use (docs: DESIGN "Seen on these machines"). */
const TEST_RANGE = { base: (198 << 24) | (18 << 16), bits: 15 };

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

const inTestRange = (addr: number) => addr >>> (32 - TEST_RANGE.bits) === TEST_RANGE.base >>> (32 - TEST_RANGE.bits);

/**
 * A refusal of this machine, not a mapping: a network the test engine must not create
 * (an address outside 198.18.0.0/15, a driver that attaches to host interfaces). Networks
 * without a subnet get one from the swarm's pool, which is inside the range.
 */
export function checkTestNetwork(r: InputReader, body: NetworkCreateRequest): void {
  if (body.Driver && /^(macvlan|ipvlan|host)$/.test(body.Driver))
    r.fail("driver", `the ${body.Driver} driver attaches to host interfaces; the test engine only creates overlay/bridge networks`);
  if (body.EnableIPv6) r.fail("ipv6", "IPv6 networks are not created on the test engine (no IPv6 test range is set aside)");
  (body.IPAM?.Config ?? []).forEach((c, i) => {
    for (const [key, value] of [
      ["subnet", c.Subnet],
      ["ipRange", c.IPRange],
      ["gateway", c.Gateway],
    ] as const) {
      if (!value) continue;
      const [addr, len] = value.split("/");
      const a = ipv4(addr);
      if (a === undefined) r.fail(`ipamConfigs[${i}].${key}`, "is not an IPv4 address or CIDR");
      const prefix = len === undefined ? 32 : Number(len);
      if (!inTestRange(a) || prefix < TEST_RANGE.bits)
        r.fail(`ipamConfigs[${i}].${key}`, `${value} is outside 198.18.0.0/15, the only range networks on the test engine may use`);
    }
  });
}

/** Create (L75-81), then resourceDockerNetworkRead (L84-108): Delay 2 s, MinTimeout 5 s, Timeout 30 s. */
export async function createNetwork(api: EngineApi, body: NetworkCreateRequest): Promise<string> {
  // client.NetworkCreate sets CheckDuplicate for API versions before 1.44.
  const req: NetworkCreateRequest = { ...body, ...(api.version < "1.44" ? { CheckDuplicate: true } : {}) };
  let id: string;
  try {
    id = (await api.networkCreate(req)).Id;
  } catch (err) {
    throw new Error(`Unable to create network: ${(err as Error).message}`, { cause: err });
  }
  await waitForState({
    pending: ["pending"],
    target: ["all_fields", "removed"],
    timeoutMs: 30_000,
    minTimeoutMs: 5_000,
    delayMs: 2_000,
    // resourceDockerNetworkReadRefreshFunc L160-203 (its "overlay" scope check never matches a
    // swarm network, whose scope is "swarm").
    refresh: async () => {
      try {
        const n = await api.networkInspect(id);
        if (n.Scope === "overlay" && Object.keys(n.Options ?? {}).length === 0) return { result: n, state: "pending" };
        return { result: n, state: "all_fields" };
      } catch {
        return { result: { Id: id }, state: "removed" };
      }
    },
  });
  return id;
}

/** resourceDockerNetworkDelete L110-135 with RemoveRefreshFunc L205-225: retried while "has active endpoints". */
export async function deleteNetwork(api: EngineApi, id: string): Promise<void> {
  await waitForState({
    pending: ["pending"],
    target: ["removed"],
    timeoutMs: 30_000,
    minTimeoutMs: 5_000,
    delayMs: 2_000,
    refresh: async () => {
      try {
        await api.networkInspect(id);
      } catch {
        return { result: id, state: "removed" };
      }
      try {
        await api.networkRemove(id);
      } catch (err) {
        const msg = err instanceof EngineCallError ? err.engineMessage : (err as Error).message;
        if (msg.includes("has active endpoints")) return { result: id, state: "pending" };
        throw err;
      }
      return { result: id, state: "removed" };
    },
  });
}
