/**
 * The 1,000-dynamic-peers part of `pnpm bench:rr`: ts-rr listening with a
 * dynamic range of 127.11.0.0/20, `count` sessions opened at once from
 * distinct loopback addresses (one receiver child process); the time until
 * every one is Established (the sessions' own view, then ts-rr's /healthz)
 * and ts-rr's peak RSS.
 */
import http from "node:http";
import {
  exitOf,
  procStatusKb,
  removeDir,
  sleep,
  stop,
  tempDir,
  track,
  withTimeout,
} from "./bench-processes.js";
import { type Receivers, startReceivers } from "./receiver-process.js";
import { startTsRr, tsRrAdmin, tsRrConfig } from "./reflectors.js";

const peersRr = "127.0.13.1";
const peersRange = "127.11.0.0/20";
const peersFirst = "127.11.0.1";

function get(host: string, port: number, path: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        body += d;
      });
      res.on("end", () => {
        try {
          resolve(JSON.parse(body));
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
  });
}

interface Health {
  readonly bgpListening?: readonly unknown[];
  readonly neighbors?: number;
  readonly established?: number;
}

/** ts-rr with a dynamic range, `count` sessions opened at once from distinct addresses. */
export async function runPeers(
  count: number,
  timeoutMs: number,
): Promise<{ seconds: number; peakKb: number; rssKb: number; established: number }> {
  const dir = tempDir("peers");
  const daemon = track(
    startTsRr(
      dir,
      tsRrConfig({
        address: peersRr,
        ranges: [{ name: "pods", prefixes: [peersRange], maxPeers: Math.max(1024, count) }],
      }),
    ),
  );
  const died = exitOf("ts-rr", daemon, dir, "ts-rr.log");
  died.catch(() => undefined);
  const admin = tsRrAdmin(peersRr);
  let receivers: Receivers | undefined;
  try {
    // Wait until ts-rr listens, so the clock measures sessions, not start-up.
    await withTimeout(
      "ts-rr admin API",
      60_000,
      Promise.race([
        died,
        (async () => {
          for (;;) {
            const h = (await get(admin.host, admin.port, "/healthz").catch(() => ({}))) as Health;
            if ((h.bgpListening?.length ?? 0) > 0) return;
            await sleep(100);
          }
        })(),
      ]),
    );
    receivers = startReceivers(dir, {
      host: peersRr,
      port: 11790,
      source: peersFirst,
      count,
      expect: 0,
      connectTimeoutMs: timeoutMs,
    });
    const started = await withTimeout("peer sessions start", 60_000, receivers.started);
    const r = receivers;
    const ready = await withTimeout(
      `${count} dynamic peers Established`,
      timeoutMs,
      Promise.race([r.ready, died]),
    ).catch((err: Error) => {
      throw new Error(`${err.message} (${r.established()} of ${count} up)`);
    });
    const health = (await get(admin.host, admin.port, "/healthz")) as Health;
    const pid = daemon.pid!;
    return {
      seconds: Number(ready - started) / 1e9,
      peakKb: procStatusKb(pid, "VmHWM"),
      rssKb: procStatusKb(pid, "VmRSS"),
      established: health.established ?? 0,
    };
  } finally {
    if (receivers !== undefined) await stop(receivers.child);
    await stop(daemon, 5000);
    removeDir(dir);
  }
}
