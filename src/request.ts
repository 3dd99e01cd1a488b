/**
 * Transport and errors of the notebook-skills REST API: one `request` that
 * joins the URL, sends it through ServerConnection and turns every non-2xx
 * answer into a SkillsApiError carrying the server's `message` and `reason`.
 *
 * Imported by api.ts only (as extension-template's request.ts is by its
 * typed wrappers); everything else imports the errors from api.ts. The
 * messages this module writes itself (server unreachable, a status without
 * a JSON message, the extension missing) are translated with the bundle the
 * client was made with, so wherever an error is shown — a toast, a dialog,
 * the panel, JupyterLab's own editor through the drive — it is translated.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { TranslationBundle, bundle } from './trans';

export const NAMESPACE = 'notebook-skills';

// ---------------------------------------------------------------- errors

/** Machine causes of a 409 (contract §4; `not_writable`: read-only or permission denied). */
export type ConflictReason =
  | 'locally_modified'
  | 'busy'
  | 'exists'
  | 'pending'
  | 'changed_on_disk'
  | 'not_writable';

/** An error answered by the server: HTTP status, `message` and `reason`. */
export class SkillsApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string | null = null
  ) {
    super(message);
    this.name = 'SkillsApiError';
  }

  /** True for a 409 with this machine reason. */
  isConflict(reason: ConflictReason): boolean {
    return this.status === 409 && this.reason === reason;
  }
}

/** The command that enables the server extension (never translated). */
export const ENABLE_COMMAND = 'jupyter server extension enable notebook_skills';

/** The same sentence as the panel's banner (one message for translators). */
export function extensionMissingMessage(trans?: TranslationBundle): string {
  return bundle(trans).__(
    'The notebook-skills server extension is not enabled. Run %1 and restart JupyterLab.',
    ENABLE_COMMAND
  );
}

/** Untranslated, for callers without a bundle. */
export const EXTENSION_MISSING_MESSAGE = extensionMissingMessage();

/** The list route answered 404: the server extension is not loaded. */
export class ServerExtensionMissingError extends SkillsApiError {
  constructor(trans?: TranslationBundle) {
    super(404, extensionMissingMessage(trans));
    this.name = 'ServerExtensionMissingError';
  }
}

/** A human readable message for anything thrown by the client. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

// ---------------------------------------------------------------- transport

export type Settings = ServerConnection.ISettings;

export function defaultSettings(): Settings {
  return ServerConnection.makeSettings();
}

/** Where requests go, and the bundle the transport's own messages use. */
export interface IConnection {
  settings: Settings;
  trans?: TranslationBundle;
}

export async function request<T>(
  connection: IConnection,
  path: string,
  init: RequestInit = {},
  query?: Record<string, string>
): Promise<T> {
  const { settings } = connection;
  const t = bundle(connection.trans);
  let url = URLExt.join(settings.baseUrl, NAMESPACE, path);
  if (query) {
    url += URLExt.objectToQueryString(query);
  }
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new SkillsApiError(
      0,
      t.__(
        'Could not reach the Jupyter server: %1',
        (error as Error).message ?? String(error)
      )
    );
  }
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    // the server's own message (its words, not ours) when it sent one
    const message =
      stringField(data, 'message') ??
      (response.statusText
        ? t.__(
            'Request failed with status %1 (%2)',
            response.status,
            response.statusText
          )
        : t.__('Request failed with status %1', response.status));
    const reason = stringField(data, 'reason');
    throw new SkillsApiError(response.status, message, reason);
  }
  return data as T;
}

/** A string field of a JSON answer, or null. */
function stringField(data: unknown, key: string): string | null {
  const value =
    data && typeof data === 'object'
      ? (data as Record<string, unknown>)[key]
      : undefined;
  return typeof value === 'string' ? value : null;
}

/** RequestInit of a JSON call (no body: none sent). */
export function json(method: string, body?: unknown): RequestInit {
  return body === undefined
    ? { method }
    : { method, body: JSON.stringify(body) };
}
