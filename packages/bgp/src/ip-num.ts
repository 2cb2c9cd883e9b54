/**
 * ip-num, loaded with `require()`. ip-num is CommonJS; an ESM `import` of it
 * makes Node analyse every re-exported file for named exports, which keeps
 * about 18 MB more resident for the life of the process (Node 20: a process
 * that imports it is at 65 MB RSS, one that requires it at 47 MB). A route
 * reflector's peak RSS is measured against BIRD's, so this matters.
 */
import { createRequire } from "node:module";
import type * as IpNum from "ip-num";

const ipNum = createRequire(import.meta.url)("ip-num") as typeof IpNum;

export const { IPv4, IPv4CidrRange, IPv4Prefix, IPv6, IPv6CidrRange, IPv6Prefix, Validator } = ipNum;
