/**
 * docker.Volume: terraform-provider-docker v4.5.0 internal/provider/resource_docker_volume.go
 * (cited `volume.go L<a>-<b>`). HEAD 83c00e0b is identical. The provider's ID of a volume is
 * its name (L284), which is what a service mount's `source` names.
 */
import type { EngineApi } from "./api";
import { EngineCallError } from "./api";
import type { VolumeCreateRequest } from "./engine-types";
import { InputReader } from "./inputs";
import { waitForState } from "./state-change";

const nonEmpty = <T extends object>(o: T | undefined): T | undefined => (o && Object.keys(o).length > 0 ? o : undefined);

/** resourceDockerVolumeCreate L166-286 (the create options). */
export function mapVolume(r: InputReader, name: string, apiVersion: string): VolumeCreateRequest {
  // L188-191: a cluster block needs client API 1.42 (a string comparison); this engine's is lower or equal.
  if (r.obj("cluster") && apiVersion < "1.42")
    r.fail(
      "cluster",
      `You have supplied a 'cluster' block for your docker_volume resource. This is supported starting with client version '1.42', but you have ${apiVersion}`,
    );
  if (r.obj("cluster")) r.fail("cluster", "cluster volumes (CSI) are not applied on the test engine");
  return {
    // L174-185: name, labels, driver, driver_opts via d.GetOk.
    Name: name,
    Labels: nonEmpty(r.labels("labels")),
    Driver: r.str("driver") || undefined,
    DriverOpts: nonEmpty(r.stringMap("driverOpts")),
  };
}

/** Create (L277-285); the read after it (L288-360) is a plain inspect. Returns the volume's name (its provider ID). */
export async function createVolume(api: EngineApi, body: VolumeCreateRequest): Promise<string> {
  try {
    const v = await api.volumeCreate(body);
    await api.volumeInspect(v.Name);
    return v.Name;
  } catch (err) {
    throw new Error(`Unable to create volume: ${(err as Error).message}`, { cause: err });
  }
}

/** resourceDockerVolumeDelete L362-386 with RemoveRefreshFunc L429-445: force-remove, retried while "volume is in use". */
export async function deleteVolume(api: EngineApi, name: string): Promise<void> {
  await waitForState({
    pending: ["in_use"],
    target: ["removed"],
    timeoutMs: 30_000,
    minTimeoutMs: 5_000,
    delayMs: 2_000,
    refresh: async () => {
      try {
        await api.volumeRemove(name);
      } catch (err) {
        const msg = err instanceof EngineCallError ? err.engineMessage : (err as Error).message;
        if (msg.includes("volume is in use")) return { result: name, state: "in_use" };
        throw err;
      }
      return { result: name, state: "removed" };
    },
  });
}
