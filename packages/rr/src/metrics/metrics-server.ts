/**
 * The Prometheus scrape endpoint: `GET /metrics` on its own address
 * (default 127.0.0.1:9179), separate from the admin API so it can be opened
 * to a scraper without opening the admin API.
 */
import { createServer } from "node:http";
import type { Logger } from "pino";
import type { Endpoint } from "../config/listen-address.js";
import { closeServer, listenOn } from "../http-endpoint.js";
import { RrLogEvent } from "../log-events.js";
import type { RrMetrics } from "./rr-metrics.js";

export interface MetricsServer {
  readonly endpoint: Endpoint;
  close(): Promise<void>;
}

export async function startMetricsServer(
  metrics: RrMetrics,
  endpoint: Endpoint,
  logger: Logger,
): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://metrics").pathname;
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: try GET /metrics\n");
      return;
    }
    metrics.exposition().then(
      (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
      (err: unknown) => {
        logger.error({ event: RrLogEvent.metricsFailed, err }, "metrics exposition failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n");
      },
    );
  });
  const bound = await listenOn(server, endpoint);
  return { endpoint: bound, close: () => closeServer(server) };
}
