/**
 * TCP connect health probe: healthy if a connection is established within
 * the timeout; the socket is closed at once (no payload is sent).
 */
import { connect } from "node:net";
import { type CheckResult, checkErrorOf, type Probe, type ProbeTarget } from "./probe.js";

export function checkTcp(target: ProbeTarget, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  return new Promise((resolve) => {
    let settled = false;
    const socket = connect({ host: target.address, port: target.port });
    const finish = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          latencyMs: elapsed(),
          error: { code: "TIMEOUT", message: `no connection within ${timeoutMs} ms` },
        }),
      timeoutMs,
    );
    socket.once("connect", () => finish({ ok: true, latencyMs: elapsed() }));
    socket.on("error", (error) => finish({ ok: false, latencyMs: elapsed(), error: checkErrorOf(error) }));
  });
}

export const tcpProbe: Probe = checkTcp;
