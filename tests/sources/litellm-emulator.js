// litellm-emulator.js — answers a LiteLLM proxy's spend-log and daily-activity endpoints from a data set,
// with LiteLLM's own semantics (gateway-apis.md §1.3, §1.4 and §9), so connector tests check behaviour and
// not a pinned query string:
//  - /spend/logs/v2 and /spend/logs/ui: start_date/end_date "YYYY-MM-DD HH:MM:SS" compared inclusively
//    with millisecond startTime (a row at HH:59:59.500 is after an end of HH:59:59), startTime desc,
//    page/page_size (1–100, 422 beyond), envelope {data, total, page, page_size, total_pages}.
//  - /team/daily/activity and /tag/daily/activity: daily records filtered by date (and team_ids), ordered by
//    date desc only (rows of one date in a new order at every request when order is "unstable"),
//    offset-paged (page_size default 10), each page's records aggregated into results; key metadata is the
//    key's CURRENT team and alias (a deleted key has none), entities are keyed by the row's own team
//    ("Unassigned" for none) or tag.
// State (POST /control/litellm): {spend_logs: [row], daily: [record], keys: {hash: {key_alias, team_id}},
//   teams: {id: {team_alias}}, order: "stable"|"unstable", changes: [{after_requests, upsert: [record]}]}.
// A daily record: {id, date, team_id|tag, api_key, model, custom_llm_provider, spend, prompt_tokens,
//   completion_tokens, cache_read_input_tokens, cache_creation_input_tokens, api_requests,
//   successful_requests, failed_requests}; an upsert replaces the record with the same id.
'use strict';

let state = null;
let served = 0;

function configure(body) {
  served = 0;
  if (body === null) { state = null; return; } // reset: the paths answer from scripts again
  state = Object.assign({ spend_logs: [], daily: [], keys: {}, teams: {}, order: 'stable', changes: [] }, body);
  served = 0;
}

function handles(path) {
  return state !== null && ['/spend/logs/v2', '/spend/logs/ui', '/team/daily/activity', '/tag/daily/activity']
    .includes(path);
}

function secondsBound(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text || '');
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : null;
}

function json(status, body) { return { status, body }; }

function spendLogs(query) {
  const start = secondsBound(query.start_date), end = secondsBound(query.end_date);
  if (start === null || end === null)
    return json(400, { error: 'Please provide start_date and end_date in the format YYYY-MM-DD HH:MM:SS' });
  const page = Number.parseInt(query.page || '1', 10), size = Number.parseInt(query.page_size || '50', 10);
  if (!(size >= 1 && size <= 100)) return json(422, { detail: 'page_size must be between 1 and 100' });
  const rows = state.spend_logs
    .filter((r) => { const t = Date.parse(r.startTime); return t >= start && t <= end; })
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
  const data = rows.slice((page - 1) * size, page * size);
  return json(200, { data, total: rows.length, page, page_size: size, total_pages: Math.ceil(rows.length / size) });
}

const kMetricFields = ['spend', 'prompt_tokens', 'completion_tokens', 'cache_read_input_tokens',
  'cache_creation_input_tokens', 'api_requests', 'successful_requests', 'failed_requests'];

function emptyMetrics() {
  const m = { total_tokens: 0 };
  for (const f of kMetricFields) m[f] = 0;
  return m;
}

function addTo(metrics, record) {
  for (const f of kMetricFields) metrics[f] += record[f] || 0;
  metrics.total_tokens += (record.prompt_tokens || 0) + (record.completion_tokens || 0);
}

function keyMetadata(hash) {
  const key = state.keys[hash];
  return { key_alias: key ? key.key_alias || null : null, team_id: key ? key.team_id || null : null };
}

// A stable pseudo-random order per request, for "unstable" pagination.
function scramble(id, salt) {
  let h = 2166136261 ^ salt;
  for (const c of String(id)) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

function dailyActivity(path, query) {
  if (!query.start_date || !query.end_date)
    return json(400, { error: 'Please provide start_date and end_date' });
  const byTag = path === '/tag/daily/activity';
  const entityField = byTag ? 'tag' : 'team_id';
  const page = Number.parseInt(query.page || '1', 10), size = Number.parseInt(query.page_size || '10', 10);
  const teams = query.team_ids ? query.team_ids.split(',') : null;
  const salt = served;
  const rows = state.daily
    .filter((r) => r.date >= query.start_date && r.date <= query.end_date)
    .filter((r) => !teams || teams.includes(r.team_id))
    .filter((r) => (byTag ? r.tag !== undefined : r.tag === undefined))
    .sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1)
      : state.order === 'unstable' ? scramble(a.id, salt) - scramble(b.id, salt) : (a.id < b.id ? -1 : 1)));
  const records = rows.slice((page - 1) * size, page * size);
  const days = new Map();
  const total = emptyMetrics();
  for (const r of records) {
    if (!days.has(r.date)) {
      days.set(r.date, { date: r.date, metrics: emptyMetrics(), breakdown: { models: {}, model_groups: {},
        mcp_servers: {}, providers: {}, api_keys: {}, entities: {} } });
    }
    const day = days.get(r.date);
    addTo(day.metrics, r);
    addTo(total, r);
    const b = day.breakdown;
    const group = (map, name, metadata) => {
      if (!map[name]) map[name] = { metrics: emptyMetrics(), metadata, api_key_breakdown: {} };
      addTo(map[name].metrics, r);
      const keys = map[name].api_key_breakdown;
      if (!keys[r.api_key]) keys[r.api_key] = { metrics: emptyMetrics(), metadata: keyMetadata(r.api_key) };
      addTo(keys[r.api_key].metrics, r);
    };
    if (r.model) group(b.models, r.model, {});
    group(b.providers, r.custom_llm_provider || 'unknown', {});
    if (!b.api_keys[r.api_key]) b.api_keys[r.api_key] = { metrics: emptyMetrics(), metadata: keyMetadata(r.api_key) };
    addTo(b.api_keys[r.api_key].metrics, r);
    const entity = r[entityField] || 'Unassigned';
    const team = byTag ? null : state.teams[entity];
    group(b.entities, entity, team && team.team_alias ? { team_alias: team.team_alias } : {});
  }
  const results = [...days.values()].sort((a, b) => (a.date < b.date ? 1 : -1));
  const totalPages = Math.ceil(rows.length / size);
  return json(200, { results, metadata: { total_spend: total.spend, total_prompt_tokens: total.prompt_tokens,
    total_completion_tokens: total.completion_tokens, total_tokens: total.total_tokens,
    total_api_requests: total.api_requests, total_successful_requests: total.successful_requests,
    total_failed_requests: total.failed_requests, total_cache_read_input_tokens: total.cache_read_input_tokens,
    total_cache_creation_input_tokens: total.cache_creation_input_tokens, page, total_pages: totalPages,
    has_more: page * size < rows.length } });
}

function upsert(records) {
  for (const record of records) {
    const at = state.daily.findIndex((r) => r.id === record.id);
    if (at >= 0) state.daily[at] = record; else state.daily.push(record);
  }
}

function answer(path, query) {
  const out = path.startsWith('/spend/logs') ? spendLogs(query) : dailyActivity(path, query);
  ++served;
  for (const change of state.changes) {
    if (change.after_requests === served && change.upsert) upsert(change.upsert);
  }
  return out;
}

module.exports = { configure, handles, answer, upsert };
