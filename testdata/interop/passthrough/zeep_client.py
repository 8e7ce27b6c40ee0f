#!/usr/bin/env python3
"""Pass-through check: python3-zeep, generated from the bridge's ?wsdl in
pass-through mode, calls GetDocument, an operation the bridge does not
handle, and must get the upstream's answer field for field; a GetDocument
of a document that does not exist must raise zeep's own Fault with the
upstream's message.

    python3 zeep_client.py --wsdl URL --expected FILE [--soap 11|12] --user U --password P

FILE is JSON: {"request": {...GetDocumentParams}, "document": {...WSDocument},
"missing": {...GetDocumentParams}, "fault": "message"}.
Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`.
"""

import argparse
import json
import sys

import requests
import zeep
import zeep.exceptions
import zeep.helpers
from zeep.transports import Transport

TYPES = "http://schemas.therefore.net/webservices/interop/v0001/types"
PORTS = {"11": "ThereforeWS0001_SoapUserPassword", "12": "ThereforeWS0001_Soap12UserPassword"}

passed = failed = 0


def check(cond, desc, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + desc)
    else:
        failed += 1
        print("FAIL - %s: %s" % (desc, detail))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--wsdl", required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--soap", default="11")
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    a = p.parse_args()
    with open(a.expected) as f:
        want = json.load(f)
    session = requests.Session()
    session.auth = (a.user, a.password)
    client = zeep.Client(a.wsdl, transport=Transport(session=session, timeout=30, operation_timeout=30))
    service = client.bind("ThereforeService", PORTS[a.soap])
    params = client.get_type("{%s}GetDocumentParams" % TYPES)
    try:
        result = service.GetDocument(parameters=params(**want["request"]))
        # zeep unwraps a result of one member: GetDocumentResult.Document.
        got = zeep.helpers.serialize_object(getattr(result, "Document", result), dict)
        for k, v in want["document"].items():
            check(got.get(k) == v, "GetDocument: Document.%s" % k, "got %r, want %r" % (got.get(k), v))
        extra = sorted(k for k, v in got.items() if k not in want["document"] and v is not None)
        check(not extra, "GetDocument: no member beyond the upstream's", extra)
    except Exception as e:  # noqa: BLE001 - any failure is a FAIL line
        check(False, "GetDocument: call succeeds", "%s: %s" % (type(e).__name__, e))
    try:
        service.GetDocument(parameters=params(**want["missing"]))
        check(False, "GetDocument of a missing document raises zeep Fault", "no exception")
    except zeep.exceptions.Fault as f:
        print("#   fault code=%s message=%s" % (f.code, f.message))
        check(f.message == want["fault"], "the upstream's fault reaches zeep as its Fault", "message %r" % f.message)
    except Exception as e:  # noqa: BLE001
        check(False, "GetDocument of a missing document raises zeep Fault", "%s: %s" % (type(e).__name__, e))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
