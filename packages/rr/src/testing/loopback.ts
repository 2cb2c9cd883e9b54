/**
 * Test support (not built into dist): real @portlb/bgp speakers on
 * loopback addresses (127.0.0.0/8 only, per the test address plan), a
 * polling `until`, and a Prometheus text-exposition reader. Every speaker
 * started here is stopped by `stopAll`, also when a test fails.
 */
import { createSpeaker, type Speaker, type SpeakerOptions } from "@portlb/bgp";

const running: Speaker[] = [];

export async function startSpeaker(opts: SpeakerOptions): Promise<Speaker> {
  const s = createSpeaker(opts);
  running.push(s);
  await s.start();
  return s;
}

export async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An LB speaker at `localAddress` that peers with the reflector and may announce routes. */
export function lbSpeaker(
  n: number,
  localAddress: string,
  rr: { address: string; port: number },
): Promise<Speaker> {
  return startSpeaker({
    localAs: 65001,
    routerId: `198.19.0.${n}`,
    neighbors: [{ address: rr.address, asn: 65001, port: rr.port, localAddress, connectRetryTime: 1 }],
  });
}

/** The value of one sample in a Prometheus text exposition, labels in any order; undefined if absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const have = new Map<string, string>();
    for (const m of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      have.set(m[1] ?? "", m[2] ?? "");
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}
