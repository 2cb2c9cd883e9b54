/**
 * `pnpm fuzz --seconds N [--seed S]`: runs the codec fuzz properties until
 * the time is up, in rounds, and prints a machine-readable summary line.
 * Exits 1 with the counterexample (and seed, to replay) on the first failure.
 */
import { parseArgs } from "node:util";
import fc from "fast-check";
import { loadHexDir } from "../vectors/hex.js";
import { decodeOrTypedError, mutatedMessage, mutatedSeed, randomFrame } from "./fuzz-target.js";

const { values } = parseArgs({
  // `pnpm fuzz -- --seconds N` passes the "--" through: drop it.
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: { seconds: { type: "string", default: "60" }, seed: { type: "string" } },
  allowPositionals: true,
});
const seconds = Number(values.seconds);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error("usage: pnpm fuzz --seconds N [--seed S]");
  process.exit(2);
}
const seeds = [...loadHexDir(new URL("../vectors/golden", import.meta.url).pathname).values()];
const sources = [randomFrame, mutatedMessage, mutatedSeed(seeds)];
const deadline = Date.now() + seconds * 1000;
let seed = values.seed === undefined ? Date.now() >>> 0 : Number(values.seed);
let cases = 0;
const outcomes = { decoded: 0, "wire-error": 0 };
while (Date.now() < deadline) {
  for (const source of sources) {
    const result = fc.check(
      fc.property(source, ({ bytes, ctx }) => {
        outcomes[decodeOrTypedError(bytes, ctx)]++;
      }),
      { numRuns: 5000, seed },
    );
    cases += result.numRuns;
    if (result.failed) {
      console.error(fc.defaultReportMessage(result));
      console.error(`replay: pnpm fuzz --seconds 1 --seed ${seed}`);
      process.exit(1);
    }
  }
  seed = (seed + 1) >>> 0;
}
console.log(
  `fuzz cases=${cases} decoded=${outcomes.decoded} wire_errors=${outcomes["wire-error"]} seconds=${seconds}`,
);
