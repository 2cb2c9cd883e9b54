/** The JSON-line protocol between SpeakerProcess (test side) and speaker-runner.ts (in the namespace). */

/** A local route in JSON form (LocalRoute of @portlb/bgp; large communities as objects). */
export interface RunnerLocalRoute {
  readonly prefix: string;
  readonly nextHop?: string;
  readonly origin?: 0 | 1 | 2;
  readonly asPath?: readonly number[];
  readonly med?: number;
  readonly localPref?: number;
  /** RFC 1997 communities as 32-bit numbers (asn << 16 | value). */
  readonly communities?: readonly number[];
  readonly largeCommunities?: readonly {
    readonly globalAdmin: number;
    readonly localData1: number;
    readonly localData2: number;
  }[];
}

export type RunnerCommand = { readonly id: number } & (
  | { readonly cmd: "announce"; readonly route: RunnerLocalRoute }
  | { readonly cmd: "withdraw"; readonly prefix: string }
  | { readonly cmd: "set"; readonly routes: readonly RunnerLocalRoute[] }
  | { readonly cmd: "routes"; readonly prefix?: string }
  | { readonly cmd: "neighbors" }
  | { readonly cmd: "refresh"; readonly neighbor: string }
  | { readonly cmd: "stop"; readonly message?: string }
);

/** One Loc-RIB path as the runner reports it (notation of test/harness BgpRoute). */
export interface RunnerRoute {
  readonly prefix: string;
  readonly best: boolean;
  readonly peer: string;
  readonly nextHop: string | undefined;
  readonly origin: "igp" | "egp" | "incomplete" | undefined;
  readonly asPath: readonly number[];
  readonly localPref: number | undefined;
  readonly med: number | undefined;
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly stale: boolean;
}

export interface RunnerNotification {
  readonly code: number;
  readonly subcode: number;
  readonly data: string;
  readonly shutdownCommunication?: string;
}

/** NeighborStatus of @portlb/bgp after a JSON round trip. */
export interface RunnerNeighbor {
  readonly address: string;
  readonly state: string;
  readonly prefixesReceived: number;
  readonly prefixesAdvertised: number;
  readonly updatesReceived: number;
  readonly updatesSent: number;
  readonly lastError:
    | {
        readonly event: string;
        readonly sent?: RunnerNotification;
        readonly received?: RunnerNotification;
      }
    | undefined;
}
