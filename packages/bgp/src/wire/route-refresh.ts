// PLACEHOLDER — to be replaced by the ROUTE-REFRESH implementation.
import type { RouteRefreshMessage } from "./messages.js";
export function decodeRouteRefresh(_frame: Uint8Array): RouteRefreshMessage {
  throw new Error("not implemented");
}
export function encodeRouteRefresh(_msg: RouteRefreshMessage): Uint8Array {
  throw new Error("not implemented");
}
