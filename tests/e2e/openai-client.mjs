// openai-client.mjs — drives routeledger-router with the official `openai` npm package (Node >= 20).
//
// Pinned: openai@6.49.0 (also in ./openai-version.txt, the single value CMake installs). 6.49.0 is the
// newest release without an `engines` restriction; every 7.x release requires node >= 22.
//
//   npm install --prefix "$DIR" openai@$(cat tests/e2e/openai-version.txt)
//   ROUTER_URL=http://127.0.0.1:8080/v1 ROUTER_API_KEY=sk-client OPENAI_MODULE_DIR="$DIR" \
//     node tests/e2e/openai-client.mjs
//
// Env:
//   ROUTER_URL           base URL incl. /v1 (required)
//   ROUTER_API_KEY       client key, sent as `Authorization: Bearer …` (required)
//   OPENAI_MODULE_DIR    folder where `npm install --prefix` ran; the package is imported from
//                        $OPENAI_MODULE_DIR/node_modules/openai/index.mjs (unset: bare `import('openai')`)
//   MODEL                model for (a) and (b); default `auto`
//   BLOCKED_MODEL        if set, (c) sends a request with this model and expects an HTTP error
//   STREAM_INCLUDE_USAGE if `1`, (b) also sends stream_options: {include_usage: true}
//   ROUTER_HEADERS       optional JSON object of extra request headers (e.g. X-RouteLedger-Team)
//
// Output: ONE line of JSON on stdout, exit 0:
//   {"openai_version":"6.49.0",
//    "json":   {"status":200,"headers":{"x-routeledger-tier":…,"x-routeledger-model":…,
//               "x-routeledger-rule":…,"x-routeledger-policy-version":…},
//               "id":…,"model":…,"content":"…","finish_reason":"stop","usage":{…}|null},
//    "stream": {"status":200,"headers":{…same four…},"content":"…","chunks":N,
//               "finish_reason":"stop"|null,"usage":{…}|null},
//    "blocked":{"status":403,"message":"…","type":"…","code":"…","param":…,"full_message":"403 …"}
//              | {"status":200,"unexpected_success":true,"content":"…"} | null (BLOCKED_MODEL unset)}
// Missing headers are null (the C++ test asserts on them). Any unexpected exception (connection
// error, timeout, HTTP error in (a)/(b), …): message on stderr, exit 1.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const PINNED_OPENAI_VERSION = '6.49.0';

const ROUTING_HEADERS = ['x-routeledger-tier', 'x-routeledger-model', 'x-routeledger-rule',
                         'x-routeledger-policy-version'];

async function loadOpenAI() {
  const dir = process.env.OPENAI_MODULE_DIR;
  if (!dir) {
    const mod = await import('openai');
    return { OpenAI: mod.default, version: mod.default.VERSION ?? null };
  }
  const pkgDir = path.resolve(dir, 'node_modules', 'openai');
  const mod = await import(pathToFileURL(path.join(pkgDir, 'index.mjs')).href);
  const version = createRequire(path.join(pkgDir, 'package.json'))('./package.json').version;
  return { OpenAI: mod.default, version };
}

function routingHeaders(response) {
  const out = {};
  for (const h of ROUTING_HEADERS) out[h] = response.headers.get(h);
  return out;
}

function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is required`);
  return v;
}

async function main() {
  const baseURL = requireEnv('ROUTER_URL');
  const apiKey = requireEnv('ROUTER_API_KEY');
  const model = process.env.MODEL || 'auto';
  const defaultHeaders = process.env.ROUTER_HEADERS ? JSON.parse(process.env.ROUTER_HEADERS) : undefined;

  const { OpenAI, version } = await loadOpenAI();
  if (version !== PINNED_OPENAI_VERSION) {
    process.stderr.write(`openai-client: warning: installed openai ${version}, pinned ${PINNED_OPENAI_VERSION}\n`);
  }
  const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 10_000, defaultHeaders });
  const messages = [{ role: 'user', content: 'What is the capital of France?' }];
  const result = { openai_version: version };

  // (a) non-streaming
  {
    const { data, response } = await client.chat.completions.create({ model, messages }).withResponse();
    const choice = data.choices?.[0];
    result.json = {
      status: response.status,
      headers: routingHeaders(response),
      id: data.id ?? null,
      model: data.model ?? null,
      content: choice?.message?.content ?? null,
      finish_reason: choice?.finish_reason ?? null,
      usage: data.usage ?? null,
    };
  }

  // (b) streaming
  {
    const params = { model, messages, stream: true };
    if (process.env.STREAM_INCLUDE_USAGE === '1') params.stream_options = { include_usage: true };
    const { data: stream, response } = await client.chat.completions.create(params).withResponse();
    let content = '';
    let chunks = 0;
    let finishReason = null;
    let usage = null;
    for await (const chunk of stream) {
      chunks++;
      content += chunk.choices?.[0]?.delta?.content ?? '';
      if (chunk.choices?.[0]?.finish_reason) finishReason = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    result.stream = { status: response.status, headers: routingHeaders(response), content, chunks,
                      finish_reason: finishReason, usage };
  }

  // (c) blocked model
  result.blocked = null;
  if (process.env.BLOCKED_MODEL) {
    try {
      const data = await client.chat.completions.create({ model: process.env.BLOCKED_MODEL, messages });
      result.blocked = { status: 200, unexpected_success: true,
                         content: data.choices?.[0]?.message?.content ?? null };
    } catch (err) {
      // APIConnectionError/APIConnectionTimeoutError are APIErrors without a status: unexpected.
      if (!(err instanceof OpenAI.APIError) || err.status === undefined) throw err;
      result.blocked = {
        status: err.status,
        message: err.error?.message ?? err.message,
        type: err.type ?? null,
        code: err.code ?? null,
        param: err.param ?? null,
        full_message: err.message,
      };
    }
  }

  return result;
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  main().then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0)),
    (err) => {
      const status = err?.status !== undefined ? ` (HTTP ${err.status})` : '';
      const cause = err?.cause ? `\ncause: ${err.cause?.stack ?? err.cause}` : '';
      process.stderr.write(`openai-client: ${err?.stack ?? err}${status}${cause}\n`);
      process.exit(1);
    });
}
