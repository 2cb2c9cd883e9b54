/**
 * Compiles a bench entry (and the sources it imports) to plain JavaScript
 * in a private directory, so that a measured process runs as it would in
 * production: `node file.js`, without the tsx loader (whose worker thread
 * alone adds ~30 MB of RSS and would be billed to the target).
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, relative } from "node:path";

const packageRoot = new URL("..", import.meta.url).pathname;
const tsc = new URL("../../../node_modules/.bin/tsc", import.meta.url).pathname;

export interface CompiledEntry {
  /** The compiled entry, for `node <file>`. */
  readonly file: string;
  /** Removes the compiled tree. */
  dispose(): void;
}

/** `entry` is a .ts file under packages/bgp; the output lives in packages/bgp/.bench-build/<pid>. */
export function compileForBench(entry: string): CompiledEntry {
  // Inside the package, so that node resolves its dependencies from packages/bgp/node_modules.
  const outDir = join(packageRoot, ".bench-build", String(process.pid));
  execFileSync(
    tsc,
    [
      "--ignoreConfig",
      ...["--outDir", outDir, "--rootDir", packageRoot],
      ...["--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--lib", "es2023"],
      ...["--types", "node", "--skipLibCheck"],
      entry,
    ],
    { stdio: "inherit" },
  );
  return {
    file: join(outDir, relative(packageRoot, entry)).replace(/\.ts$/, ".js"),
    dispose: () => rmSync(outDir, { recursive: true, force: true }),
  };
}
