#!/usr/bin/env node
// fake-upstream.js — scriptable fake OpenAI upstream for the routeledger-router end-to-end tests.
// Node >= 18, standard library only.
//
// Start:   PORT=0 node tests/router/fake-upstream.js
//          Prints exactly one stdout line `listening <port>` once it accepts connections
//          (PORT unset or 0 = ephemeral). Exits 0 on SIGTERM/SIGINT. Set FAKE_UPSTREAM_VERBOSE=1 to
//          log each request to stderr. With TLS_CERT and TLS_KEY (PEM file paths) it serves HTTPS.
//
// Upstream API (any path prefix, e.g. /v1/... or /a/v1/...; the recorded `path` tells them apart):
//   POST <prefix>/chat/completions   behaviour chosen by the body's `model`:
//        1. the control table entry for that exact model, else
//        2. `<anything>@<behaviour>` (e.g. `small@status:503`) uses <behaviour>, else
//        3. `ok`.
//   GET  <prefix>/models             {"object":"list","data":[{"id":"fake-small",...}]}
//
// Behaviours:
//   ok                  200 chat.completion, content "reply from <model>", usage (defaults
//                       prompt 12 / completion 11 / cached 0 / reasoning 0). With "stream": true:
//                       SSE role chunk, 3 content chunks, finish chunk, [usage chunk with "choices":[]
//                       only if stream_options.include_usage], `data: [DONE]`; one res.write per event,
//                       `chunk_delay_ms` between events.
//   status:<code>       that status + OpenAI error body; 429 also sends `retry-after: 1`.
//   fail_first:<n>:<c>  first n requests for the model get status:<c>, then ok (counter per model).
//   slow:<ms>           wait ms (before any header), then ok.
//   hang                read the request, never answer.
//   hang_mid_stream     200 SSE headers + role chunk + 1 content chunk, then nothing (even if the
//                       request was not streaming).
//   reset               destroy the socket right after reading the request (no response bytes; FIN).
//   reset_mid_stream    SSE headers + 2 chunks (role + 1 content), then destroy the socket (even if
//                       the request was not streaming; the chunked body is left incomplete).
//   reset_mid_body      content-length of the full JSON, only the first half of the body, then destroy.
//                       (For a streaming request it behaves like reset_mid_stream.)
//   garbage             200 application/json body `this is not json {{{`.
//   html_502            502 text/html load-balancer page.
//
// Control API:
//   POST /control/behaviours  {"<model>": "<behaviour>" | {"behaviour": "...", "usage": {...},
//                              "chunk_delay_ms": N}}  — each listed model's entry is replaced (other
//                              models kept) and its fail_first counter reset. `usage` accepts the
//                              OpenAI shape (prompt_tokens, completion_tokens, total_tokens,
//                              prompt_tokens_details.cached_tokens,
//                              completion_tokens_details.reasoning_tokens) or flat `cached_tokens` /
//                              `reasoning_tokens`; missing fields keep their defaults; total defaults to
//                              prompt + completion. `"usage": null` omits usage from the response
//                              (and the stream's usage chunk); `"raw_usage": <any JSON>` sends that
//                              as `usage`, unchecked. Invalid behaviour strings → 400.
//   GET  /control/behaviours  the current table.
//   POST /control/reset       clears the table, counters and recorded requests.
//   GET  /control/stats       {"requests": N, "by_model": {model: count},
//                              "last_requests": [{path, model, authorization, stream, include_usage,
//                              body}, ... last 50, oldest first]}  (every chat/completions request,
//                              including malformed ones: model/body null then).
//   GET  /health              "ok"
// Malformed JSON body → 400 OpenAI error; unknown path → 404 OpenAI error.
//
// Example:
//   curl -s localhost:$P/control/behaviours -d '{"big":{"behaviour":"ok","usage":{"prompt_tokens":100}}}'
//   curl -s localhost:$P/v1/chat/completions -d '{"model":"small@status:503","messages":[]}'
'use strict';

const http = require('http');

const MAX_RECORDED = 50;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_USAGE = { prompt_tokens: 12, completion_tokens: 11, cached_tokens: 0, reasoning_tokens: 0 };
const verbose = !!process.env.FAKE_UPSTREAM_VERBOSE;

// ---- state -----------------------------------------------------------------------------------
let table = Object.create(null);        // model -> {behaviour, usage, chunk_delay_ms}
let failCounts = Object.create(null);   // model -> requests seen under fail_first
let requestCount = 0;
let byModel = Object.create(null);
let lastRequests = [];
let completionSeq = 0;

function resetState() {
  table = Object.create(null);
  failCounts = Object.create(null);
  requestCount = 0;
  byModel = Object.create(null);
  lastRequests = [];
}

// ---- behaviour parsing -----------------------------------------------------------------------
function parseBehaviour(s) {
  if (typeof s !== 'string') return null;
  let m;
  if (['ok', 'hang', 'hang_mid_stream', 'reset', 'reset_mid_stream', 'reset_mid_body', 'garbage',
       'html_502'].includes(s)) return { kind: s };
  if ((m = /^status:(\d{3})$/.exec(s))) return { kind: 'status', code: +m[1] };
  if ((m = /^fail_first:(\d+):(\d{3})$/.exec(s))) return { kind: 'fail_first', n: +m[1], code: +m[2] };
  if ((m = /^slow:(\d+)$/.exec(s))) return { kind: 'slow', ms: +m[1] };
  return null;
}

function normaliseEntry(v) {
  if (typeof v === 'string') v = { behaviour: v };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('entry must be a string or an object');
  const behaviour = v.behaviour === undefined ? 'ok' : v.behaviour;
  if (!parseBehaviour(behaviour)) throw new Error(`invalid behaviour ${JSON.stringify(behaviour)}`);
  const entry = { behaviour };
  if ('usage' in v) {
    if (v.usage !== null && (typeof v.usage !== 'object' || Array.isArray(v.usage))) throw new Error('usage must be an object or null');
    entry.usage = v.usage;
  }
  // raw_usage: sent exactly as given (any JSON), for answers whose usage is garbage.
  if ('raw_usage' in v) entry.raw_usage = v.raw_usage;
  if ('chunk_delay_ms' in v) {
    if (!Number.isFinite(v.chunk_delay_ms) || v.chunk_delay_ms < 0) throw new Error('chunk_delay_ms must be a non-negative number');
    entry.chunk_delay_ms = v.chunk_delay_ms;
  }
  return entry;
}

function resolve(model) {
  let entry = table[model];
  if (!entry) {
    const at = model.lastIndexOf('@');
    entry = at >= 0 ? { behaviour: model.slice(at + 1) } : { behaviour: 'ok' };
  }
  return { entry, behaviour: parseBehaviour(entry.behaviour) };
}

function buildUsage(override) {
  if (override === null) return null;
  const o = override || {};
  const num = (x, d) => (Number.isFinite(x) ? x : d);
  const prompt = num(o.prompt_tokens, DEFAULT_USAGE.prompt_tokens);
  const completion = num(o.completion_tokens, DEFAULT_USAGE.completion_tokens);
  const cached = num(o.prompt_tokens_details && o.prompt_tokens_details.cached_tokens,
                     num(o.cached_tokens, DEFAULT_USAGE.cached_tokens));
  const reasoning = num(o.completion_tokens_details && o.completion_tokens_details.reasoning_tokens,
                        num(o.reasoning_tokens, DEFAULT_USAGE.reasoning_tokens));
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: num(o.total_tokens, prompt + completion),
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0,
                                 accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

// ---- response helpers ------------------------------------------------------------------------
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const gone = (res) => res.destroyed || res.writableEnded || res.socket == null || res.socket.destroyed;

const ERROR_KINDS = {
  400: ['invalid_request_error', 'invalid_request'],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_denied', 'permission_denied'],
  404: ['invalid_request_error', 'not_found'],
  405: ['invalid_request_error', 'method_not_allowed'],
  408: ['server_error', 'timeout'],
  409: ['invalid_request_error', 'conflict'],
  413: ['invalid_request_error', 'request_too_large'],
  422: ['invalid_request_error', 'unprocessable_entity'],
  429: ['requests', 'rate_limit_exceeded'],
};

function sendError(res, status, message, extraHeaders) {
  if (gone(res)) return;
  const [type, code] = ERROR_KINDS[status] || (status >= 500 ? ['server_error', 'server_error'] : ['invalid_request_error', null]);
  const body = JSON.stringify({ error: { message, type, param: null, code } });
  res.writeHead(status, Object.assign({ 'content-type': 'application/json',
                                        'content-length': Buffer.byteLength(body) }, extraHeaders || {}));
  res.end(body);
}

function sendStatus(res, code) {
  sendError(res, code, `fake upstream status ${code}`, code === 429 ? { 'retry-after': '1' } : null);
}

function sendJson(res, status, obj) {
  if (gone(res)) return;
  const body = JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function completionParts(model) {
  return ['reply', ' from', ' ' + model];   // concatenated: "reply from <model>"
}

function completionJson(model, usage) {
  const obj = {
    id: `chatcmpl-${++completionSeq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: completionParts(model).join(''), refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    }],
    service_tier: 'default',
    system_fingerprint: null,
  };
  if (usage) obj.usage = usage;
  return obj;
}

// Returns the list of SSE event strings for a streamed completion.
function streamEvents(model, usage, includeUsage) {
  const id = `chatcmpl-${++completionSeq}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (delta, finish) => {
    const c = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default',
                system_fingerprint: null,
                choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
    if (includeUsage) c.usage = null;   // like OpenAI: usage:null on every chunk but the last
    return c;
  };
  const events = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const p of completionParts(model)) events.push(chunk({ content: p }, null));
  events.push(chunk({}, 'stop'));
  if (includeUsage && usage) {
    events.push({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default',
                  system_fingerprint: null, choices: [], usage });
  }
  const out = events.map((e) => `data: ${JSON.stringify(e)}\n\n`);
  out.push('data: [DONE]\n\n');
  return out;
}

function sseHead(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

// One res.write per event, delayMs between events; onLastFlushed runs once the last one is handed
// to the kernel. Returns false if the client went away.
async function writeEvents(res, events, delayMs, onLastFlushed) {
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && delayMs > 0) await sleep(delayMs);
    if (gone(res)) return false;
    if (i === events.length - 1 && onLastFlushed) res.write(events[i], onLastFlushed);
    else res.write(events[i]);
  }
  return true;
}

async function sendOk(res, ctx) {
  const { model, stream, includeUsage, entry } = ctx;
  const usage = 'raw_usage' in entry ? entry.raw_usage : buildUsage(entry.usage);
  if (!stream) return sendJson(res, 200, completionJson(model, usage));
  if (gone(res)) return;
  sseHead(res);
  if (await writeEvents(res, streamEvents(model, usage, includeUsage), entry.chunk_delay_ms || 0)) res.end();
}

// ---- chat/completions ------------------------------------------------------------------------
async function handleChat(req, res, path, raw) {
  let body = null;
  let parseError = null;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    parseError = e;
  }
  const ok = !parseError && body !== null && typeof body === 'object' && !Array.isArray(body);
  const model = ok && typeof body.model === 'string' ? body.model : null;
  const stream = ok && body.stream === true;
  const includeUsage = ok && stream && !!(body.stream_options && body.stream_options.include_usage === true);

  requestCount++;
  if (model !== null) byModel[model] = (byModel[model] || 0) + 1;   // requests counts malformed ones too
  lastRequests.push({ path, model, authorization: req.headers.authorization || null, stream,
                      include_usage: includeUsage, body: parseError ? null : body });
  if (lastRequests.length > MAX_RECORDED) lastRequests.splice(0, lastRequests.length - MAX_RECORDED);
  if (verbose) process.stderr.write(`fake-upstream: POST ${path} model=${model} stream=${stream}\n`);

  if (parseError) return sendError(res, 400, `We could not parse the JSON body of your request. (${parseError.message})`);
  if (!ok) return sendError(res, 400, 'The request body must be a JSON object.');
  if (model === null) return sendError(res, 400, 'you must provide a model parameter');

  const { entry, behaviour } = resolve(model);
  if (!behaviour) return sendError(res, 400, `fake upstream: unknown behaviour ${JSON.stringify(entry.behaviour)}`);
  const ctx = { model, stream, includeUsage, entry };

  switch (behaviour.kind) {
    case 'ok':
      return sendOk(res, ctx);
    case 'status':
      return sendStatus(res, behaviour.code);
    case 'fail_first': {
      const seen = failCounts[model] || 0;
      failCounts[model] = seen + 1;
      return seen < behaviour.n ? sendStatus(res, behaviour.code) : sendOk(res, ctx);
    }
    case 'slow':
      await sleep(behaviour.ms);
      return sendOk(res, ctx);
    case 'hang':
      return;   // never answer; the socket stays open until the client (or shutdown) closes it
    case 'hang_mid_stream': {
      sseHead(res);
      const ev = streamEvents(model, buildUsage(entry.usage), includeUsage);
      await writeEvents(res, ev.slice(0, 2), entry.chunk_delay_ms || 0);
      return;   // never end
    }
    case 'reset':
      req.socket.destroy();
      return;
    case 'reset_mid_body':
      if (!stream) {
        const full = Buffer.from(JSON.stringify(completionJson(model, buildUsage(entry.usage))));
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': full.length });
        res.write(full.subarray(0, Math.floor(full.length / 2)), () => req.socket.destroy());
        return;
      }
      // fall through: a streaming request gets reset_mid_stream
    case 'reset_mid_stream': {
      sseHead(res);
      const ev = streamEvents(model, buildUsage(entry.usage), includeUsage);
      await writeEvents(res, ev.slice(0, 2), entry.chunk_delay_ms || 0, () => req.socket.destroy());
      return;
    }
    case 'garbage': {
      const g = 'this is not json {{{';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(g) });
      return res.end(g);
    }
    case 'html_502': {
      const html = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n' +
                   '<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n' +
                   '</body>\r\n</html>\r\n';
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
      return res.end(html);
    }
  }
  return sendError(res, 500, 'fake upstream: unhandled behaviour');
}

// ---- control API -----------------------------------------------------------------------------
function handleControl(req, res, path, raw) {
  if (req.method === 'GET' && path === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    return res.end('ok');
  }
  if (req.method === 'GET' && path === '/control/stats') {
    return sendJson(res, 200, { requests: requestCount, by_model: byModel, last_requests: lastRequests });
  }
  if (req.method === 'GET' && path === '/control/behaviours') return sendJson(res, 200, table);
  if (req.method === 'POST' && path === '/control/reset') {
    resetState();
    return sendJson(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/control/behaviours') {
    let obj;
    try {
      obj = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      return sendError(res, 400, `invalid JSON: ${e.message}`);
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return sendError(res, 400, 'expected a JSON object');
    const updates = {};
    for (const [model, v] of Object.entries(obj)) {
      try {
        updates[model] = normaliseEntry(v);
      } catch (e) {
        return sendError(res, 400, `${model}: ${e.message}`);
      }
    }
    for (const [model, entry] of Object.entries(updates)) {
      table[model] = entry;
      delete failCounts[model];
    }
    return sendJson(res, 200, table);
  }
  return false;
}

// ---- server ----------------------------------------------------------------------------------
const tlsOptions = process.env.TLS_CERT && process.env.TLS_KEY
  ? { cert: require('fs').readFileSync(process.env.TLS_CERT), key: require('fs').readFileSync(process.env.TLS_KEY) }
  : null;
const handler = (req, res) => {
  res.on('error', () => {});
  const chunks = [];
  let size = 0;
  let tooBig = false;
  req.on('data', (c) => {
    size += c.length;
    if (size > MAX_BODY_BYTES) tooBig = true;
    else chunks.push(c);
  });
  req.on('error', () => {});
  req.on('end', () => {
    const path = (req.url || '/').split('?')[0];
    if (tooBig) return sendError(res, 413, 'request body too large');
    const raw = Buffer.concat(chunks);
    if (path === '/health' || path.startsWith('/control/')) {
      if (handleControl(req, res, path, raw) !== false) return;
      return sendError(res, 404, `Unknown request URL: ${req.method} ${path}.`);
    }
    if (path.endsWith('/chat/completions')) {
      if (req.method !== 'POST') return sendError(res, 405, `Method ${req.method} not allowed on ${path}.`);
      handleChat(req, res, path, raw).catch((e) => {
        process.stderr.write(`fake-upstream: ${e.stack || e}\n`);
        sendError(res, 500, 'fake upstream internal error');
      });
      return;
    }
    if (req.method === 'GET' && path.endsWith('/models')) {
      return sendJson(res, 200, { object: 'list', data: [
        { id: 'fake-small', object: 'model', created: 1700000000, owned_by: 'fake-upstream' },
        { id: 'fake-large', object: 'model', created: 1700000000, owned_by: 'fake-upstream' },
      ] });
    }
    return sendError(res, 404, `Unknown request URL: ${req.method} ${path}. Please check the URL for typos.`);
  });
};
const server = tlsOptions ? require('https').createServer(tlsOptions, handler) : http.createServer(handler);

server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
server.requestTimeout = 0;   // `hang` must not be cut short by the server
server.on('clientError', (err, socket) => {
  if (socket.writable && !socket.destroyed) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  else socket.destroy();
});

function shutdown() {
  server.close();
  if (server.closeAllConnections) server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

const port = Number.parseInt(process.env.PORT || '0', 10) || 0;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
