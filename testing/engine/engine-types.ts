/**
 * The Engine API (v1.41) request bodies the applier sends, field for field as the Go client
 * (github.com/docker/docker v28.5.2, which provider v4.5.0 builds with) marshals them: Go's
 * `omitempty` drops zero scalars, nil pointers and empty slices/maps, but keeps a non-nil
 * pointer to an empty struct as `{}`. Builders therefore leave a key out exactly where Go
 * would, and send `{}` where the provider allocates an empty struct.
 */

export type Labels = Record<string, string>;

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface FileTarget {
  Name: string;
  UID: string;
  GID: string;
  Mode: number;
}

export interface SecretReference {
  File: FileTarget;
  SecretID: string;
  SecretName?: string;
}

export interface ConfigReference {
  File: FileTarget;
  ConfigID: string;
  ConfigName?: string;
}

export interface Mount {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Labels; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface ContainerSpec {
  Image?: string;
  Labels?: Labels;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  Privileges?: {
    CredentialSpec?: { File?: string; Registry?: string };
    SELinuxContext?: { Disable?: boolean; User?: string; Role?: string; Type?: string; Level?: string };
  };
  Init?: boolean;
  StopSignal?: string;
  ReadOnly?: boolean;
  Mounts?: Mount[];
  StopGracePeriod?: number;
  Healthcheck?: HealthConfig;
  Hosts?: string[];
  DNSConfig?: { Nameservers?: string[]; Search?: string[]; Options?: string[] };
  Secrets?: SecretReference[];
  Configs?: ConfigReference[];
  Isolation?: string;
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
}

export interface GenericResource {
  NamedResourceSpec?: { Kind: string; Value: string };
  DiscreteResourceSpec?: { Kind: string; Value: number };
}

export interface TaskSpec {
  ContainerSpec?: ContainerSpec;
  Resources?: {
    Limits?: { NanoCPUs?: number; MemoryBytes?: number };
    Reservations?: { NanoCPUs?: number; MemoryBytes?: number; GenericResources?: GenericResource[] };
  };
  RestartPolicy?: { Condition?: string; Delay?: number; MaxAttempts?: number; Window?: number };
  Placement?: {
    Constraints?: string[];
    Preferences?: { Spread: { SpreadDescriptor: string } }[];
    MaxReplicas?: number;
    Platforms?: { Architecture: string; OS: string }[];
  };
  Networks?: { Target: string; Aliases?: string[]; DriverOpts?: Record<string, string> }[];
  LogDriver?: { Name?: string; Options?: Record<string, string> };
  ForceUpdate?: number;
  Runtime?: string;
}

export interface UpdateConfig {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: string;
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: string;
}

export interface PortConfig {
  Name?: string;
  Protocol?: string;
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: string;
}

export interface ServiceSpec {
  Name: string;
  Labels?: Labels;
  TaskTemplate: TaskSpec;
  Mode: { Replicated?: { Replicas?: number }; Global?: Record<string, never> };
  UpdateConfig?: UpdateConfig;
  RollbackConfig?: UpdateConfig;
  EndpointSpec?: { Mode?: string; Ports?: PortConfig[] };
}

export interface NetworkCreateRequest {
  Name: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  IPAM?: {
    Driver?: string;
    Config?: { Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }[];
    Options?: Record<string, string>;
  };
  Options?: Record<string, string>;
  Labels?: Labels;
}

export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Labels;
}

/** SecretSpec / ConfigSpec: `Data` is []byte, which Go's JSON encodes as standard base64. */
export interface DataSpec {
  Name: string;
  Labels?: Labels;
  Data: string;
}

/** What the applier reads back (subset of GET /services/{id}, /tasks, /nodes). */
export interface ServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  Endpoint?: { Spec?: { Mode?: string } };
  UpdateStatus?: { State?: string; Message?: string };
}

export interface TaskInfo {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  Slot?: number;
  DesiredState: string;
  Status: { State: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
}
