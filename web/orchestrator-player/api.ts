/** The orchestrator's REST API, as this page uses it; every failure is an Error a user can read. */

/** A session as the API answers it, as far as this page reads it. */
export interface Session {
  sessionId: string;
  state: string;
  jitUrl: string | null;
  iceServers: RTCIceServer[];
  restarts: number;
  lastError: string | null;
  endReason: string | null;
}

export interface SessionInput {
  url: string;
  channelCount?: number;
}

export interface MediaListing {
  roots: string[];
  files: { path: string; url: string }[];
  truncated: boolean;
}

/** Nest answers errors as {statusCode, message, error}; message may be a list. */
function reasonOf(statusText: string, body: unknown): string {
  if (body && typeof body === 'object') {
    const { message } = body as { message?: unknown };
    const text = Array.isArray(message) ? message.join('; ') : message;
    if (text) return String(text);
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
  return statusText || 'no reason given';
}

let apiToken = '';

/** The orchestrator's JIT_API_TOKEN, sent with every call from now on ('' for none). */
export function useApiToken(token: string): void {
  apiToken = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = apiToken ? { Authorization: `Bearer ${apiToken}` } : {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new Error(`${method} ${path}: the orchestrator cannot be reached (${(error as Error).message})`, { cause: error });
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  if (!response.ok) {
    const hint = response.status === 401 ? ' (enter the API token at the top of the page)' : '';
    throw new Error(`${method} ${path} → ${response.status}: ${reasonOf(response.statusText, parsed)}${hint}`);
  }
  return parsed as T;
}

const sessionPath = (id: string) => `/session/${encodeURIComponent(id)}`;

export const listMedia = () => call<MediaListing>('GET', '/media');
export const startSession = (request: { inputs: SessionInput[] }) => call<Session>('POST', '/session', request);
export const getSession = (id: string) => call<Session>('GET', sessionPath(id));
export const restartSession = (id: string, options: object = {}) => call<Session>('POST', `${sessionPath(id)}/restart`, options);
export const endSession = (id: string) => call<Session>('DELETE', sessionPath(id));
