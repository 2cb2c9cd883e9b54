/**
 * HTTP(S) GET health probe: healthy if the response status is one of the
 * expected ones within the timeout (headers only: the body is discarded).
 * One overall deadline covers connect, TLS, request and response headers.
 * No connection reuse (each probe tests connect as well), and by default no
 * certificate verification: backends are pod IPs, whose certificates rarely
 * name them; set `rejectUnauthorized` to verify.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { type CheckResult, checkErrorOf, type Probe, type ProbeTarget } from "./probe.js";

export interface HttpCheckOptions {
  readonly scheme: "http" | "https";
  readonly path: string;
  readonly expectedStatus: readonly number[];
  /** The Host header; default the target address. */
  readonly host?: string;
  readonly rejectUnauthorized?: boolean;
}

export function checkHttp(
  target: ProbeTarget,
  timeoutMs: number,
  options: HttpCheckOptions,
): Promise<CheckResult> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 1000) / 1000;
  return new Promise((resolve) => {
    let settled = false;
    const request = options.scheme === "https" ? httpsRequest : httpRequest;
    const req = request({
      host: target.address,
      port: target.port,
      path: options.path,
      method: "GET",
      agent: false,
      headers: {
        host: options.host ?? (target.address.includes(":") ? `[${target.address}]` : target.address),
        "user-agent": "portlb-lb-agent-healthcheck",
        connection: "close",
      },
      ...(options.scheme === "https" ? { rejectUnauthorized: options.rejectUnauthorized ?? false } : {}),
    });
    const finish = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          latencyMs: elapsed(),
          error: { code: "TIMEOUT", message: `no response within ${timeoutMs} ms` },
        }),
      timeoutMs,
    );
    req.once("response", (res: IncomingMessage) => {
      res.on("error", () => {});
      res.resume();
      const status = res.statusCode ?? 0;
      if (options.expectedStatus.includes(status)) finish({ ok: true, latencyMs: elapsed(), status });
      else
        finish({
          ok: false,
          latencyMs: elapsed(),
          status,
          error: {
            code: "UNEXPECTED_STATUS",
            message: `status ${status}, expected ${options.expectedStatus.join(" or ")}`,
          },
        });
    });
    req.on("error", (error) => finish({ ok: false, latencyMs: elapsed(), error: checkErrorOf(error) }));
    req.end();
  });
}

export function httpProbe(options: HttpCheckOptions): Probe {
  return (target, timeoutMs) => checkHttp(target, timeoutMs, options);
}
