#!/usr/bin/env python3
"""Interop check: python3-zeep as a client of thereforebridge.

    python3 client.py --wsdl URL_OF_WSDL --calls URL_OF_CALL_LOG [--soap 11|12] [--user U --password P]
    python3 client.py --wsdl PATH_OR_URL --dry-run [--soap 11|12]

Loads the WSDL the ordinary zeep way, binds the SOAP 1.1 or 1.2 port, calls
SaveOutOfOfficeInfoForUser and SavePortalUser with values built only through
zeep's generated type factory, then reads the bridge's call log (JSON, newest
last) and compares every field that was sent with what the bridge decoded.
Then it sends one invalid SavePortalUser (QueryNo = CtgryNo = 0) and expects
a SOAP fault that names QueryNo.

--user/--password are HTTP Basic credentials, set the way zeep's users do: on
the requests Session given to zeep's Transport (sent with every request). With
them, a last check loads a second client whose password is wrong and expects
its call to raise zeep's Fault (the bridge answers 401 with a SOAP fault).

Prints one `ok - ...` or `FAIL - ...` line per check, then `N passed, M failed`;
exits 1 if anything failed.

--dry-run makes no network call: it builds both requests with
client.create_message(), prints the envelopes, checks their namespaces (wrapper
and `parameters` in the messages namespace, everything below in the types
namespace) and prints the values the live run would expect in the call log.
"""

import argparse
import json
import os
import sys
import traceback
import urllib.request
from decimal import Decimal

# Debian's python3-zeep lives in /usr/lib/python3/dist-packages, which only the
# system interpreter sees. When `python3` on PATH is another interpreter (pyenv
# and the like) without zeep, run this script again with the system one.
try:
    import zeep
    import zeep.exceptions
    import zeep.helpers
except ImportError:
    _SYSTEM_PY = "/usr/bin/python3"
    if (
        os.path.exists(_SYSTEM_PY)
        and os.path.realpath(sys.executable) != os.path.realpath(_SYSTEM_PY)
        and not os.environ.get("THEREFOREBRIDGE_ZEEP_REEXEC")
    ):
        os.environ["THEREFOREBRIDGE_ZEEP_REEXEC"] = "1"
        os.execv(_SYSTEM_PY, [_SYSTEM_PY] + sys.argv)
    sys.stderr.write(
        "client.py: cannot import zeep (install Debian's python3-zeep)\n")
    sys.exit(2)

SERVICE = "ThereforeService"
PORTS = {
    "11": "ThereforeWS0001_SoapUserPassword",
    "12": "ThereforeWS0001_Soap12UserPassword",
}
TIMEOUT = 30  # seconds, for the WSDL, each operation and the call log

_ABSENT = object()


def show(value):
    if value is _ABSENT:
        return "(absent)"
    try:
        return json.dumps(value, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, desc):
        self.passed += 1
        print("ok - %s" % desc, flush=True)

    def fail(self, desc, sent=_ABSENT, decoded=_ABSENT, detail=None):
        self.failed += 1
        if detail is not None:
            print("FAIL - %s: %s" % (desc, detail), flush=True)
        else:
            print("FAIL - %s: sent %s, decoded %s"
                  % (desc, show(sent), show(decoded)), flush=True)

    def error(self, desc, exc):
        """An unexpected exception, reported as a failed check."""
        self.fail(desc, detail="%s: %s" % (type(exc).__name__, exc))
        if isinstance(exc, (zeep.exceptions.Error, OSError, ValueError)):
            return  # a fault, an HTTP/network error or bad JSON: message says it
        for line in traceback.format_exception(type(exc), exc, exc.__traceback__):
            for sub in line.rstrip("\n").split("\n"):
                print("#   " + sub, flush=True)

    def check(self, cond, desc, detail):
        if cond:
            self.ok(desc)
        else:
            self.fail(desc, detail=detail)

    def summary(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


# --------------------------------------------------------------------------
# Client and request values

def make_client(wsdl, user=None, password=None):
    session = None
    if user is not None:
        import requests
        session = requests.Session()
        session.auth = (user, password or "")
    transport = zeep.Transport(session=session, timeout=TIMEOUT,
                               operation_timeout=TIMEOUT)
    return zeep.Client(wsdl, transport=transport)


def namespaces(client, port_name):
    """(messages namespace, types namespace), read from the WSDL itself:
    the wrapper element's namespace and that of the type of its `parameters`
    child. Nothing here is spelled by hand."""
    binding = client.wsdl.services[SERVICE].ports[port_name].binding
    wrapper = binding.get("SavePortalUser").input.body
    messages_ns = wrapper.qname.namespace
    for name, element in wrapper.type.elements:
        if name == "parameters":
            return messages_ns, element.type.qname.namespace
    raise RuntimeError("wrapper SavePortalUser has no `parameters` child")


def build_oof(t):
    User = t.WSUserUniversalIdentifier
    return t.SaveOutOfOfficeInfoForUserParams(
        User=User(UserName="jdoe", DomainName="CORP", UserType="SingleUser"),
        IsOutOfOfficeEnabled=True,
        DelegateUsersToAdd=t.ArrayOfWSUserUniversalIdentifier(
            WSUserUniversalIdentifier=[
                User(UserName="asmith", DomainName="CORP",
                     UserType="SingleUser"),
                User(UserId=42, UserType="SingleUser"),
            ]),
    )


def build_portal(t):
    Item = t.WSIndexDataItem
    RowItem = t.WSTableFieldDataRowItem
    table = t.WSIndexDataTable(
        FieldNo=7,
        DataValue=t.ArrayOfWSTableFieldDataRow(WSTableFieldDataRow=[
            t.WSTableFieldDataRow(
                RowNo=0,
                DataRowItems=t.ArrayOfWSTableFieldDataRowItem(
                    WSTableFieldDataRowItem=[
                        RowItem(StringIndexData=t.WSIndexDataString(
                            FieldNo=71, DataValue="row-a")),
                        RowItem(IntIndexData=t.WSIndexDataInt(
                            FieldNo=72, DataValue=3)),
                    ]),
            ),
        ]),
    )
    return t.SavePortalUserParams(
        PortalUser=t.WSPortalUser(
            Email="portal@example.com",
            QueryNo=12,
            UserName="portal1",
            UserPwd="s3cret!",
            Conditions=t.ArrayOfWSCondition(WSCondition=[
                t.WSCondition(Condition=">=5", FieldNoOrName="Amount",
                              TimeZone="UTC"),
                t.WSCondition(Condition="2024-01-01", FieldNoOrName="Created",
                              TimeZone="ServerLocal"),
            ]),
            IndexDataItems=t.ArrayOfWSIndexDataItem(WSIndexDataItem=[
                Item(StringIndexData=t.WSIndexDataString(
                    FieldNo=1, DataValue="hello")),
                Item(IntIndexData=t.WSIndexDataInt(FieldNo=2, DataValue=7)),
                Item(DateIndexData=t.WSIndexDataDate(
                    FieldNo=3, DataISO8601Value="2017-07-23")),
                Item(LogicalIndexData=t.WSIndexDataLogical(
                    FieldNo=4, DataValue=True)),
                Item(MoneyIndexData=t.WSIndexDataMoney(
                    FieldNo=5, DecimalDataValue=Decimal("1234.50"))),
                Item(SingleKeywordData=t.WSIndexDataSingleKeyword(
                    FieldNo=6, DataValue="Sales")),
                Item(TableIndexData=table),
            ]),
        ),
        IsOneTimePwd=True,
    )


def build_invalid(t):
    return t.SavePortalUserParams(
        PortalUser=t.WSPortalUser(Email="x@example.com", QueryNo=0, CtgryNo=0))


def expected_json(value):
    """What the call log should hold for a sent zeep value: the value itself
    with unset (None) members dropped and decimals as their lexical string."""
    def conv(v):
        if isinstance(v, dict):
            return {k: conv(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, Decimal):
            return "{:f}".format(v)
        return v
    return conv(zeep.helpers.serialize_object(value, dict))


# --------------------------------------------------------------------------
# Comparison with the call log

def compare(res, path, sent, decoded):
    if isinstance(sent, dict):
        if not isinstance(decoded, dict):
            res.fail(path, sent, decoded)
            return
        for key, value in sent.items():
            compare(res, "%s.%s" % (path, key), value,
                    decoded.get(key, _ABSENT))
        for key in decoded:
            if key not in sent:
                # An optional, non-nillable xs:int has no "absent" in the
                # bridge's types (as in WCF's): it decodes to its default 0.
                if key in DEFAULT_ZERO and decoded[key] == 0:
                    res.ok("%s.%s = 0 (not sent: the contract default)" % (path, key))
                    continue
                res.fail("%s.%s (not sent)" % (path, key), _ABSENT,
                         decoded[key])
        return
    if isinstance(sent, list):
        if not isinstance(decoded, list):
            res.fail(path + " (array)", sent, decoded)
            return
        if len(decoded) != len(sent):
            res.fail(path + " (item count)", len(sent), len(decoded))
        else:
            res.ok("%s (item count %d)" % (path, len(sent)))
        for i, value in enumerate(sent):
            compare(res, "%s[%d]" % (path, i), value,
                    decoded[i] if i < len(decoded) else _ABSENT)
        return
    # Scalars: same JSON type and value (true is not 1, "7" is not 7).
    if decoded is not _ABSENT and type(decoded) is type(sent) and decoded == sent:
        res.ok("%s = %s" % (path, show(sent)))
    else:
        res.fail(path, sent, decoded)


# Element names that are minOccurs="0", not nillable and xs:int in the WSDL.
DEFAULT_ZERO = set()


def load_default_zero(wsdl):
    import xml.etree.ElementTree as ET
    if "://" in wsdl:
        with urllib.request.urlopen(wsdl, timeout=TIMEOUT) as resp:
            text = resp.read()
    else:
        with open(wsdl, "rb") as f:
            text = f.read()
    xs = "{http://www.w3.org/2001/XMLSchema}element"
    for el in ET.fromstring(text).iter(xs):
        if (el.get("minOccurs") == "0" and el.get("nillable") != "true"
                and (el.get("type") or "").endswith(":int")):
            DEFAULT_ZERO.add(el.get("name"))


def fetch_calls(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
        body = resp.read()
    return json.loads(body.decode("utf-8"))


# --------------------------------------------------------------------------
# Dry run: envelopes only

def check_envelope(res, label, envelope, messages_ns, types_ns):
    body = [el for el in envelope.iter()
            if isinstance(el.tag, str) and el.tag.endswith("}Body")]
    if len(body) != 1 or len(body[0]) != 1:
        res.fail(label + ": one wrapper in Body",
                 detail="Body has %s" % [c.tag for c in body[0]] if body else "no Body")
        return
    wrapper = body[0][0]
    res.check(wrapper.tag.startswith("{%s}" % messages_ns),
              label + ": wrapper %s in the messages namespace" % wrapper.tag,
              "wrapper is " + wrapper.tag)
    kids = list(wrapper)
    if len(kids) != 1:
        res.fail(label + ": wrapper has one child",
                 detail="children %s" % [c.tag for c in kids])
        return
    params = kids[0]
    res.check(params.tag == "{%s}parameters" % messages_ns,
              label + ": parameters in the messages namespace",
              "child is " + params.tag)
    wrong = sorted({el.tag for el in params.iterdescendants()
                    if isinstance(el.tag, str)
                    and not el.tag.startswith("{%s}" % types_ns)})
    res.check(not wrong,
              label + ": every element below parameters in the types namespace",
              "elsewhere: %s" % wrong)


def dry_run(res, client, port_name, messages_ns, types_ns, t):
    from lxml import etree
    service = client.bind(SERVICE, port_name)
    print("# messages namespace: %s" % messages_ns)
    print("# types namespace:    %s" % types_ns)
    for op, build in (("SaveOutOfOfficeInfoForUser", build_oof),
                      ("SavePortalUser", build_portal),
                      ("SavePortalUser (invalid)", build_invalid)):
        name = op.split()[0]
        try:
            value = build(t)
            env = client.create_message(service, name, parameters=value)
            text = etree.tostring(env, pretty_print=True).decode()
            print("# --- %s envelope (%s):" % (op, port_name))
            for line in text.rstrip("\n").split("\n"):
                print("#   " + line)
            print("# --- %s: call log should hold params:" % op)
            for line in json.dumps(expected_json(value), indent=1).split("\n"):
                print("#   " + line)
            check_envelope(res, op, env, messages_ns, types_ns)
        except Exception as exc:  # noqa: BLE001
            res.error(op + ": build envelope", exc)


# --------------------------------------------------------------------------
# Live run

def call(res, service, op, value):
    try:
        getattr(service, op)(parameters=value)
    except Exception as exc:  # noqa: BLE001
        res.error(op + ": call succeeds", exc)
        return False
    res.ok(op + ": call succeeds")
    return True


def live(res, client, port_name, calls_url, t, wsdl, user, password):
    service = client.bind(SERVICE, port_name)
    address = (getattr(service, "_binding_options", None) or {}).get("address")
    print("# endpoint: %s (%s)" % (address, port_name), flush=True)

    sent = []
    for op, build in (("SaveOutOfOfficeInfoForUser", build_oof),
                      ("SavePortalUser", build_portal)):
        value = None
        try:
            value = build(t)
        except Exception as exc:  # noqa: BLE001
            res.error(op + ": build request", exc)
        if value is not None:
            call(res, service, op, value)
        sent.append((op, value))

    # Call log: the last two entries are ours, in order.
    entries = None
    try:
        entries = fetch_calls(calls_url)
        if not isinstance(entries, list):
            res.fail("call log is a JSON list", detail="got %s" % show(entries))
            entries = None
        elif len(entries) < 2:
            res.fail("call log has at least 2 entries",
                     detail="got %d" % len(entries))
            entries = None
        else:
            res.ok("call log fetched (%d entries)" % len(entries))
    except Exception as exc:  # noqa: BLE001
        res.error("call log fetched from " + calls_url, exc)
    if entries is not None:
        for (op, value), entry in zip(sent, entries[-2:]):
            if not isinstance(entry, dict):
                res.fail(op + ": call log entry is an object", _ABSENT, entry)
                continue
            compare(res, op + ": operation", op, entry.get("operation", _ABSENT))
            if value is not None:
                compare(res, op + ": parameters", expected_json(value),
                        entry.get("params", _ABSENT))

    # Invalid call: neither QueryNo nor CtgryNo > 0.
    desc = "SavePortalUser with QueryNo=0, CtgryNo=0"
    try:
        service.SavePortalUser(parameters=build_invalid(t))
        res.fail(desc + ": raises zeep Fault", detail="no exception raised")
    except zeep.exceptions.Fault as fault:
        res.ok(desc + ": raises zeep Fault")
        print("#   fault code=%r message=%r" % (fault.code, fault.message),
              flush=True)
        res.check("QueryNo" in (fault.message or ""),
                  desc + ": fault message mentions QueryNo",
                  "message was %r" % fault.message)
    except Exception as exc:  # noqa: BLE001
        res.error(desc + ": raises zeep Fault", exc)

    if user is not None:
        wrong_password(res, wsdl, port_name, user, password)


def wrong_password(res, wsdl, port_name, user, password):
    """A client configured like the first one but with a wrong password: its
    call must raise zeep's Fault (401 with a SOAP fault body)."""
    desc = "SaveOutOfOfficeInfoForUser with a wrong password"
    try:
        client = make_client(wsdl, user, "wrong-" + (password or ""))
        t = client.type_factory(namespaces(client, port_name)[1])
        service = client.bind(SERVICE, port_name)
    except Exception as exc:  # noqa: BLE001
        res.error(desc + ": load WSDL", exc)
        return
    try:
        service.SaveOutOfOfficeInfoForUser(parameters=build_oof(t))
        res.fail(desc + ": raises zeep Fault", detail="no exception raised")
    except zeep.exceptions.Fault as fault:
        res.ok(desc + ": raises zeep Fault")
        print("#   fault code=%r message=%r" % (fault.code, fault.message),
              flush=True)
    except Exception as exc:  # noqa: BLE001
        res.error(desc + ": raises zeep Fault", exc)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wsdl", required=True,
                    help="URL (or file path) of the WSDL")
    ap.add_argument("--calls", help="URL of the bridge's call log (JSON)")
    ap.add_argument("--soap", choices=sorted(PORTS), default="11",
                    help="SOAP version: picks the port (default 11)")
    ap.add_argument("--user", help="HTTP Basic user, if the bridge wants one")
    ap.add_argument("--password", default="", help="HTTP Basic password")
    ap.add_argument("--dry-run", action="store_true",
                    help="build and print the envelopes, call nothing")
    args = ap.parse_args(argv)
    if not args.dry_run and not args.calls:
        ap.error("--calls is required (or use --dry-run)")

    res = Results()
    port_name = PORTS[args.soap]
    try:
        client = make_client(args.wsdl, args.user, args.password)
        messages_ns, types_ns = namespaces(client, port_name)
        t = client.type_factory(types_ns)
        load_default_zero(args.wsdl)
        res.ok("WSDL loaded, port %s bound" % port_name)
    except Exception as exc:  # noqa: BLE001
        res.error("load WSDL " + args.wsdl, exc)
        return res.summary()

    if args.dry_run:
        dry_run(res, client, port_name, messages_ns, types_ns, t)
    else:
        live(res, client, port_name, args.calls, t, args.wsdl, args.user,
             args.password)
    return res.summary()


if __name__ == "__main__":
    sys.exit(main())
