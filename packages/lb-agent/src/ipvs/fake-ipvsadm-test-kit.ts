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

/**
 * A STATEFUL fake ipvsadm for tests that run the real `IpvsadmCli` through
 * whole reconcile loops on a machine without IPVS: `ipvsadm --restore`
 * applies its stdin to a table kept in a JSON file, with the kernel's rules
 * (adding what exists or editing/deleting what does not prints an error on
 * stderr and the batch goes on, as ipvsadm does), and the table reads back in
 * the real tools' formats: `ipvsadm-save -n` (real servers sorted) and
 * `ipvsadm -L -n --thresholds --nosort` (the kernel's order: newest first).
 * Only what lb-agent's masquerading TCP services use is understood
 * (`-t`, `-s`, `-b`, `-r`, `-m`, `-w`, `-x`, `-y`); anything else exits 2 with
 * "unsupported", so a test cannot pass on input the fake does not model.
 * A standalone Node script: it shares no code with the parser or the
 * renderer it feeds, so it cannot inherit their bugs.
 */
export async function writeStatefulFakeIpvsadm(dir: string): Promise<FakeIpvsadm> {
  const binDir = join(dir, "fake-bin");
  const callsFile = join(dir, "ipvsadm.calls");
  const scriptsFile = join(dir, "ipvsadm.scripts");
  const stateFile = join(dir, "ipvsadm.state.json");
  await mkdir(binDir, { recursive: true });
  await writeFile(callsFile, "");
  await writeFile(scriptsFile, "");
  await writeFile(stateFile, "[]");
  const script = `#!${process.execPath}
const fs = require("node:fs");
const tool = ${JSON.stringify("__TOOL__")};
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(callsFile)}, tool + " " + args.join(" ") + "\\n");
const stateFile = ${JSON.stringify(stateFile)};
const services = JSON.parse(fs.readFileSync(stateFile, "utf8"));
const die = (msg) => { process.stderr.write(msg + "\\n"); process.exit(2); };
const num = (a) => { const [h, p] = a.split(":"); return h.split(".").reduce((n, o) => n * 256 + Number(o), 0) * 65536 + Number(p); };
const byAddr = (a, b) => num(a) - num(b);
if (tool === "ipvsadm-save") {
  if (args.join(" ") !== "-n") die("fake ipvsadm-save: unsupported: " + args.join(" "));
  let out = "";
  for (const s of [...services].sort((a, b) => byAddr(a.key, b.key))) {
    out += "-A -t " + s.key + " -s " + s.scheduler + (s.flags ? " -b " + s.flags : "") + "\\n";
    for (const r of [...s.servers].sort((a, b) => byAddr(a.address, b.address)))
      out += "-a -t " + s.key + " -r " + r.address + " -m -w " + r.weight + "\\n";
  }
  process.stdout.write(out);
  process.exit(0);
}
if (args.join(" ") === "-L -n --thresholds --nosort") {
  let out = "IP Virtual Server version 1.2.1 (size=4096)\\n" +
    "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn\\n" +
    "  -> RemoteAddress:Port\\n";
  for (const s of services) {
    out += "TCP  " + s.key + " " + s.scheduler + (s.flags ? " (" + s.flags + ")" : "") + "\\n";
    for (const r of [...s.servers].reverse())
      out += "  -> " + r.address.padEnd(28) + String(r.x).padEnd(11) + String(r.y).padEnd(11) + "0          0\\n";
  }
  process.stdout.write(out);
  process.exit(0);
}
if (args.join(" ") !== "--restore") die("fake ipvsadm: unsupported: " + args.join(" "));
const input = fs.readFileSync(0, "utf8");
fs.appendFileSync(${JSON.stringify(scriptsFile)}, input);
let errors = "";
for (const line of input.split("\\n")) {
  if (line.trim() === "") continue;
  const words = line.trim().split(/\\s+/);
  const command = words.shift();
  const opts = {};
  while (words.length > 0) {
    const w = words.shift();
    if (w === "-m") opts.m = true;
    else if (["-t", "-s", "-b", "-r", "-w", "-x", "-y"].includes(w)) opts[w.slice(1)] = words.shift();
    else die("fake ipvsadm: unsupported option " + w + " in: " + line);
  }
  if (opts.t === undefined) die("fake ipvsadm: unsupported (not -t) in: " + line);
  const at = services.findIndex((s) => s.key === opts.t);
  const svc = services[at];
  const err = (msg) => { errors += msg + "\\n"; };
  if (command === "-A" || command === "-E") {
    if (command === "-A" && svc !== undefined) { err("Service already exists"); continue; }
    if (command === "-E" && svc === undefined) { err("No such service"); continue; }
    const spec = { key: opts.t, scheduler: opts.s ?? "wlc", flags: opts.b ?? "", servers: svc?.servers ?? [] };
    if (svc === undefined) services.push(spec); else services[at] = spec;
    continue;
  }
  if (command === "-D") { if (svc === undefined) err("No such service"); else services.splice(at, 1); continue; }
  if (!["-a", "-e", "-d"].includes(command)) die("fake ipvsadm: unsupported command in: " + line);
  if (svc === undefined) { err("Service not defined"); continue; }
  if (opts.r === undefined) die("fake ipvsadm: -r missing in: " + line);
  const ri = svc.servers.findIndex((r) => r.address === opts.r);
  if (command === "-d") { if (ri < 0) err("No such destination"); else svc.servers.splice(ri, 1); continue; }
  if (!opts.m) die("fake ipvsadm: only masquerading (-m) is modelled: " + line);
  const server = { address: opts.r, weight: Number(opts.w ?? 1), x: Number(opts.x ?? 0), y: Number(opts.y ?? 0) };
  if (command === "-a") { if (ri >= 0) err("Destination already exists"); else svc.servers.push(server); }
  else if (ri < 0) err("No such destination");
  else svc.servers[ri] = server;
}
// atomically: a concurrent ipvsadm-save must never read half a table
const tmp = stateFile + "." + process.pid;
fs.writeFileSync(tmp, JSON.stringify(services));
fs.renameSync(tmp, stateFile);
process.stderr.write(errors);
process.exit(0);
`;
  for (const tool of ["ipvsadm", "ipvsadm-save"]) {
    await writeFile(join(binDir, tool), script.replace('"__TOOL__"', JSON.stringify(tool)));
    await chmod(join(binDir, tool), 0o755);
  }
  return {
    binDir,
    callsFile,
    scriptsFile,
    calls: async () => (await readFile(callsFile, "utf8")).split("\n").filter((l) => l !== ""),
  };
}
