/**
 * Runs one @portlb/bgp speaker in this process (started by SpeakerProcess
 * under `ip netns exec`), driven by JSON lines on stdin and answering JSON
 * lines on stdout. Test code only: it reads the speaker's public engine to
 * report attributes that `routes()` does not list (origin, large communities).
 *
 *   argv[2]: the speaker config as JSON (RunnerConfig)
 *   stdin:   {"id":1,"cmd":"announce","route":{...}} | withdraw {prefix} |
 *            routes {prefix?} | neighbors | refresh {neighbor} | stop {message?}
 *   stdout:  {"id":1,"ok":true,"result":...} | {"id":1,"ok":false,"error":"..."} |
 *            {"event":"neighbor","status":{...}} | {"event":"ready"}
 */
import { createInterface } from "node:readline";
import {
  accept,
  createSpeaker,
  type ImportPolicy,
  type LocalRoute,
  type PolicyConfig,
  prefixKeyToText,
  type SpeakerConfig,
  samePath,
} from "@portlb/bgp";
import type { RunnerCommand, RunnerRoute } from "./runner-protocol.js";

const config = JSON.parse(process.argv[2] ?? "{}") as SpeakerConfig;
const acceptAllPolicies = (): Record<string, PolicyConfig> =>
  Object.fromEntries(
    (config.neighbors ?? []).map((n) => [n.address, { import: "accept", export: "accept" }]),
  );
let policies: Record<string, PolicyConfig> = acceptAllPolicies();
const speaker = createSpeaker({ ...config, policies });

function write(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v,
    )}\n`,
  );
}

speaker.on("neighbor", (status) => write({ event: "neighbor", status }));

const origins = ["igp", "egp", "incomplete"] as const;

function routes(prefix: string | undefined): RunnerRoute[] {
  const rib = speaker.engine.locRib;
  const out: RunnerRoute[] = [];
  for (const key of rib.keys()) {
    const text = prefixKeyToText(key);
    if (prefix !== undefined && prefix !== text) continue;
    const best = rib.best(key);
    for (const p of rib.candidates(key)) {
      const a = p.attrs.attrs;
      out.push({
        prefix: text,
        best: samePath(p, best),
        peer: p.peer.local ? "local" : p.peer.address,
        nextHop: a.nextHop,
        origin: a.origin === undefined ? undefined : origins[a.origin],
        asPath: (a.asPath ?? []).flatMap((s) => s.asns),
        localPref: a.localPref,
        med: a.med,
        communities: (a.communities ?? []).map((c) => `${c >>> 16}:${c & 0xffff}`),
        largeCommunities: (a.largeCommunities ?? []).map(
          (c) => `${c.globalAdmin}:${c.localData1}:${c.localData2}`,
        ),
        stale: p.stale,
      });
    }
  }
  return out;
}

async function handle(c: RunnerCommand): Promise<unknown> {
  switch (c.cmd) {
    case "announce":
      speaker.announce(c.route as LocalRoute);
      return null;
    case "withdraw":
      speaker.withdraw(c.prefix);
      return null;
    case "set":
      speaker.setAnnouncements(c.routes as LocalRoute[]);
      return null;
    case "routes":
      return routes(c.prefix);
    case "neighbors":
      return speaker.neighbors();
    case "refresh": {
      // A new import policy (a fresh function) for one neighbor: the speaker asks it for a ROUTE-REFRESH.
      const fresh: ImportPolicy = () => accept;
      policies = { ...policies, [c.neighbor]: { import: fresh, export: "accept" } };
      return speaker.reconfigure({ ...config, policies });
    }
    case "stop":
      await speaker.stop(c.message);
      return null;
  }
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  if (line.trim() === "") return;
  const c = JSON.parse(line) as RunnerCommand;
  handle(c).then(
    (result) => {
      write({ id: c.id, ok: true, result });
      if (c.cmd === "stop") setTimeout(() => process.exit(0), 50);
    },
    (err: unknown) => write({ id: c.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
rl.on("close", () => {
  void speaker.stop("runner stdin closed").then(() => process.exit(0));
});

await speaker.start();
write({ event: "ready" });
