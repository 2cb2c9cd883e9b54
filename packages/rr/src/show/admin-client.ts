/**
 * The CLI's side of the admin API: `--admin http://127.0.0.1:50179`,
 * `--admin unix:/run/ts-rr/admin.sock` (or a bare absolute path) -> GET a
 * path -> parsed JSON. A typed local error for an unreachable daemon or an
 * error answer, never a stack trace for the operator.
 */
import { request } from "node:http";
import { type Endpoint, parseEndpoint } from "../config/listen-address.js";

export const DefaultAdminUrl = "http://127.0.0.1:50179";

export class AdminClientError extends Error {
  override readonly name = "AdminClientError";
  readonly code = "ERR_RR_ADMIN";
}

/** `http://host:port`, `unix:/path`, `/path` or `host:port` -> endpoint. @throws AdminClientError */
export function parseAdminUrl(text: string): Endpoint {
  const bare = text.startsWith("http://") ? text.slice("http://".length).replace(/\/$/, "") : text;
  const endpoint = parseEndpoint(bare);
  if (endpoint === null)
    throw new AdminClientError(
      `--admin: not an admin address: ${JSON.stringify(text)} (http://127.0.0.1:50179 or unix:/path)`,
    );
  return endpoint;
}

/** GETs `path` from the admin API and parses the JSON answer. @throws AdminClientError */
export function getJson(endpoint: Endpoint, path: string, timeoutMs = 5000): Promise<unknown> {
  const target =
    endpoint.kind === "unix" ? { socketPath: endpoint.path } : { host: endpoint.host, port: endpoint.port };
  const where = endpoint.kind === "unix" ? `unix:${endpoint.path}` : `${endpoint.host}:${endpoint.port}`;
  return new Promise((resolve, reject) => {
    const req = request({ ...target, path, method: "GET", timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          reject(new AdminClientError(`admin API at ${where}: not JSON (HTTP ${res.statusCode ?? "?"})`));
          return;
        }
        if (res.statusCode !== 200) {
          const message =
            typeof body === "object" && body !== null && "error" in body ? String(body.error) : text.trim();
          reject(new AdminClientError(`admin API at ${where}: HTTP ${res.statusCode ?? "?"}: ${message}`));
          return;
        }
        resolve(body);
      });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (err) =>
      reject(new AdminClientError(`cannot reach the ts-rr admin API at ${where}: ${err.message}`)),
    );
    req.end();
  });
}
