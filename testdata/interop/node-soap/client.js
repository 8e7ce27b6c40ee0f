#!/usr/bin/env node
// Interop check: node `soap` (npm, version pinned in package.json) as a client
// of thereforebridge.
//
//     node client.js --wsdl URL_OF_WSDL --calls URL_OF_CALL_LOG --expected expected.json [--soap 11|12]
//         [--user U --password P]
//
// Loads the bridge's ?wsdl with soap.createClientAsync, calls
// SaveOutOfOfficeInfoForUser and SavePortalUser on the WSDL's SOAP 1.1 port
// (ThereforeWS0001_SoapUserPassword) or, with --soap 12, on its SOAP 1.2 port
// with forceSoap12Headers (how node soap users send SOAP 1.2), using plain
// objects shaped like the WSDL's types. Reads the bridge's call log and compares
// every field with ../expected.json, then sends one invalid SavePortalUser
// (QueryNo = CtgryNo = 0) and expects node soap's fault error (an Error whose
// .root is the parsed envelope with a Body.Fault) naming QueryNo.
//
// --user/--password are HTTP Basic credentials, set the node soap way:
// client.setSecurity(new soap.BasicAuthSecurity(user, password)). With them, a
// last check sets up a second client whose password is wrong and expects its
// call to fail with node soap's fault error for the bridge's 401.
//
// `soap` is resolved from NODE_PATH (run.sh points it at the npm ci cache).
// Prints `ok - ...` / `FAIL - ...` per check, then `N passed, M failed`; exits 1
// when anything failed.
'use strict';

const fs = require('fs');
const path = require('path');
const soap = require('soap');

const TIMEOUT = 30000; // ms
const SERVICE = 'ThereforeService';
const PORTS = { 11: 'ThereforeWS0001_SoapUserPassword', 12: 'ThereforeWS0001_Soap12UserPassword' };
const ABSENT = Symbol('absent');

let passed = 0;
let failed = 0;
function ok(desc) {
  passed++;
  console.log(`ok - ${desc}`);
}
function fail(desc, detail) {
  failed++;
  console.log(`FAIL - ${desc}: ${detail}`);
}
function show(v) {
  return v === ABSENT ? '(absent)' : JSON.stringify(v);
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// compare: every expected member decoded with the same JSON type and value; a
// decoded member that was not sent fails unless it is null.
function compare(p, want, got) {
  if (isObject(want)) {
    if (!isObject(got)) return fail(p, `sent ${show(want)}, decoded ${show(got)}`);
    for (const k of Object.keys(want)) compare(`${p}.${k}`, want[k], k in got ? got[k] : ABSENT);
    for (const k of Object.keys(got)) {
      if (!(k in want) && got[k] !== null) fail(`${p}.${k} (not sent)`, `sent (absent), decoded ${show(got[k])}`);
    }
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got)) return fail(`${p} (array)`, `sent ${show(want)}, decoded ${show(got)}`);
    if (got.length !== want.length) fail(`${p} (item count)`, `sent ${want.length}, decoded ${got.length}`);
    else ok(`${p} (item count ${want.length})`);
    want.forEach((v, i) => compare(`${p}[${i}]`, v, i < got.length ? got[i] : ABSENT));
    return;
  }
  if (got !== ABSENT && typeof got === typeof want && got === want) ok(`${p} = ${show(want)}`);
  else fail(p, `sent ${show(want)}, decoded ${show(got)}`);
}

function user(name, domain, id) {
  const u = {};
  if (domain !== null) u.DomainName = domain;
  if (id !== null) u.UserId = id;
  if (name !== null) u.UserName = name;
  u.UserType = 'SingleUser';
  return u;
}

function buildOOF() {
  return {
    User: user('jdoe', 'CORP', null),
    IsOutOfOfficeEnabled: true,
    DelegateUsersToAdd: { WSUserUniversalIdentifier: [user('asmith', 'CORP', null), user(null, null, 42)] },
  };
}

function buildPortal() {
  return {
    IsOneTimePwd: true,
    PortalUser: {
      Email: 'portal@example.com',
      QueryNo: 12,
      UserName: 'portal1',
      UserPwd: 's3cret!',
      Conditions: {
        WSCondition: [
          { Condition: '>=5', FieldNoOrName: 'Amount', TimeZone: 'UTC' },
          { Condition: '2024-01-01', FieldNoOrName: 'Created', TimeZone: 'ServerLocal' },
        ],
      },
      IndexDataItems: {
        WSIndexDataItem: [
          { StringIndexData: { FieldNo: 1, DataValue: 'hello' } },
          { IntIndexData: { FieldNo: 2, DataValue: 7 } },
          { DateIndexData: { FieldNo: 3, DataISO8601Value: '2017-07-23' } },
          { LogicalIndexData: { FieldNo: 4, DataValue: true } },
          // xs:decimal as a string keeps the scale ("1234.50"); 1234.50 would be 1234.5.
          { MoneyIndexData: { FieldNo: 5, DecimalDataValue: '1234.50' } },
          { SingleKeywordData: { FieldNo: 6, DataValue: 'Sales' } },
          {
            TableIndexData: {
              FieldNo: 7,
              DataValue: {
                WSTableFieldDataRow: [
                  {
                    RowNo: 0,
                    DataRowItems: {
                      WSTableFieldDataRowItem: [
                        { StringIndexData: { FieldNo: 71, DataValue: 'row-a' } },
                        { IntIndexData: { FieldNo: 72, DataValue: 3 } },
                      ],
                    },
                  },
                ],
              },
            },
          },
        ],
      },
    },
  };
}

// call runs one operation on the chosen port (node soap's callback API).
function call(port, op, params) {
  return new Promise((resolve, reject) => {
    port[op]({ parameters: params }, (err, result) => (err ? reject(err) : resolve(result)), { timeout: TIMEOUT });
  });
}

async function fetchJSON(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

function describe(err) {
  const root = err && err.root;
  return `${err && err.name}: ${err && err.message}` + (root ? '' : ' (no .root: not a SOAP fault)');
}

// createPort loads the WSDL and returns the port for ver, with HTTP Basic
// security when login is [user, password].
async function createPort(wsdl, ver, login) {
  const client = await soap.createClientAsync(wsdl, {
    forceSoap12Headers: ver === '12',
    wsdl_options: { timeout: TIMEOUT },
  });
  if (login) client.setSecurity(new soap.BasicAuthSecurity(login[0], login[1]));
  const port = client[SERVICE][PORTS[ver]];
  if (!port) throw new Error(`no port ${SERVICE}/${PORTS[ver]} in the WSDL`);
  return port;
}

async function main() {
  const opts = { '--soap': '11', '--expected': path.join(__dirname, '..', 'expected.json') };
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) opts[argv[i]] = argv[i + 1];
  if (!opts['--wsdl'] || !opts['--calls'] || !PORTS[opts['--soap']]) {
    console.error('usage: node client.js --wsdl URL --calls URL [--expected FILE] [--soap 11|12] [--user U --password P]');
    return 2;
  }
  const ver = opts['--soap'];
  const expected = JSON.parse(fs.readFileSync(opts['--expected'], 'utf8'));

  const login = '--user' in opts ? [opts['--user'], opts['--password'] || ''] : null;
  let port;
  try {
    port = await createPort(opts['--wsdl'], ver, login);
    ok(`WSDL loaded, port ${PORTS[ver]} bound (node soap ${require('soap/package.json').version})`);
  } catch (err) {
    fail(`load WSDL ${opts['--wsdl']}`, describe(err));
    return 1;
  }

  const ops = [
    ['SaveOutOfOfficeInfoForUser', buildOOF()],
    ['SavePortalUser', buildPortal()],
  ];
  for (const [op, params] of ops) {
    try {
      await call(port, op, params);
      ok(`${op}: call succeeds`);
    } catch (err) {
      fail(`${op}: call succeeds`, describe(err));
    }
  }

  let entries = null;
  try {
    entries = await fetchJSON(opts['--calls']);
    if (!Array.isArray(entries) || entries.length < 2) {
      fail('call log has at least 2 entries', show(entries).slice(0, 200));
      entries = null;
    } else ok(`call log fetched (${entries.length} entries)`);
  } catch (err) {
    fail(`call log fetched from ${opts['--calls']}`, String(err));
  }
  if (entries) {
    const last = entries.slice(-2);
    ops.forEach(([op], i) => {
      const entry = last[i] || {};
      compare(`${op}: operation`, op, 'operation' in entry ? entry.operation : ABSENT);
      compare(`${op}: parameters`, expected[op], 'params' in entry ? entry.params : ABSENT);
    });
  }

  const desc = 'SavePortalUser with QueryNo=0, CtgryNo=0';
  try {
    await call(port, 'SavePortalUser', { PortalUser: { Email: 'x@example.com', QueryNo: 0, CtgryNo: 0 } });
    fail(`${desc}: raises a SOAP fault error`, 'no error raised');
  } catch (err) {
    const fault = err && err.root && err.root.Envelope && err.root.Envelope.Body && err.root.Envelope.Body.Fault;
    if (!fault) {
      fail(`${desc}: raises a SOAP fault error`, describe(err));
    } else {
      ok(`${desc}: raises a SOAP fault error (err.root.Envelope.Body.Fault)`);
      console.log(`#   ${err.message.split('\n')[0]}`);
      const code = ver === '11' ? fault.faultcode : fault.Code && fault.Code.Value;
      const text = ver === '11' ? fault.faultstring : fault.Reason && fault.Reason.Text;
      const reason = typeof text === 'object' && text !== null ? text.$value : text;
      const want = ver === '11' ? 'Client' : 'Sender';
      if (typeof code === 'string' && code.replace(/^.*:/, '') === want) ok(`${desc}: fault code is ${want}`);
      else fail(`${desc}: fault code is ${want}`, `got ${show(code)}`);
      if (typeof reason === 'string' && reason.includes('QueryNo')) ok(`${desc}: fault reason mentions QueryNo`);
      else fail(`${desc}: fault reason mentions QueryNo`, `reason was ${show(reason)}`);
    }
  }

  if (login) {
    const desc = 'SaveOutOfOfficeInfoForUser with a wrong password';
    try {
      const wrong = await createPort(opts['--wsdl'], ver, [login[0], `wrong-${login[1]}`]);
      await call(wrong, 'SaveOutOfOfficeInfoForUser', buildOOF());
      fail(`${desc}: raises a SOAP fault error`, 'no error raised');
    } catch (err) {
      const fault = err && err.root && err.root.Envelope && err.root.Envelope.Body && err.root.Envelope.Body.Fault;
      const status = err && err.response && err.response.status;
      if (fault) ok(`${desc}: raises a SOAP fault error (HTTP ${status})`);
      else fail(`${desc}: raises a SOAP fault error`, describe(err));
      console.log(`#   ${String(err && err.message).split('\n')[0]}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

main()
  .catch((err) => {
    fail('unexpected exception', err && err.stack ? err.stack : String(err));
    return 1;
  })
  .then((rc) => {
    if (rc !== 2) console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = rc;
  });
