/**
 * Real kernel IPVS, driven by our IpvsadmCli adapter, inside a QEMU guest.
 *
 * The dev/CI kernels have no IPVS, so this test boots Debian's stock kernel
 * with test/vm/run-in-vm.sh and runs test/vm/guest/ipvs-smoke.sh there
 * (namespaces: client, two busybox-httpd backends; mh + mh-port,
 * masquerading; two plans, each ONE ipvsadm --restore). It passes only if the
 * guest prints its `PORTLB-VM-RESULT` line AND exits 0: a guest that never
 * boots or never reports (exit 125 from the harness) fails the test.
 *
 * Host packages: qemu-system-x86 busybox-static kmod cpio xz-utils ipvsadm
 * (missing ones fail the test with the apt-get line). The first run downloads
 * the kernel .deb into the cache (see test/vm/README.md). Set
 */
import { beforeAll, describe, expect, it } from "vitest";
import { guestResult, prepareGuest, runGuest } from "./guest-run.js";

describe("IPVS in a QEMU guest (test/vm/run-in-vm.sh)", () => {
  beforeAll(() => {
    prepareGuest();
  }, 300_000);

  it("programs mh + masquerading through one ipvsadm --restore per plan; traffic reaches the backends", async () => {
    const run = await runGuest("test/vm/guest/ipvs-smoke.sh", [], 240);
    const reported = guestResult<{
      ok: boolean;
      restoreRuns: number;
      traffic1: Record<string, number>;
      traffic2: Record<string, number>;
      plan2: string;
    }>(run);
    // on failure, show the whole guest transcript
    expect({ exitCode: run.exitCode, reported: reported !== undefined }, run.output).toEqual({
      exitCode: 0,
      reported: true,
    });
    const result = reported!;
    expect(result.ok).toBe(true);
    expect(result.restoreRuns).toBe(2);
    expect(Object.keys(result.traffic1).sort()).toEqual(["be1", "be2"]);
    expect(result.traffic2).toEqual({ be1: 4 });
    expect(result.plan2).toBe(
      "-d -t 203.0.113.10:80 -r 198.18.0.12:8080\n-e -t 203.0.113.10:80 -r 198.18.0.11:8080 -m -w 3\n",
    );
  }, 260_000);
});
