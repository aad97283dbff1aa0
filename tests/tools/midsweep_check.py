#!/usr/bin/env python3
"""Checks smtptap's records of captures cut in the middle of a TLS handshake
(pcaps/tools/midcut.py sweep) against its records of the whole captures.
Usage: midsweep_check.py DIR (the sweep's directory: manifest.json, each
cut's NAME.pcap, NAME.json, NAME.rc, NAME.err, and full-BASE.* for each
base). Exit 1 and one line per broken invariant when any is broken.

The session the cut falls in is S; its record in the whole capture is F,
in the cut O. Invariants, for every cut:
  run       smtptap exits 0 or 1, no sanitizer report
  later     every session after S reads as in the whole capture
  anomaly   O has no anomaly F lacks, but the pickup's own (tcp.midstream,
            smtp.midstream_tls, smtp.midstream_binary, tls.midstream_record)
  status    O's status is F's
  alerts    O's alerts are those of F the kept part holds (from, level,
            code, encrypted)
  finding   S is in a failure finding (tls_handshake_failed,
            client_rejected_certificate, server_rejected_client_certificate)
            only when F is and its alert is kept; no finding kind F's run
            lacks, but certificates_not_visible
  handshake failed only when F's is and its fatal alert is kept; else
            F's outcome (complete), or unseen when no clear handshake
            message of either side is kept, never incomplete/aborted
  certs     the whole server (client) Certificate message kept, in clear
            or decrypted: certificates visible and the same chain as F's;
            not kept whole: no chain, and certificates null (nothing of the
            server's flight seen), encrypted (TLS 1.3), or F's value when
            that is no chain's (none, resumed)
  unseen    S read as TLS without F's server chain is in the finding
            certificates_not_visible (the reason the capture gives), and
            one picked up past the server's certificates (no ClientHello or
            ServerHello kept, a record of either side seen) counts among its
            server's handshakes_unseen
  history   handshake_messages: F's, or "... " and some of F's messages in
            their order (a handshake picked up after its start says so), or
            null when none is seen
  (anomalies of the pickup: smtp.midstream_binary, tls.midstream_record, a
  direction picked up inside a record)
"""
import json
import os
import sys

PICKUP_ANOMALIES = {"tcp.midstream", "smtp.midstream_tls", "smtp.midstream_binary",
                    "tls.midstream_record"}
FAILURE_KINDS = {"tls_handshake_failed", "client_rejected_certificate",
                 "server_rejected_client_certificate"}
NEW_KINDS_OK = {"certificates_not_visible"}


def load(path):
    recs = []
    with open(path) as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    return recs


def sess(recs, cport, sport):
    return [r for r in recs if r.get("event") == "session"
            and r["client"]["port"] == cport and r["server"]["port"] == sport]


def strip(r):
    return {k: v for k, v in r.items() if k != "id"}


def chain(r, key):
    return [c["sha256"] for c in r["tls"][key]]


def alerts(r):
    return [(a["from"], a["level"], a["code"], a["encrypted"]) for a in r["tls"]["alerts"]]


def check(d, m, full, problems):
    name = m["file"][:-5]
    where = f"{m['file']} (cut at packet {m['cut']} of {os.path.basename(m['base'])})"

    def bad(rule, msg):
        problems.append(f"{where}: {rule}: {msg}")

    rc = int(open(os.path.join(d, name + ".rc")).read())
    err = open(os.path.join(d, name + ".err")).read()
    if rc > 1 or "Sanitizer" in err or "runtime error" in err:
        bad("run", f"exit {rc}: {err[:300]}")
        return
    out = load(os.path.join(d, name + ".json"))
    fs = sess(full, m["client_port"], m["server_port"])
    os_ = sess(out, m["client_port"], m["server_port"])
    # the later sessions: all of their packets are kept
    full_later = [strip(r) for r in full if r.get("event") == "session"
                  and (r["client"]["port"], r["server"]["port"]) != (m["client_port"], m["server_port"])]
    out_later = [strip(r) for r in out if r.get("event") == "session"
                 and (r["client"]["port"], r["server"]["port"]) != (m["client_port"], m["server_port"])]
    if out_later != full_later[len(full_later) - len(out_later):]:
        bad("later", "a later session reads differently")
    if len(fs) != 1:
        bad("run", f"{len(fs)} records of the session in the whole capture")
        return
    F = fs[0]
    if len(os_) != 1:
        if os_ or any(i["kept"] for i in m["items"]):
            bad("run", f"{len(os_)} records of the session")
        return
    O = os_[0]
    items = [i for i in m["items"] if i["kept"]]
    ft, ot = F["tls"], O["tls"]

    fa = {a["name"] for a in F["anomalies"]}
    new = {a["name"] for a in O["anomalies"]} - fa - PICKUP_ANOMALIES
    if new:
        bad("anomaly", f"new {sorted(new)}")
    if O["status"] != F["status"]:
        bad("status", f"{O['status']} (whole: {F['status']})")

    # alerts: those of the whole record whose alert record is kept (the
    # whole record's are the first alert records, in packet order: after
    # the handshake's end none is read)
    fal = alerts(F)
    arecs = sorted((i for i in m["items"] if i["kind"] == "alert"), key=lambda i: i["first"])
    want = [a for a, i in zip(fal, arecs) if i["kept"]]
    if alerts(O) != want:
        bad("alerts", f"{alerts(O)} (whole {fal}, expected {want})")

    # handshake outcome
    fatal_kept = ft["handshake"] == "failed" and want == fal and fal
    clear_hs = any(i["kind"] == "hs" for i in items)
    if ot["handshake"] == "failed" and not fatal_kept:
        bad("handshake", "failed without its alert")
    elif ft["handshake"] == "failed" and fatal_kept and ot["handshake"] != "failed":
        bad("handshake", f"{ot['handshake']} with the fatal alert kept")
    elif ft["handshake"] == "complete":
        ok = {"complete"} if clear_hs else {"complete", "unseen"}
        if ot["handshake"] not in ok:
            bad("handshake", f"{ot['handshake']} (whole: complete; clear messages kept: {clear_hs})")

    # findings: no failure charged to S without its alert
    sid = O["id"]
    for fnd in (r for r in out if r.get("event") == "finding"):
        if fnd["kind"] in FAILURE_KINDS and sid in fnd["sessions"]:
            fid = F["id"]
            if not fatal_kept or not any(x["kind"] == fnd["kind"] and fid in x["sessions"]
                                         for x in full if x.get("event") == "finding"):
                bad("finding", f"{fnd['kind']} for the cut session")
    fk = {r["kind"] for r in full if r.get("event") == "finding"}
    ok_ = {r["kind"] for r in out if r.get("event") == "finding"} - fk - NEW_KINDS_OK
    if ok_:
        bad("finding", f"new kinds {sorted(ok_)}")

    # certificates
    tls13 = m["tls13"]
    decrypted = ft["decrypted"]
    ch_kept = any(i["kind"] == "hs" and i["what"] == 1 for i in items)
    sh_kept = any(i["kind"] == "hs" and i["what"] == 2 for i in items)
    for who, key, vis in (("S", "server_chain", "certificates"), ("C", "client_chain", "client_certificates")):
        if not ft[key]:
            continue
        if tls13:
            # decrypted with the ServerHello's suite: by the ClientHello's
            # random, or, without it, by the key log's secret that
            # authenticates the server's first record (tls_dec_search)
            whole = decrypted and sh_kept
        else:
            whole = any(i["kind"] == "hs" and i["what"] == 11 and i["from"] == who for i in items)
        if whole:
            if ot[vis] != "visible" or chain(O, key) != chain(F, key):
                bad("certs", f"{vis} {ot[vis]}, {len(ot[key])} certificates, with the whole message kept")
        else:
            allowed = {None, "encrypted"} if tls13 else {None}
            if ot[key] or ot[vis] not in allowed:
                bad("certs", f"{vis} {ot[vis]}, {len(ot[key])} certificates, without the whole message")

    # a chain F has and O lacks is said to be unseen, and why
    if ft["server_chain"] and not ot["server_chain"] and ot["handshake"] not in (None, "none"):
        nv = [r for r in out if r.get("event") == "finding"
              and r["kind"] == "certificates_not_visible" and sid in r["sessions"]]
        if not nv:
            bad("unseen", f"certificates {ot['certificates']}, handshake {ot['handshake']}: "
                          "no certificates_not_visible")
        past = ot["certificates"] is None and not ch_kept and not sh_kept and O["midstream"]
        if nv and past and "picked up after" not in nv[0]["evidence"] and not tls13:
            bad("unseen", f"reason {nv[0]['evidence']!r}, picked up past the certificates")
        srv = [r for r in out if r.get("event") == "server"
               and r["server"] == O["server"]]
        if past and srv and srv[0]["handshakes_unseen"] < 1:
            bad("unseen", "not in its server's handshakes_unseen")

    # handshake_messages: nothing invented (the cut's in the whole's, in
    # order: a handshake found unseen stops being read), a pickup said. A
    # TLS 1.3 handshake decrypted in the whole capture is not in a cut
    # without its ServerHello (no suite, no key): its records read as
    # encrypted there, so its history is not compared.
    fh, oh = ft["handshake_messages"] or "", ot["handshake_messages"]
    if oh is not None and oh != fh and not (decrypted and not sh_kept):
        toks, ftoks = oh.split(), iter(fh.split())
        if toks[0] != "..." or not all(t in ftoks for t in toks[1:]):
            bad("history", f"{oh!r} (whole: {fh!r})")

def main():
    d = sys.argv[1]
    manifest = json.load(open(os.path.join(d, "manifest.json")))
    fulls = {}
    problems = []
    for m in manifest:
        b = os.path.basename(m["base"])
        if b not in fulls:
            rc = int(open(os.path.join(d, "full-" + b[:-5] + ".rc")).read())
            if rc > 1:
                sys.exit(f"whole capture {b}: exit {rc}")
            fulls[b] = load(os.path.join(d, "full-" + b[:-5] + ".json"))
        check(d, m, fulls[b], problems)
    for p in problems:
        print(p)
    print(f"midsweep: {len(manifest)} cuts, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
