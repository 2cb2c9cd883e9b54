/**
 * An in-memory `Ipvs` for unit tests of the reconciler.
 *
 * It applies a plan with the semantics of `ipvsadm --restore` on Linux:
 * operations run in order; adding a service or real server that exists,
 * or editing/deleting one that does not, fails that operation with the
 * kernel's message ("Service already exists", "No such destination", ...)
 * and the batch GOES ON with the next operation, like ipvsadm does. The
 * result is then an error with the code of the first failure and every
 * message in `stderr`. Real servers are kept in addition order; deleting a
 * service deletes its real servers. Tests can queue failures with
 * `failNextRead` / `failNextApply` and inspect every applied plan.
 */

import type { Ipvs } from "./ipvs.js";
import { fail, IpvsError, IpvsErrorCode, type IpvsResult, ok } from "./ipvs-error.js";
import type { IpvsOperation, IpvsPlan } from "./plan.js";
import { type IpvsTable, type RealServer, realServerId, type ServiceSpec, serviceId } from "./types.js";

interface Entry {
  spec: ServiceSpec;
  servers: RealServer[];
}

export class MemoryIpvs implements Ipvs {
  readonly #services = new Map<string, Entry>();
  readonly #readFailures: IpvsError[] = [];
  readonly #applyFailures: IpvsError[] = [];
  /** Every plan passed to `apply`, in order (also the failed ones). */
  readonly applied: IpvsPlan[] = [];
  /** How many times `read` was called. */
  reads = 0;

  constructor(initial: IpvsTable = { services: [] }) {
    for (const { realServers, ...spec } of initial.services) {
      this.#services.set(serviceId(spec.key), { spec, servers: [...realServers] });
    }
  }

  /** The next `read` fails with this error. */
  failNextRead(error: IpvsError): void {
    this.#readFailures.push(error);
  }

  /** The next `apply` fails with this error and changes nothing. */
  failNextApply(error: IpvsError): void {
    this.#applyFailures.push(error);
  }

  /** The table right now, synchronously (for assertions). */
  snapshot(): IpvsTable {
    return {
      services: [...this.#services.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, { spec, servers }]) => ({ ...spec, realServers: [...servers] })),
    };
  }

  async read(): Promise<IpvsResult<IpvsTable>> {
    this.reads++;
    const failure = this.#readFailures.shift();
    return failure === undefined ? ok(this.snapshot()) : fail(failure);
  }

  async apply(plan: IpvsPlan): Promise<IpvsResult<void>> {
    this.applied.push(plan);
    const failure = this.#applyFailures.shift();
    if (failure !== undefined) return fail(failure);
    const errors: IpvsError[] = [];
    plan.operations.forEach((op, index) => {
      const error = this.#perform(op, index + 1);
      if (error !== null) errors.push(error);
    });
    const first = errors[0];
    if (first === undefined) return ok(undefined);
    return fail(
      new IpvsError(
        first.code,
        `${errors.length} of ${plan.operations.length} operations failed: ${first.message}`,
        {
          command: "memory --restore",
          stderr: errors.map((e) => e.message).join("\n"),
          exitCode: 0,
          line: first.line ?? 0,
        },
      ),
    );
  }

  #perform(op: IpvsOperation, line: number): IpvsError | null {
    const err = (code: IpvsErrorCode, message: string): IpvsError => new IpvsError(code, message, { line });
    const key = op.type === "add-service" || op.type === "edit-service" ? op.service.key : op.key;
    const id = serviceId(key);
    const entry = this.#services.get(id);
    if (op.type === "add-service") {
      if (entry !== undefined) return err(IpvsErrorCode.ServiceExists, "Service already exists");
      this.#services.set(id, { spec: op.service, servers: [] });
      return null;
    }
    if (entry === undefined) return err(IpvsErrorCode.ServiceNotFound, "Service not defined");
    switch (op.type) {
      case "edit-service":
        entry.spec = op.service;
        return null;
      case "delete-service":
        this.#services.delete(id);
        return null;
      case "add-server":
      case "edit-server":
      case "delete-server": {
        const sid = realServerId(op.server);
        const at = entry.servers.findIndex((s) => realServerId(s) === sid);
        if (op.type === "add-server") {
          if (at >= 0) return err(IpvsErrorCode.ServerExists, "Destination already exists");
          entry.servers.push(op.server);
          return null;
        }
        if (at < 0) return err(IpvsErrorCode.ServerNotFound, "No such destination");
        if (op.type === "edit-server") entry.servers[at] = op.server;
        else entry.servers.splice(at, 1);
        return null;
      }
    }
  }
}
