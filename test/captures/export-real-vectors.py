#!/usr/bin/env python3
"""Export chosen messages of the real captures as annotated hex vectors.

    python3 test/captures/export-real-vectors.py     # from the repository root

Reads test/vectors/captures/*.pcap through `bgp-decode --json` (so the same
reassembly and framing as the tests), picks the messages listed in PICKS and
writes test/vectors/real/<name>.hex: a header naming the daemon that sent the
message and where it came from, then one field per line with a comment.
The annotator below knows just the layouts these vectors use.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CAPTURES = os.path.join(ROOT, "test", "vectors", "captures")
OUT = os.path.join(ROOT, "test", "vectors", "real")

# name -> (pcap, sender BGP endpoint prefix, predicate on the JSON record, daemon, description)
PICKS = {
    "frr-open": ("bird-frr", "198.18.0.2:", lambda r: r["type"] == "OPEN", "FRR 8.4.4",
                 "OPEN, AS 4200000001 as AS_TRANS, eleven capabilities incl. FQDN, LLGR and the pre-standard route refresh"),
    "bird-open": ("bird-frr", "198.18.0.1:", lambda r: r["type"] == "OPEN", "BIRD 2.0.12",
                  "OPEN, every capability in one optional parameter, extended next hop, ADD-PATH both ways"),
    "gobgp-open": ("gobgp-exabgp", "198.18.0.3:", lambda r: r["type"] == "OPEN", "GoBGP 3.10.0",
                   "OPEN, 2-octet AS 64512, ADD-PATH, graceful restart"),
    "exabgp-open": ("gobgp-exabgp", "198.18.0.4:", lambda r: r["type"] == "OPEN", "ExaBGP 4.2.21",
                    "OPEN, AS 4200000002, ADD-PATH send/receive, extended message"),
    "bird-update-addpath-ibgp": ("bird-frr", "198.18.0.1:",
                                 lambda r: r["type"] == "UPDATE" and r["message"]["nlri"], "BIRD 2.0.12",
                                 "iBGP UPDATE with ADD-PATH path ids, MED, LOCAL_PREF, communities (incl. NO_EXPORT), "
                                 "extended and large communities"),
    "bird-update-rfc8950": ("bird-exabgp", "[2001:db8:4::7]:",
                            lambda r: r["type"] == "UPDATE" and r["message"].get("mpReach", {}).get("afi") == 1,
                            "BIRD 2.0.12",
                            "IPv4 NLRI in MP_REACH with a 32-octet IPv6 global + link-local next hop (RFC 8950)"),
    "gobgp-update-ipv6-mapped-nh": ("gobgp-exabgp", "198.18.0.3:",
                                    lambda r: r["type"] == "UPDATE" and r["message"].get("mpReach", {}).get("afi") == 2,
                                    "GoBGP 3.10.0", "IPv6 MP_REACH over an IPv4 session: IPv4-mapped next hop"),
    "exabgp-update-mp-unreach": ("gobgp-exabgp", "198.18.0.4:",
                                 lambda r: r["type"] == "UPDATE" and r["message"].get("mpUnreach", {}).get("nlri"),
                                 "ExaBGP 4.2.21", "MP_UNREACH withdrawal that also carries ORIGIN and AS_PATH"),
    "frr-eor-ipv6": ("bird-frr", "198.18.0.2:", lambda r: r.get("endOfRib") == "ipv6/unicast", "FRR 8.4.4",
                     "End-of-RIB for IPv6 unicast (RFC 4724 §2)"),
    "frr-route-refresh-borr": ("bird-frr", "198.18.0.2:",
                               lambda r: r["type"] == "ROUTE-REFRESH" and r["message"]["subtype"] == 1, "FRR 8.4.4",
                               "enhanced ROUTE-REFRESH, Beginning of Route Refresh (RFC 7313)"),
    "frr-notification-shutdown": ("frr-gobgp", "[2001:db8:3::5]:", lambda r: r["type"] == "NOTIFICATION", "FRR 8.4.4",
                                  "Cease/Administrative Shutdown with an RFC 9003 shutdown communication"),
}

CAPS = {1: "Multiprotocol", 2: "Route Refresh", 5: "Extended Next Hop", 6: "Extended Message",
        64: "Graceful Restart", 65: "4-octet AS", 69: "ADD-PATH", 70: "Enhanced Route Refresh",
        71: "Long-Lived Graceful Restart", 73: "FQDN", 128: "Route Refresh (Cisco, pre-standard)"}
ATTRS = {1: "ORIGIN", 2: "AS_PATH", 3: "NEXT_HOP", 4: "MULTI_EXIT_DISC", 5: "LOCAL_PREF", 8: "COMMUNITIES",
         14: "MP_REACH_NLRI", 15: "MP_UNREACH_NLRI", 16: "EXTENDED_COMMUNITIES", 32: "LARGE_COMMUNITY"}
TYPES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}


class Lines:
    def __init__(self):
        self.rows = []

    def add(self, b, comment):
        self.rows.append((b.hex(), comment))

    def text(self):
        width = max(len(h) for h, _ in self.rows)
        width = min(width, 48)
        return "".join(f"{h.ljust(width)}  # {c}\n" for h, c in self.rows)


def prefix_text(afi, bits, octets):
    full = octets + bytes((4 if afi == 1 else 16) - len(octets))
    if afi == 1:
        return ".".join(str(x) for x in full) + f"/{bits}"
    import ipaddress
    return f"{ipaddress.IPv6Address(full)}/{bits}"


def nlri(lines, b, afi, add_path, what):
    p = 0
    while p < len(b):
        pid = None
        if add_path:
            pid = int.from_bytes(b[p:p + 4], "big")
            lines.add(b[p:p + 4], f"{what} path identifier {pid}")
            p += 4
        bits = b[p]
        n = (bits + 7) // 8
        lines.add(b[p:p + 1 + n], f"{what} {prefix_text(afi, bits, b[p + 1:p + 1 + n])}")
        p += 1 + n


def addr_text(b):
    import ipaddress
    return str(ipaddress.ip_address(bytes(b)))


def open_body(lines, m):
    lines.add(m[19:20], "version 4")
    lines.add(m[20:22], f"my AS {int.from_bytes(m[20:22], 'big')}")
    lines.add(m[22:24], f"hold time {int.from_bytes(m[22:24], 'big')}")
    lines.add(m[24:28], f"BGP identifier {addr_text(m[24:28])}")
    lines.add(m[28:29], f"optional parameters length {m[28]}")
    p, end = 29, 29 + m[28]
    while p < end:
        plen = m[p + 1]
        lines.add(m[p:p + 2], f"optional parameter: capabilities, length {plen}")
        q, pend = p + 2, p + 2 + plen
        while q < pend:
            code, clen = m[q], m[q + 1]
            lines.add(m[q:q + 2], f"capability {code} {CAPS.get(code, '?')}, length {clen}")
            if clen:
                lines.add(m[q + 2:q + 2 + clen], f"  value")
            q += 2 + clen
        p = pend


WELL_KNOWN = {0xFFFFFF01: "NO_EXPORT", 0xFFFFFF02: "NO_ADVERTISE", 0xFFFFFF03: "NO_EXPORT_SUBCONFED",
              0xFFFFFF04: "NO_PEER"}


def describe_value(lines, t, v):
    """One line per value field; 4-octet ASNs (every captured session negotiated them)."""
    if t == 1:
        lines.add(v, "  origin " + {0: "IGP", 1: "EGP", 2: "INCOMPLETE"}.get(v[0], str(v[0])))
    elif t == 2:
        p = 0
        while p < len(v):
            kind, n = v[p], v[p + 1]
            lines.add(v[p:p + 2], f"  segment {'AS_SEQUENCE' if kind == 2 else 'AS_SET' if kind == 1 else kind}, {n} ASNs")
            for i in range(n):
                a = v[p + 2 + 4 * i:p + 6 + 4 * i]
                lines.add(a, f"    AS {int.from_bytes(a, 'big')}")
            p += 2 + 4 * n
    elif t == 3:
        lines.add(v, f"  next hop {addr_text(v)}")
    elif t == 4:
        lines.add(v, f"  MED {int.from_bytes(v, 'big')}")
    elif t == 5:
        lines.add(v, f"  local preference {int.from_bytes(v, 'big')}")
    elif t == 8:
        for i in range(0, len(v), 4):
            c = int.from_bytes(v[i:i + 4], "big")
            lines.add(v[i:i + 4], "  community " + WELL_KNOWN.get(c, f"{c >> 16}:{c & 0xFFFF}"))
    elif t == 16:
        for i in range(0, len(v), 8):
            e = v[i:i + 8]
            if e[0] in (0, 0x40) and e[1] == 2:
                lines.add(e, f"  extended community route target {int.from_bytes(e[2:4], 'big')}:{int.from_bytes(e[4:8], 'big')}")
            else:
                lines.add(e, "  extended community")
    elif t == 32:
        for i in range(0, len(v), 12):
            g, a, b = (int.from_bytes(v[i + k:i + k + 4], "big") for k in (0, 4, 8))
            lines.add(v[i:i + 12], f"  large community {g}:{a}:{b}")
    else:
        lines.add(v, "  value")


def update_body(lines, m, add_path):
    wl = int.from_bytes(m[19:21], "big")
    lines.add(m[19:21], f"withdrawn routes length {wl}")
    nlri(lines, m[21:21 + wl], 1, add_path.get(1, False), "withdrawn")
    p = 21 + wl
    al = int.from_bytes(m[p:p + 2], "big")
    lines.add(m[p:p + 2], f"total path attribute length {al}")
    p += 2
    end = p + al
    while p < end:
        flags, t = m[p], m[p + 1]
        ext = flags & 0x10
        ln = int.from_bytes(m[p + 2:p + 4], "big") if ext else m[p + 2]
        hl = 4 if ext else 3
        lines.add(m[p:p + hl], f"{ATTRS.get(t, 'attribute')} ({t}), flags 0x{flags:02x}, length {ln}")
        v = m[p + hl:p + hl + ln]
        if t == 14:
            afi = int.from_bytes(v[0:2], "big")
            lines.add(v[0:3], f"  AFI {afi} SAFI {v[2]}")
            nhl = v[3]
            lines.add(v[3:4], f"  next hop length {nhl}")
            nh = v[4:4 + nhl]
            if nhl == 32:
                lines.add(nh[:16], f"  next hop {addr_text(nh[:16])}")
                lines.add(nh[16:], f"  link-local next hop {addr_text(nh[16:])}")
            else:
                lines.add(nh, f"  next hop {addr_text(nh)}")
            lines.add(v[4 + nhl:5 + nhl], "  reserved")
            nlri(lines, v[5 + nhl:], afi, add_path.get(afi, False), "  NLRI")
        elif t == 15:
            afi = int.from_bytes(v[0:2], "big")
            lines.add(v[0:3], f"  AFI {afi} SAFI {v[2]}")
            nlri(lines, v[3:], afi, add_path.get(afi, False), "  withdrawn")
        elif ln:
            describe_value(lines, t, v)
        p += hl + ln
    nlri(lines, m[end:], 1, add_path.get(1, False), "NLRI")


def annotate(rec, daemon, desc, source):
    m = bytes.fromhex(rec["raw"])
    lines = Lines()
    t = m[18]
    lines.add(m[0:16], "marker")
    lines.add(m[16:18], f"length {len(m)}")
    lines.add(m[18:19], f"type {t} {TYPES.get(t, '?')}")
    if t == 1:
        open_body(lines, m)
    elif t == 2:
        msg = rec["message"]
        ap = {}
        for key, afi in (("nlri", 1), ("withdrawn", 1)):
            if msg[key] and isinstance(msg[key][0], dict):
                ap[1] = True
        for key in ("mpReach", "mpUnreach"):
            if key in msg and msg[key]["nlri"] and isinstance(msg[key]["nlri"][0], dict):
                ap[msg[key]["afi"]] = True
        update_body(lines, m, ap)
    elif t == 3:
        lines.add(m[19:21], f"error code {m[19]}, subcode {m[20]}")
        if len(m) > 21:
            lines.add(m[21:22], f"shutdown communication length {m[21]}")
            lines.add(m[22:], f"shutdown communication {m[22:].decode()!r}")
    elif t == 5:
        lines.add(m[19:21], f"AFI {int.from_bytes(m[19:21], 'big')}")
        lines.add(m[21:22], f"subtype {m[21]}")
        lines.add(m[22:23], f"SAFI {m[22]}")
    head = (f"# Sent by {daemon}: {desc}.\n"
            f"# Captured in test/vectors/captures/{source}.pcap ({rec['src']} > {rec['dst']}),\n"
            f"# exported by test/captures/export-real-vectors.py.\n")
    return head + lines.text()


def main():
    os.makedirs(OUT, exist_ok=True)
    cache = {}
    for name, (pcap, sender, pred, daemon, desc) in PICKS.items():
        if pcap not in cache:
            out = subprocess.run(
                ["node", "--import", "tsx", "packages/bgp/src/cli/bgp-decode.ts", "--json", "--file",
                 os.path.join(CAPTURES, pcap + ".pcap")],
                cwd=ROOT, check=True, capture_output=True, text=True).stdout
            cache[pcap] = [json.loads(l) for l in out.splitlines()]
        rec = next((r for r in cache[pcap] if r.get("src", "").startswith(sender) and pred(r)), None)
        if rec is None:
            sys.exit(f"{name}: no such message in {pcap}")
        with open(os.path.join(OUT, name + ".hex"), "w") as f:
            f.write(annotate(rec, daemon, desc, pcap))
        print(f"wrote {name}.hex")


if __name__ == "__main__":
    main()
