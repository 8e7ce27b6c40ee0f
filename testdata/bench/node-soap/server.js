#!/usr/bin/env node
// Load benchmark peer: a node `soap` server (npm, version pinned in
// package.json and package-lock.json) for the bridge's WSDL.
//
//     node server.js --wsdl wsdl/therefore.wsdl --port PORT
//
// soap.listen serves both operations on both ports of the WSDL (SOAP 1.1 and
// 1.2) at the bridge's path; each returns its empty response, so what is
// measured is node soap's own work: HTTP, parsing the envelope into objects
// and writing the response. Listens on 127.0.0.1 only, HTTP keep-alive on;
// prints "listening PORT" once ready. `soap` is resolved from NODE_PATH
// (install.sh puts node_modules in the harness's cache).
'use strict';

const fs = require('fs');
const http = require('http');
const soap = require('soap');

const PATH = '/theservice/v0001/soapun';

function arg(name) {
  const i = process.argv.indexOf(name);
  if (i < 0 || i + 1 >= process.argv.length) {
    console.error(`usage: server.js --wsdl FILE --port PORT (missing ${name})`);
    process.exit(2);
  }
  return process.argv[i + 1];
}

const wsdl = fs.readFileSync(arg('--wsdl'), 'utf8');
const port = Number(arg('--port'));

const operations = {
  SaveOutOfOfficeInfoForUser() {
    return {};
  },
  SavePortalUser() {
    return {};
  },
};
const services = {
  ThereforeService: {
    ThereforeWS0001_SoapUserPassword: operations,
    ThereforeWS0001_Soap12UserPassword: operations,
  },
};

const server = http.createServer((req, res) => {
  res.statusCode = 404;
  res.end();
});
server.keepAliveTimeout = 120000; // ms; the load generator keeps connections open
server.headersTimeout = 125000;
server.requestTimeout = 0;
server.listen(port, '127.0.0.1', () => {
  soap.listen(server, PATH, services, wsdl, () => {
    console.log(`listening ${server.address().port}`);
  });
});
