// Interop check: a gSOAP 2.8 C++ client of thereforebridge.
//
//     client --endpoint URL --calls URL_OF_CALL_LOG --expected expected.json [--user U --password P]
//
// Built by run.sh from the bridge's ?wsdl the usual gSOAP way: wsdl2h, then
// soapcpp2 -j -C with -1 (SOAP 1.1) or -2 (SOAP 1.2) forced, then g++ with
// this file against libgsoap++ (-DTB_SOAP12 for the -2 build, which calls the
// operations of the WSDL's SOAP 1.2 binding). Calls SaveOutOfOfficeInfoForUser
// and SavePortalUser through the generated proxy with values built from the
// generated classes, fetches the bridge's call log with soap_GET and compares
// every field with ../expected.json, then sends one invalid SavePortalUser
// (QueryNo = CtgryNo = 0) and expects gSOAP's fault: SOAP_FAULT returned,
// soap->fault set, the fault string naming QueryNo.
//
// --user/--password are HTTP Basic credentials, set the gSOAP way on the
// proxy's context: soap->userid and soap->passwd, before every call (gSOAP
// sends them with the request and clears both once the call is over, so its
// documentation sets them per call). With them, a last check
// calls through a second proxy whose password is wrong and expects gSOAP's
// answer to a rejected login: the call returns 401 (soap->error), with the
// challenge's realm in soap->authrealm.
//
// Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`; exits 1
// when anything failed.
#include "soapThereforeWS0001_USCORESoapUserPasswordProxy.h"
#include "ThereforeWS0001_USCORESoapUserPassword.nsmap"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

typedef ThereforeWS0001_USCORESoapUserPasswordProxy Proxy;

#ifdef TB_SOAP12
// soapcpp2 names the operations of the second binding (SOAP 1.2) with a
// trailing underscore.
#define CALL_OOF SaveOutOfOfficeInfoForUser_
#define CALL_PORTAL SavePortalUser_
static const char *const SOAP_VERSION = "12";
#else
#define CALL_OOF SaveOutOfOfficeInfoForUser
#define CALL_PORTAL SavePortalUser
static const char *const SOAP_VERSION = "11";
#endif

static int passed = 0, failed = 0;

static void ok(const std::string &desc) {
  passed++;
  std::printf("ok - %s\n", desc.c_str());
}

static void fail(const std::string &desc, const std::string &detail) {
  failed++;
  std::printf("FAIL - %s: %s\n", desc.c_str(), detail.c_str());
}

// ---------------------------------------------------------------------------
// A small JSON reader, enough for expected.json and the call log.

struct JSON {
  enum Kind { Absent, Null, Bool, Number, String, Array, Object } kind = Absent;
  bool b = false;
  std::string text;  // String value, or a Number's lexical form
  std::vector<JSON> items;
  std::vector<std::pair<std::string, JSON>> members;

  const JSON *get(const std::string &key) const {
    for (const auto &m : members)
      if (m.first == key) return &m.second;
    return nullptr;
  }
};

struct Reader {
  const std::string &s;
  size_t i = 0;
  std::string err;

  explicit Reader(const std::string &in) : s(in) {}

  void ws() {
    while (i < s.size() && std::strchr(" \t\r\n", s[i])) i++;
  }
  bool fail_at(const char *what) {
    if (err.empty()) err = std::string(what) + " at offset " + std::to_string(i);
    return false;
  }
  static void utf8(std::string &out, unsigned long cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }
  bool hex4(unsigned long &cp) {
    if (i + 4 > s.size()) return fail_at("short \\u escape");
    cp = std::strtoul(s.substr(i, 4).c_str(), nullptr, 16);
    i += 4;
    return true;
  }
  bool str(std::string &out) {
    if (s[i] != '"') return fail_at("expected string");
    i++;
    while (i < s.size() && s[i] != '"') {
      char c = s[i++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) return fail_at("bad escape");
      char e = s[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          unsigned long cp;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            unsigned long lo;
            i += 2;
            if (!hex4(lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: out += e;
      }
    }
    if (i >= s.size()) return fail_at("unterminated string");
    i++;
    return true;
  }
  bool value(JSON &v) {
    ws();
    if (i >= s.size()) return fail_at("unexpected end");
    char c = s[i];
    if (c == '{') {
      v.kind = JSON::Object;
      i++;
      ws();
      if (i < s.size() && s[i] == '}') return ++i, true;
      for (;;) {
        ws();
        std::string key;
        if (!str(key)) return false;
        ws();
        if (i >= s.size() || s[i] != ':') return fail_at("expected ':'");
        i++;
        JSON m;
        if (!value(m)) return false;
        v.members.emplace_back(key, m);
        ws();
        if (i < s.size() && s[i] == ',') { i++; continue; }
        if (i < s.size() && s[i] == '}') return ++i, true;
        return fail_at("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind = JSON::Array;
      i++;
      ws();
      if (i < s.size() && s[i] == ']') return ++i, true;
      for (;;) {
        JSON item;
        if (!value(item)) return false;
        v.items.push_back(item);
        ws();
        if (i < s.size() && s[i] == ',') { i++; continue; }
        if (i < s.size() && s[i] == ']') return ++i, true;
        return fail_at("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind = JSON::String;
      return str(v.text);
    }
    if (s.compare(i, 4, "true") == 0) { v.kind = JSON::Bool; v.b = true; i += 4; return true; }
    if (s.compare(i, 5, "false") == 0) { v.kind = JSON::Bool; v.b = false; i += 5; return true; }
    if (s.compare(i, 4, "null") == 0) { v.kind = JSON::Null; i += 4; return true; }
    size_t start = i;
    while (i < s.size() && std::strchr("+-0123456789.eE", s[i])) i++;
    if (i == start) return fail_at("unexpected character");
    v.kind = JSON::Number;
    v.text = s.substr(start, i - start);
    return true;
  }
};

static bool parse_json(const std::string &in, JSON &out, std::string &err) {
  Reader r(in);
  if (!r.value(out)) {
    err = r.err;
    return false;
  }
  return true;
}

static std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

static std::string show(const JSON &v) {
  switch (v.kind) {
    case JSON::Absent: return "(absent)";
    case JSON::Null: return "null";
    case JSON::Bool: return v.b ? "true" : "false";
    case JSON::Number: return v.text;
    case JSON::String: return quote(v.text);
    case JSON::Array: {
      std::string out = "[";
      for (size_t k = 0; k < v.items.size(); k++) out += (k ? "," : "") + show(v.items[k]);
      return out + "]";
    }
    case JSON::Object: {
      std::string out = "{";
      for (size_t k = 0; k < v.members.size(); k++)
        out += (k ? "," : "") + quote(v.members[k].first) + ":" + show(v.members[k].second);
      return out + "}";
    }
  }
  return "?";
}

static const JSON ABSENT;

// compare: every expected member decoded with the same JSON type and value; a
// decoded member that was not sent fails unless it is null.
static void compare(const std::string &path, const JSON &want, const JSON &got) {
  if (want.kind == JSON::Object) {
    if (got.kind != JSON::Object) return fail(path, "sent " + show(want) + ", decoded " + show(got));
    for (const auto &m : want.members) {
      const JSON *g = got.get(m.first);
      compare(path + "." + m.first, m.second, g ? *g : ABSENT);
    }
    for (const auto &m : got.members)
      if (!want.get(m.first) && m.second.kind != JSON::Null)
        fail(path + "." + m.first + " (not sent)", "sent (absent), decoded " + show(m.second));
    return;
  }
  if (want.kind == JSON::Array) {
    if (got.kind != JSON::Array) return fail(path + " (array)", "sent " + show(want) + ", decoded " + show(got));
    if (got.items.size() != want.items.size())
      fail(path + " (item count)", "sent " + std::to_string(want.items.size()) + ", decoded " + std::to_string(got.items.size()));
    else
      ok(path + " (item count " + std::to_string(want.items.size()) + ")");
    for (size_t k = 0; k < want.items.size(); k++)
      compare(path + "[" + std::to_string(k) + "]", want.items[k], k < got.items.size() ? got.items[k] : ABSENT);
    return;
  }
  bool same = want.kind == got.kind;
  if (same && want.kind == JSON::Bool) same = want.b == got.b;
  if (same && want.kind == JSON::String) same = want.text == got.text;
  if (same && want.kind == JSON::Number) same = std::strtod(want.text.c_str(), nullptr) == std::strtod(got.text.c_str(), nullptr);
  if (same)
    ok(path + " = " + show(want));
  else
    fail(path, "sent " + show(want) + ", decoded " + show(got));
}

// ---------------------------------------------------------------------------
// Request values, built from the generated classes.

static std::string *str(struct soap *soap, const char *s) {
  std::string *p = soap_new_std__string(soap);
  p->assign(s);
  return p;
}

static ns2__WSUserUniversalIdentifier *user(struct soap *soap, const char *name, const char *domain, int id) {
  ns2__WSUserUniversalIdentifier *u = soap_new_ns2__WSUserUniversalIdentifier(soap);
  if (domain) u->DomainName = str(soap, domain);
  if (id) u->UserId = soap_new_int(soap), *u->UserId = id;
  if (name) u->UserName = str(soap, name);
  u->UserType = soap_new_ns2__WSUserType(soap);
  *u->UserType = ns2__WSUserType__SingleUser;
  return u;
}

static _ns1__SaveOutOfOfficeInfoForUser *build_oof(struct soap *soap) {
  ns2__SaveOutOfOfficeInfoForUserParams *p = soap_new_ns2__SaveOutOfOfficeInfoForUserParams(soap);
  p->User = user(soap, "jdoe", "CORP", 0);
  p->IsOutOfOfficeEnabled = soap_new_bool(soap);
  *p->IsOutOfOfficeEnabled = true;
  p->DelegateUsersToAdd = soap_new_ns2__ArrayOfWSUserUniversalIdentifier(soap);
  p->DelegateUsersToAdd->WSUserUniversalIdentifier.push_back(user(soap, "asmith", "CORP", 0));
  p->DelegateUsersToAdd->WSUserUniversalIdentifier.push_back(user(soap, nullptr, nullptr, 42));
  _ns1__SaveOutOfOfficeInfoForUser *req = soap_new__ns1__SaveOutOfOfficeInfoForUser(soap);
  req->parameters = p;
  return req;
}

template <class T>
static T *field(T *item, int no) {
  item->FieldNo = no;
  return item;
}

static ns2__WSIndexDataString *string_data(struct soap *soap, int no, const char *v) {
  ns2__WSIndexDataString *d = field(soap_new_ns2__WSIndexDataString(soap), no);
  d->DataValue = str(soap, v);
  return d;
}

static ns2__WSIndexDataInt *int_data(struct soap *soap, int no, int v) {
  ns2__WSIndexDataInt *d = field(soap_new_ns2__WSIndexDataInt(soap), no);
  d->DataValue = soap_new_int(soap);
  *d->DataValue = v;
  return d;
}

static ns2__WSCondition *condition(struct soap *soap, const char *cond, const char *field_name, ns2__WSTimeZone tz) {
  ns2__WSCondition *c = soap_new_ns2__WSCondition(soap);
  c->Condition = str(soap, cond);
  c->FieldNoOrName = str(soap, field_name);
  c->TimeZone = soap_new_ns2__WSTimeZone(soap);
  *c->TimeZone = tz;
  return c;
}

static _ns1__SavePortalUser *build_portal(struct soap *soap) {
  ns2__WSPortalUser *u = soap_new_ns2__WSPortalUser(soap);
  u->Email = str(soap, "portal@example.com");
  u->QueryNo = soap_new_int(soap);
  *u->QueryNo = 12;
  u->UserName = str(soap, "portal1");
  u->UserPwd = str(soap, "s3cret!");
  u->Conditions = soap_new_ns2__ArrayOfWSCondition(soap);
  u->Conditions->WSCondition.push_back(condition(soap, ">=5", "Amount", ns2__WSTimeZone__UTC));
  u->Conditions->WSCondition.push_back(condition(soap, "2024-01-01", "Created", ns2__WSTimeZone__ServerLocal));

  u->IndexDataItems = soap_new_ns2__ArrayOfWSIndexDataItem(soap);
  std::vector<ns2__WSIndexDataItem *> &items = u->IndexDataItems->WSIndexDataItem;
  for (int k = 0; k < 7; k++) items.push_back(soap_new_ns2__WSIndexDataItem(soap));
  items[0]->StringIndexData = string_data(soap, 1, "hello");
  items[1]->IntIndexData = int_data(soap, 2, 7);
  items[2]->DateIndexData = field(soap_new_ns2__WSIndexDataDate(soap), 3);
  items[2]->DateIndexData->DataISO8601Value = str(soap, "2017-07-23");
  items[3]->LogicalIndexData = field(soap_new_ns2__WSIndexDataLogical(soap), 4);
  items[3]->LogicalIndexData->DataValue = soap_new_bool(soap);
  *items[3]->LogicalIndexData->DataValue = true;
  items[4]->MoneyIndexData = field(soap_new_ns2__WSIndexDataMoney(soap), 5);
  // wsdl2h maps xs:decimal to xsd__decimal, a std::string: the scale is kept.
  items[4]->MoneyIndexData->DecimalDataValue = str(soap, "1234.50");
  items[5]->SingleKeywordData = field(soap_new_ns2__WSIndexDataSingleKeyword(soap), 6);
  items[5]->SingleKeywordData->DataValue = str(soap, "Sales");

  ns2__WSTableFieldDataRow *row = soap_new_ns2__WSTableFieldDataRow(soap);
  row->RowNo = soap_new_int(soap);
  *row->RowNo = 0;
  row->DataRowItems = soap_new_ns2__ArrayOfWSTableFieldDataRowItem(soap);
  ns2__WSTableFieldDataRowItem *cell1 = soap_new_ns2__WSTableFieldDataRowItem(soap);
  cell1->StringIndexData = string_data(soap, 71, "row-a");
  ns2__WSTableFieldDataRowItem *cell2 = soap_new_ns2__WSTableFieldDataRowItem(soap);
  cell2->IntIndexData = int_data(soap, 72, 3);
  row->DataRowItems->WSTableFieldDataRowItem.push_back(cell1);
  row->DataRowItems->WSTableFieldDataRowItem.push_back(cell2);
  items[6]->TableIndexData = field(soap_new_ns2__WSIndexDataTable(soap), 7);
  items[6]->TableIndexData->DataValue = soap_new_ns2__ArrayOfWSTableFieldDataRow(soap);
  items[6]->TableIndexData->DataValue->WSTableFieldDataRow.push_back(row);

  ns2__SavePortalUserParams *p = soap_new_ns2__SavePortalUserParams(soap);
  p->IsOneTimePwd = soap_new_bool(soap);
  *p->IsOneTimePwd = true;
  p->PortalUser = u;
  _ns1__SavePortalUser *req = soap_new__ns1__SavePortalUser(soap);
  req->parameters = p;
  return req;
}

static _ns1__SavePortalUser *build_invalid(struct soap *soap) {
  ns2__WSPortalUser *u = soap_new_ns2__WSPortalUser(soap);
  u->Email = str(soap, "x@example.com");
  u->QueryNo = soap_new_int(soap);
  *u->QueryNo = 0;
  u->CtgryNo = soap_new_int(soap);
  *u->CtgryNo = 0;
  ns2__SavePortalUserParams *p = soap_new_ns2__SavePortalUserParams(soap);
  p->PortalUser = u;
  _ns1__SavePortalUser *req = soap_new__ns1__SavePortalUser(soap);
  req->parameters = p;
  return req;
}

static std::string fault_text(Proxy &proxy) {
  char buf[2048];
  proxy.soap_sprint_fault(buf, sizeof buf);
  std::string s(buf);
  for (char &c : s)
    if (c == '\n') c = ' ';
  return s;
}

// http_get fetches url with gSOAP's own HTTP client.
static bool http_get(struct soap *soap, const char *url, std::string &body, std::string &err) {
  size_t len = 0;
  char *data = nullptr;
  if (soap_GET(soap, url, nullptr) || soap_begin_recv(soap) || (data = soap_http_get_body(soap, &len)) == nullptr ||
      soap_end_recv(soap)) {
    char buf[1024];
    soap_sprint_fault(soap, buf, sizeof buf);
    err = buf;
    soap_closesock(soap);
    return false;
  }
  body.assign(data, len);
  soap_closesock(soap);
  return true;
}

int main(int argc, char **argv) {
  std::map<std::string, std::string> args;
  for (int k = 1; k + 1 < argc; k += 2) args[argv[k]] = argv[k + 1];
  if (!args.count("--endpoint") || !args.count("--calls") || !args.count("--expected")) {
    std::fprintf(stderr, "usage: client --endpoint URL --calls URL --expected FILE [--user U --password P]\n");
    return 2;
  }
  const std::string endpoint = args["--endpoint"];
  const bool login = args.count("--user") > 0;
  const std::string userid = args["--user"], passwd = args["--password"], wrong_passwd = "wrong-" + passwd;

  JSON expected;
  {
    std::ifstream in(args["--expected"]);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string err;
    if (!in || !parse_json(ss.str(), expected, err)) {
      fail("read " + args["--expected"], err.empty() ? "cannot read" : err);
      std::printf("%d passed, %d failed\n", passed, failed);
      return 1;
    }
  }

  Proxy proxy(endpoint.c_str(), SOAP_C_UTFSTRING);
  proxy.soap->connect_timeout = 30;
  proxy.soap->send_timeout = 30;
  proxy.soap->recv_timeout = 30;
  // Sets HTTP Basic credentials for the next call of proxy p.
  auto authenticate = [&](Proxy &p, const std::string &password) {
    if (login) {
      p.soap->userid = userid.c_str();
      p.soap->passwd = password.c_str();
    }
  };
  std::printf("# endpoint: %s (gSOAP %d, soapcpp2 -%c)\n", endpoint.c_str(), GSOAP_VERSION, SOAP_VERSION[1] == '2' ? '2' : '1');

  const char *ops[2] = {"SaveOutOfOfficeInfoForUser", "SavePortalUser"};
  {
    _ns1__SaveOutOfOfficeInfoForUserResponse resp;
    authenticate(proxy, passwd);
    if (proxy.CALL_OOF(build_oof(proxy.soap), resp) == SOAP_OK)
      ok(std::string(ops[0]) + ": call succeeds");
    else
      fail(std::string(ops[0]) + ": call succeeds", fault_text(proxy));
  }
  {
    _ns1__SavePortalUserResponse resp;
    authenticate(proxy, passwd);
    if (proxy.CALL_PORTAL(build_portal(proxy.soap), resp) == SOAP_OK)
      ok(std::string(ops[1]) + ": call succeeds");
    else
      fail(std::string(ops[1]) + ": call succeeds", fault_text(proxy));
  }

  {
    struct soap *http = soap_new1(SOAP_C_UTFSTRING);
    http->connect_timeout = http->send_timeout = http->recv_timeout = 30;
    std::string body, err;
    JSON entries;
    if (!http_get(http, args["--calls"].c_str(), body, err)) {
      fail("call log fetched from " + args["--calls"], err);
    } else if (!parse_json(body, entries, err) || entries.kind != JSON::Array || entries.items.size() < 2) {
      fail("call log has at least 2 entries", err.empty() ? body.substr(0, 200) : err);
    } else {
      ok("call log fetched (" + std::to_string(entries.items.size()) + " entries)");
      size_t n = entries.items.size();
      for (int k = 0; k < 2; k++) {
        const JSON &entry = entries.items[n - 2 + k];
        const JSON *op = entry.get("operation");
        const JSON *params = entry.get("params");
        JSON want_op;
        want_op.kind = JSON::String;
        want_op.text = ops[k];
        compare(std::string(ops[k]) + ": operation", want_op, op ? *op : ABSENT);
        const JSON *want = expected.get(ops[k]);
        compare(std::string(ops[k]) + ": parameters", want ? *want : ABSENT, params ? *params : ABSENT);
      }
    }
    soap_destroy(http);
    soap_end(http);
    soap_free(http);
  }

  {
    const std::string desc = "SavePortalUser with QueryNo=0, CtgryNo=0";
    _ns1__SavePortalUserResponse resp;
    authenticate(proxy, passwd);
    int rc = proxy.CALL_PORTAL(build_invalid(proxy.soap), resp);
    if (rc == SOAP_OK) {
      fail(desc + ": returns SOAP_FAULT", "the call succeeded");
    } else if (rc != SOAP_FAULT || proxy.soap->fault == nullptr) {
      fail(desc + ": returns SOAP_FAULT", "error " + std::to_string(rc) + ": " + fault_text(proxy));
    } else {
      ok(desc + ": returns SOAP_FAULT");
      const char *code = *soap_faultcode(proxy.soap);
      const char *reason = proxy.soap_fault_string();
      std::printf("#   fault code=%s string=%s\n", code ? code : "(null)", reason ? reason : "(null)");
      // gSOAP maps the fault code's namespace onto its own SOAP-ENV prefix.
      std::string want = SOAP_VERSION[1] == '2' ? "SOAP-ENV:Sender" : "SOAP-ENV:Client";
      if (code && want == code)
        ok(desc + ": fault code is " + want);
      else
        fail(desc + ": fault code is " + want, std::string("got ") + (code ? code : "(null)"));
      if (reason && std::strstr(reason, "QueryNo"))
        ok(desc + ": fault string mentions QueryNo");
      else
        fail(desc + ": fault string mentions QueryNo", std::string("string was ") + (reason ? reason : "(null)"));
    }
  }

  if (login) {
    const std::string desc = "SaveOutOfOfficeInfoForUser with a wrong password";
    Proxy wrong(endpoint.c_str(), SOAP_C_UTFSTRING);
    wrong.soap->connect_timeout = wrong.soap->send_timeout = wrong.soap->recv_timeout = 30;
    _ns1__SaveOutOfOfficeInfoForUserResponse resp;
    authenticate(wrong, wrong_passwd);
    int rc = wrong.CALL_OOF(build_oof(wrong.soap), resp);
    if (rc == 401) {
      ok(desc + ": returns 401 (HTTP authentication failed)");
      std::printf("#   error=%d authrealm=%s\n", rc, wrong.soap->authrealm ? wrong.soap->authrealm : "(null)");
    } else if (rc == SOAP_OK) {
      fail(desc + ": returns 401 (HTTP authentication failed)", "the call succeeded");
    } else {
      fail(desc + ": returns 401 (HTTP authentication failed)", "error " + std::to_string(rc) + ": " + fault_text(wrong));
    }
    wrong.destroy();
  }

  proxy.destroy();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed > 0 ? 1 : 0;
}
