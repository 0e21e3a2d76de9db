/** The orchestrator's REST API, as this page uses it; every failure is an Error a user can read. */

/** Nest answers errors as {statusCode, message, error}; message may be a list. */
function reasonOf(statusText, body) {
  if (body && typeof body === 'object') {
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    if (message) return String(message);
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
  return statusText || 'no reason given';
}

let apiToken = '';

/** The orchestrator's JIT_API_TOKEN, sent with every call from now on ('' for none). */
export function useApiToken(token) {
  apiToken = token;
}

async function call(method, path, body) {
  const headers = apiToken ? { Authorization: `Bearer ${apiToken}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`${method} ${path}: the orchestrator cannot be reached (${error.message})`);
  }
  const text = await response.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) {
    const hint = response.status === 401 ? ' (enter the API token at the top of the page)' : '';
    throw new Error(`${method} ${path} → ${response.status}: ${reasonOf(response.statusText, parsed)}${hint}`);
  }
  return parsed;
}

export const listMedia = () => call('GET', '/media');
export const startSession = (request) => call('POST', '/session', request);
export const getSession = (id) => call('GET', `/session/${encodeURIComponent(id)}`);
export const restartSession = (id, options = {}) => call('POST', `/session/${encodeURIComponent(id)}/restart`, options);
export const endSession = (id) => call('DELETE', `/session/${encodeURIComponent(id)}`);
