/**
 * Sync and Sync tracking skills: what people see when a sync answers.
 *
 * The UI branches on a 409's machine `reason`, never on its wording or on the
 * list's state: only `locally_modified` (upstream changed *and* there are
 * local edits to lose) asks to overwrite, in plain words, with the focus on
 * Cancel. Every other 409 (busy, changed_on_disk, not_writable, none at all)
 * is a failure whose message is behind Details. Server and frontend ship in
 * one wheel, so there is no older server without reasons to guess for.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { Scope, SkillsApiError, SyncAllItem, errorMessage } from './api';
import { SkillsModel } from './model';
import { TranslationBundle, bundle } from './trans';
import { shortSha } from './validate';

type SkillRef = { scope: Scope; name: string };

/** Called after a skill changed on disk (e.g. to reload open editors). */
export type AfterSync = (skill: SkillRef) => void | Promise<void>;

/** The 409 reason of local edits that a sync would overwrite. */
const LOCALLY_MODIFIED = 'locally_modified';

/** A dialog listing one line per item (a <ul>, so lines never run together). */
export function showDetails(
  title: string,
  lines: string[],
  trans?: TranslationBundle
): void {
  void showDialog({
    title,
    body: (
      <ul className="jp-skills-details">
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    ),
    buttons: [Dialog.okButton({ label: bundle(trans).__('Close') })]
  });
}

/** Ask before overwriting local edits; resolves true for Overwrite. */
export async function confirmOverwrite(
  names: string[],
  trans?: TranslationBundle
): Promise<boolean> {
  const t = bundle(trans);
  const answer = await showDialog({
    title: t.__('Overwrite local changes?'),
    body:
      names.length === 1
        ? t.__(
            'Overwrite your local changes to %1 with the upstream version?',
            names[0]
          )
        : t.__(
            'Overwrite your local changes to %1 skills (%2) with the upstream version?',
            names.length,
            names.join(', ')
          ),
    buttons: [
      Dialog.cancelButton({ label: t.__('Cancel') }),
      Dialog.warnButton({ label: t.__('Overwrite') })
    ],
    // Enter and the initial focus are on Cancel: losing edits takes a click.
    defaultButton: 0
  });
  return answer.button.accept;
}

/**
 * The reason behind Details. A `busy` 409 keeps the server's words: the skill
 * may be held by any request or process (a sync, an import, a save, another
 * server), and only the server knows which.
 */
function failureText(error: unknown, t: TranslationBundle): string {
  if (error instanceof SkillsApiError) {
    if (error.isConflict('pending')) {
      return t.__('an update is staged for review. %1', error.message);
    }
  }
  return errorMessage(error);
}

export interface ISyncOptions {
  force?: boolean;
  afterSync?: AfterSync;
  trans?: TranslationBundle;
}

export async function syncOne(
  model: SkillsModel,
  skill: SkillRef,
  options: ISyncOptions = {}
): Promise<void> {
  if (model.isBusy(skill)) {
    return;
  }
  const t = bundle(options.trans);
  const force = !!options.force;
  const wasModified = model.find(skill.scope, skill.name)?.locallyModified;
  const title = t.__('Sync %1', skill.name);
  model.setBusy(skill, true);
  let retry = false;
  try {
    const result = await model.client.syncSkill(skill.scope, skill.name, {
      force
    });
    if (result.updated) {
      Notification.success(
        t.__('%1 updated to %2', skill.name, shortSha(result.ref)),
        { autoClose: 5000 }
      );
      await options.afterSync?.(skill);
    } else if (wasModified) {
      Notification.info(
        t.__(
          'No upstream change for %1; your local edits are kept.',
          skill.name
        ),
        { autoClose: 6000 }
      );
    } else {
      Notification.info(t.__('%1 is already up to date', skill.name), {
        autoClose: 4000
      });
    }
  } catch (error) {
    if (
      error instanceof SkillsApiError &&
      error.isConflict(LOCALLY_MODIFIED) &&
      !force
    ) {
      model.setBusy(skill, false);
      retry = await confirmOverwrite([skill.name], t);
    } else if (error instanceof SkillsApiError && error.status === 410) {
      Notification.warning(
        t.__(
          '%1: upstream gone — the skill was kept and marked “Upstream gone”.',
          skill.name
        ),
        {
          autoClose: 10000,
          actions: [
            {
              label: t.__('Details'),
              callback: () => showDetails(title, [error.message], t)
            }
          ]
        }
      );
    } else {
      const reason = failureText(error, t);
      Notification.error(t.__('Could not sync %1', skill.name), {
        autoClose: false,
        actions: [
          {
            label: t.__('Details'),
            caption: t.__('Show the full reason'),
            callback: () =>
              showDetails(title, [t.__('%1: %2', skill.name, reason)], t)
          }
        ]
      });
    }
  } finally {
    model.setBusy(skill, false);
    await model.refresh();
  }
  if (retry) {
    await syncOne(model, skill, { ...options, force: true });
  }
}

/** A batch item that failed because local edits would be overwritten. */
function isLocallyModified(r: SyncAllItem): boolean {
  return 'error' in r && r.reason === LOCALLY_MODIFIED;
}

/** One line per skill: updated old→new, unchanged, or failed with the reason. */
export function syncLines(
  results: SyncAllItem[],
  before: Map<string, string | null> = new Map(),
  trans?: TranslationBundle
): string[] {
  const t = bundle(trans);
  return results.map(r => {
    if ('error' in r) {
      // Local edits are not a failure to explain with the API's words: say
      // what happened and what the summary's action does.
      return isLocallyModified(r)
        ? t.__(
            '%1 (%2): not updated — it has local edits, which were kept; use “Overwrite local changes…” to replace them',
            r.name,
            r.scope
          )
        : t.__('%1 (%2): failed — %3', r.name, r.scope, r.error);
    }
    if (r.updated) {
      const old = r.previousRef ?? before.get(`${r.scope}/${r.name}`) ?? null;
      return old
        ? t.__(
            '%1 (%2): updated %3 → %4',
            r.name,
            r.scope,
            shortSha(old),
            shortSha(r.ref)
          )
        : t.__('%1 (%2): updated to %3', r.name, r.scope, shortSha(r.ref));
    }
    return t.__('%1 (%2): unchanged', r.name, r.scope);
  });
}

/** "Synced N tracking skills: U updated, K unchanged, F failed". */
export function syncSummary(
  results: SyncAllItem[],
  trans?: TranslationBundle
): string {
  let updated = 0;
  let unchanged = 0;
  let failed = 0;
  for (const r of results) {
    if ('error' in r) {
      failed++;
    } else if (r.updated) {
      updated++;
    } else {
      unchanged++;
    }
  }
  return bundle(trans)._n(
    'Synced %1 tracking skill: %2 updated, %3 unchanged, %4 failed',
    'Synced %1 tracking skills: %2 updated, %3 unchanged, %4 failed',
    results.length,
    updated,
    unchanged,
    failed
  );
}

export async function syncAll(
  model: SkillsModel,
  options: { afterSync?: AfterSync; trans?: TranslationBundle } = {}
): Promise<void> {
  if (model.syncingAll) {
    return;
  }
  const { afterSync } = options;
  const t = bundle(options.trans);
  const title = t.__('Sync tracking skills');
  model.syncingAll = true;
  const tracking = model.trackingSkills;
  const before = new Map(
    tracking.map(s => [`${s.scope}/${s.name}`, s.trackingRef] as const)
  );
  tracking.forEach(s => model.setBusy(s, true));
  // The summary is a new notification rather than an update of the progress
  // one: an update that lands before JupyterLab has rendered the first toast
  // is lost, leaving "Syncing…" on screen forever.
  const progress = Notification.emit(
    t._n(
      'Syncing %1 tracking skill…',
      'Syncing %1 tracking skills…',
      tracking.length
    ),
    'in-progress',
    { autoClose: false }
  );
  try {
    const results = await model.client.syncAllTracking();
    const failed = results.some(r => 'error' in r);
    const modified = results.filter(isLocallyModified);
    const lines = syncLines(results, before, t);
    Notification.dismiss(progress);
    const actions: Notification.IAction[] = [
      {
        label: t.__('Details'),
        caption: t.__('Show the result of every skill'),
        callback: () => showDetails(title, lines, t)
      }
    ];
    if (modified.length) {
      const names = modified.map(r => r.name);
      actions.push({
        label: t.__('Overwrite local changes…'),
        caption: t.__('Sync %1 over local edits', names.join(', ')),
        callback: () => {
          void (async () => {
            if (await confirmOverwrite(names, t)) {
              for (const r of modified) {
                await syncOne(model, r, { force: true, afterSync, trans: t });
              }
            }
          })();
        }
      });
    }
    Notification.emit(syncSummary(results, t), failed ? 'warning' : 'success', {
      autoClose: failed ? false : 8000,
      actions
    });
    for (const r of results) {
      if (!('error' in r) && r.updated) {
        await afterSync?.(r);
      }
    }
  } catch (error) {
    Notification.dismiss(progress);
    const reason = errorMessage(error);
    Notification.error(t.__('Sync tracking skills failed'), {
      autoClose: false,
      actions: [
        {
          label: t.__('Details'),
          callback: () => showDetails(title, [reason], t)
        }
      ]
    });
  } finally {
    tracking.forEach(s => model.setBusy(s, false));
    model.syncingAll = false;
    await model.refresh();
  }
}
