#!/usr/bin/env node
// fixture-server.js — a scriptable HTTP(S) server for the source connectors' and the HTTP client's tests.
// Node >= 18, standard library only.
//
// Start:  PORT=0 node tests/sources/fixture-server.js      prints `listening <port>` when ready.
//         TLS_CERT=cert.pem TLS_KEY=key.pem               serve HTTPS instead.
//
// Control API (plain JSON):
//   POST /control/script   {"<path>": [response, response, ...], ...}
//        Requests to <path> (exact path, query ignored) get the responses in order; the last one repeats.
//        response = {"status": 200, "headers": {...}, "body": "text" | <json value>,
//                    "delay_ms": 0, "action": "reset" | "reset_mid_body" | "hang" | "truncate",
//                    "big_bytes": N}       (big_bytes: a JSON string body of about N bytes)
//        `reset` closes the socket without answering; `reset_mid_body` sends the headers (with the
//        full content-length) and half the body, then closes; `truncate` declares a longer
//        content-length than it sends and ends; `hang` never answers.
//   POST /control/litellm  {…}  answer LiteLLM's spend-log and daily-activity paths from a data set, with
//                          LiteLLM's semantics (litellm-emulator.js); POST /control/litellm/upsert [record]
//                          changes its daily records at once
//   POST /control/reset    forget scripts, the LiteLLM data set and recorded requests
//   GET  /control/requests [{method, path, url, query, headers, body}, ...] in arrival order (url: as sent)
//   Unscripted paths answer 404 with a JSON error.
'use strict';
const http = require('http');
const https = require('https');
const fs = require('fs');
const litellm = require('./litellm-emulator.js');

let scripts = {};
let served = {};
let requests = [];

function send(req, res, r) {
  const status = r.status || 200;
  let body = r.body === undefined ? '' : (typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
  if (r.big_bytes) body = JSON.stringify({ padding: 'x'.repeat(r.big_bytes) });
  const headers = Object.assign({ 'content-type': 'application/json' }, r.headers || {});
  const buf = Buffer.from(body, 'utf8');
  if (r.action === 'reset') { req.socket.destroy(); return; }
  if (r.action === 'hang') return;
  if (r.action === 'reset_mid_body') {
    headers['content-length'] = buf.length;
    res.writeHead(status, headers);
    res.write(buf.subarray(0, Math.floor(buf.length / 2)));
    setTimeout(() => req.socket.destroy(), 20);
    return;
  }
  if (r.action === 'truncate') {
    headers['content-length'] = buf.length + 100;
    res.writeHead(status, headers);
    res.write(buf);
    setTimeout(() => req.socket.destroy(), 20);
    return;
  }
  headers['content-length'] = buf.length;
  res.writeHead(status, headers);
  res.end(buf);
}

function handler(req, res) {
  res.on('error', () => {});
  const url = new URL(req.url, 'http://x');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (url.pathname.startsWith('/control/')) {
      if (req.method === 'POST' && url.pathname === '/control/script') {
        try { Object.assign(scripts, JSON.parse(body)); } catch (e) { res.writeHead(400); res.end('bad json'); return; }
        for (const p of Object.keys(JSON.parse(body))) served[p] = 0;
        res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); return;
      }
      if (req.method === 'POST' && (url.pathname === '/control/litellm' || url.pathname === '/control/litellm/upsert')) {
        try {
          if (url.pathname === '/control/litellm') litellm.configure(JSON.parse(body));
          else litellm.upsert(JSON.parse(body));
        } catch (e) { res.writeHead(400); res.end('bad json'); return; }
        res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); return;
      }
      if (req.method === 'POST' && url.pathname === '/control/reset') {
        scripts = {}; served = {}; requests = []; litellm.configure(null);
        res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); return;
      }
      if (req.method === 'GET' && url.pathname === '/control/requests') {
        const out = JSON.stringify(requests);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
        res.end(out); return;
      }
    }
    requests.push({ method: req.method, path: url.pathname, url: req.url, query: Object.fromEntries(url.searchParams),
                    headers: req.headers, body });
    if (!scripts[url.pathname] && litellm.handles(url.pathname)) {
      send(req, res, litellm.answer(url.pathname, Object.fromEntries(url.searchParams)));
      return;
    }
    const list = scripts[url.pathname];
    if (!list || list.length === 0) {
      send(req, res, { status: 404, body: { error: { message: 'no fixture for ' + url.pathname } } });
      return;
    }
    const i = Math.min(served[url.pathname] || 0, list.length - 1);
    served[url.pathname] = (served[url.pathname] || 0) + 1;
    const r = list[i];
    if (r.delay_ms) setTimeout(() => send(req, res, r), r.delay_ms); else send(req, res, r);
  });
}

const tls = process.env.TLS_CERT && process.env.TLS_KEY
  ? { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) } : null;
const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
server.keepAliveTimeout = 65000;
server.listen(Number.parseInt(process.env.PORT || '0', 10) || 0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => { server.close(); process.exit(0); });
