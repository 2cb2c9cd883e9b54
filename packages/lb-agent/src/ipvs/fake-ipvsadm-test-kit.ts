/**
 * A counting fake `ipvsadm` / `ipvsadm-save` pair for tests and the
 * benchmark, put first on PATH: every invocation appends its arguments to a
 * calls file (one line per process), `--restore` input is appended to a
 * scripts file, and the kernel table always reads as empty (the fake keeps
 * no state). Lets a test count ipvsadm PROCESSES per reconcile on a machine
 * without IPVS.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface FakeIpvsadm {
  /** Put this first on PATH. */
  readonly binDir: string;
  readonly callsFile: string;
  readonly scriptsFile: string;
  /** Every invocation so far: `ipvsadm --restore`, `ipvsadm-save -n`, ... */
  calls(): Promise<string[]>;
}

export async function writeFakeIpvsadm(dir: string): Promise<FakeIpvsadm> {
  const binDir = join(dir, "fake-bin");
  const callsFile = join(dir, "ipvsadm.calls");
  const scriptsFile = join(dir, "ipvsadm.scripts");
  await mkdir(binDir, { recursive: true });
  await writeFile(callsFile, "");
  await writeFile(scriptsFile, "");
  await writeFile(
    join(binDir, "ipvsadm"),
    `#!/bin/sh
echo "ipvsadm $*" >>'${callsFile}'
case "$*" in
  --restore) cat >>'${scriptsFile}' ;;
  "-L -n --thresholds --nosort")
    echo "IP Virtual Server version 1.2.1 (size=4096)"
    echo "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn"
    echo "  -> RemoteAddress:Port" ;;
  *) echo "fake ipvsadm: unsupported: $*" >&2; exit 2 ;;
esac
`,
  );
  await writeFile(join(binDir, "ipvsadm-save"), `#!/bin/sh\necho "ipvsadm-save $*" >>'${callsFile}'\n`);
  await chmod(join(binDir, "ipvsadm"), 0o755);
  await chmod(join(binDir, "ipvsadm-save"), 0o755);
  return {
    binDir,
    callsFile,
    scriptsFile,
    calls: async () => (await readFile(callsFile, "utf8")).split("\n").filter((l) => l !== ""),
  };
}
