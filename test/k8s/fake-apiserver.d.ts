import { SliceStore } from "./slice-store.js";
export interface RecordedRequest {
  readonly path: string;
  readonly watch: boolean;
  readonly query: Readonly<Record<string, string>>;
}
export interface FakeApiServerOptions {
  /** If set, requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** How a watch from a compacted resourceVersion is refused. Default "event". */
  readonly tooOldWatch?: "event" | "http";
}
export declare class FakeApiServer {
  #private;
  readonly store: SliceStore;
  readonly requests: RecordedRequest[];
  private constructor();
  static start(options?: FakeApiServerOptions): Promise<FakeApiServer>;
  get url(): string;
  /** The number of watch streams currently open. */
  get activeWatches(): number;
  /** Requests seen, filtered: `lists()` and `watchRequests()`. */
  lists(): RecordedRequest[];
  watchRequests(): RecordedRequest[];
  /** Answers every request with this HTTP status (e.g. 500, 503), until `heal()`. */
  failWith(code: number): void;
  heal(): void;
  /** Sends a BOOKMARK at the current resourceVersion to watches that asked for bookmarks. */
  sendBookmarks(): void;
  /** Compacts history and tells running watches their resourceVersion expired (ERROR 410, then end). */
  expireWatches(): void;
  /** Ends every watch stream cleanly (as the server does when `timeoutSeconds` expires). */
  endWatches(): void;
  /** Cuts every watch connection abruptly (TCP close mid-stream, no final chunk). */
  dropWatches(): void;
  /** An outage: stop listening and cut every connection. */
  goDown(): Promise<void>;
  /** Listens again on the same port after `goDown`. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}
/** A kubeconfig (YAML) pointing at the fake server, with a bearer token. */
export declare function kubeconfigFor(server: FakeApiServer, token?: string): string;
