/**
 * The TCP and HTTP(S) probes against real servers this test starts on
 * 127.0.0.1 / ::1: a listening socket, a closed port, HTTP servers answering
 * 200 / 500 / nothing at all / a cut connection, and HTTPS with a throwaway
 * self-signed certificate. Probes resolve (never throw) with error codes.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer as createHttpServer, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { checkHttp } from "./http-checker.js";
import { checkTcp } from "./tcp-checker.js";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen<T extends Server | TcpServer>(server: T, host = "127.0.0.1"): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A port on 127.0.0.1 that nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe("checkTcp", () => {
  it("succeeds against a listening socket, on IPv4 and IPv6 loopback", async () => {
    const port4 = await listen(createTcpServer((s) => s.destroy()));
    const ok4 = await checkTcp({ address: "127.0.0.1", port: port4 }, 1000);
    expect(ok4.ok).toBe(true);
    expect(ok4.latencyMs).toBeGreaterThanOrEqual(0);
    const port6 = await listen(
      createTcpServer((s) => s.destroy()),
      "::1",
    );
    expect((await checkTcp({ address: "::1", port: port6 }, 1000)).ok).toBe(true);
  });

  it("fails with ECONNREFUSED against a closed port", async () => {
    const result = await checkTcp({ address: "127.0.0.1", port: await closedPort() }, 1000);
    expect(result).toMatchObject({ ok: false, error: { code: "ECONNREFUSED" } });
  });
});

describe("checkHttp", () => {
  const options = { scheme: "http" as const, path: "/healthz", expectedStatus: [200] };

  const httpServer = (handler: (path: string, res: ServerResponse) => void): Server =>
    createHttpServer((req, res) => handler(req.url ?? "", res));

  it("succeeds on an expected status and reports it, with the path and Host header sent", async () => {
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(`${req.url} ${req.headers.host}`);
      res.end("ok");
    });
    const port = await listen(server);
    const result = await checkHttp({ address: "127.0.0.1", port }, 1000, options);
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(seen).toEqual(["/healthz 127.0.0.1"]);
  });

  it("fails with UNEXPECTED_STATUS on a 500, unless 500 is expected", async () => {
    const port = await listen(httpServer((_p, res) => res.writeHead(500).end()));
    const bad = await checkHttp({ address: "127.0.0.1", port }, 1000, options);
    expect(bad).toMatchObject({ ok: false, status: 500, error: { code: "UNEXPECTED_STATUS" } });
    const fine = await checkHttp({ address: "127.0.0.1", port }, 1000, {
      ...options,
      expectedStatus: [200, 500],
    });
    expect(fine.ok).toBe(true);
  });

  it("times out against a server that never answers", async () => {
    const port = await listen(httpServer(() => {}));
    const started = performance.now();
    const result = await checkHttp({ address: "127.0.0.1", port }, 100, options);
    expect(result).toMatchObject({ ok: false, error: { code: "TIMEOUT" } });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("fails cleanly on a refused connection and on a connection cut before the response", async () => {
    const refused = await checkHttp({ address: "127.0.0.1", port: await closedPort() }, 1000, options);
    expect(refused).toMatchObject({ ok: false, error: { code: "ECONNREFUSED" } });
    const port = await listen(createTcpServer((s) => s.destroy()));
    const cut = await checkHttp({ address: "127.0.0.1", port }, 1000, options);
    expect(cut).toMatchObject({ ok: false, error: { code: "ECONNRESET" } });
  });

  it("checks HTTPS backends with self-signed certificates (verification off by default)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lb-agent-tls-"));
    closers.push(() => rm(dir, { recursive: true, force: true }));
    await promisify(execFile)("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=backend.test",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    const server = createHttpsServer(
      { key: await readFile(join(dir, "key.pem")), cert: await readFile(join(dir, "cert.pem")) },
      (_req, res) => res.end("ok"),
    );
    const port = await listen(server);
    const https = { ...options, scheme: "https" as const };
    expect(await checkHttp({ address: "127.0.0.1", port }, 2000, https)).toMatchObject({
      ok: true,
      status: 200,
    });
    const strict = await checkHttp({ address: "127.0.0.1", port }, 2000, {
      ...https,
      rejectUnauthorized: true,
    });
    expect(strict).toMatchObject({ ok: false, error: { code: "DEPTH_ZERO_SELF_SIGNED_CERT" } });
  });
});
