/**
 * Sync and Sync tracking skills: what people see when a sync answers.
 *
 * The UI branches on a 409's machine `reason`, never on its wording: only
 * `locally_modified` (upstream changed *and* there are local edits to lose)
 * asks to overwrite, in plain words, with the focus on Cancel.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import * as React from 'react';

import { Scope, SkillsApiError, SyncAllItem, errorMessage } from './api';
import { SkillsModel } from './model';
import { shortSha } from './validate';

type SkillRef = { scope: Scope; name: string };

/** Called after a skill changed on disk (e.g. to reload open editors). */
export type AfterSync = (skill: SkillRef) => void | Promise<void>;

function showDetails(title: string, lines: string[]): void {
  void showDialog({
    title,
    body: (
      <ul className="jp-skills-details">
        {lines.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    ),
    buttons: [Dialog.okButton({ label: 'Close' })]
  });
}

/** Ask before overwriting local edits; resolves true for Overwrite. */
export async function confirmOverwrite(names: string[]): Promise<boolean> {
  const what =
    names.length === 1
      ? names[0]
      : `${names.length} skills (${names.join(', ')})`;
  const answer = await showDialog({
    title: 'Overwrite local changes?',
    body: `Overwrite your local changes to ${what} with the upstream version?`,
    buttons: [
      Dialog.cancelButton({ label: 'Cancel' }),
      Dialog.warnButton({ label: 'Overwrite' })
    ],
    // Enter and the initial focus are on Cancel: losing edits takes a click.
    defaultButton: 0
  });
  return answer.button.accept;
}

function failureText(error: unknown): string {
  if (error instanceof SkillsApiError) {
    if (error.isConflict('busy')) {
      return 'another sync of this skill is running; try again in a moment.';
    }
    if (error.isConflict('pending')) {
      return `an update is staged for review. ${error.message}`;
    }
  }
  return errorMessage(error);
}

/**
 * Local edits stand in the way. A server that predates 409 reasons sends none:
 * then a 409 on a skill the list shows as Modified means the same thing.
 */
function isOverwriteConflict(
  error: SkillsApiError,
  wasModified: boolean | null | undefined
): boolean {
  if (error.isConflict('locally_modified')) {
    return true;
  }
  return error.status === 409 && error.reason === null && wasModified === true;
}

export async function syncOne(
  model: SkillsModel,
  skill: SkillRef,
  options: { force?: boolean; afterSync?: AfterSync } = {}
): Promise<void> {
  if (model.isBusy(skill)) {
    return;
  }
  const force = !!options.force;
  const wasModified = model.find(skill.scope, skill.name)?.locallyModified;
  model.setBusy(skill, true);
  let retry = false;
  try {
    const result = await model.client.syncSkill(skill.scope, skill.name, {
      force
    });
    if (result.updated) {
      Notification.success(`${skill.name} updated to ${shortSha(result.ref)}`, {
        autoClose: 5000
      });
      await options.afterSync?.(skill);
    } else if (wasModified) {
      Notification.info(
        `No upstream change for ${skill.name}; your local edits are kept.`,
        { autoClose: 6000 }
      );
    } else {
      Notification.info(`${skill.name} is already up to date`, {
        autoClose: 4000
      });
    }
  } catch (error) {
    if (
      error instanceof SkillsApiError &&
      isOverwriteConflict(error, wasModified) &&
      !force
    ) {
      model.setBusy(skill, false);
      retry = await confirmOverwrite([skill.name]);
    } else if (error instanceof SkillsApiError && error.status === 410) {
      Notification.warning(
        `${skill.name}: upstream gone — the skill was kept and marked “Upstream gone”.`,
        {
          autoClose: 10000,
          actions: [
            {
              label: 'Details',
              callback: () => showDetails(`Sync ${skill.name}`, [error.message])
            }
          ]
        }
      );
    } else {
      const reason = failureText(error);
      Notification.error(`Could not sync ${skill.name}`, {
        autoClose: false,
        actions: [
          {
            label: 'Details',
            caption: 'Show the full reason',
            callback: () =>
              showDetails(`Sync ${skill.name}`, [`${skill.name}: ${reason}`])
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
function isLocallyModified(model: SkillsModel, r: SyncAllItem): boolean {
  if (!('error' in r)) {
    return false;
  }
  if (r.reason) {
    return r.reason === 'locally_modified';
  }
  // Older servers send no reason per item: fall back to the list's state.
  return model.find(r.scope, r.name)?.locallyModified === true;
}

/** One line per skill: updated old→new, unchanged, or failed with the reason. */
export function syncLines(
  results: SyncAllItem[],
  before: Map<string, string | null> = new Map()
): string[] {
  return results.map(r => {
    if ('error' in r) {
      return `${r.name} (${r.scope}): failed — ${r.error}`;
    }
    if (r.updated) {
      const old = r.previousRef ?? before.get(`${r.scope}/${r.name}`) ?? null;
      return `${r.name} (${r.scope}): updated ${
        old ? `${shortSha(old)} → ` : 'to '
      }${shortSha(r.ref)}`;
    }
    return `${r.name} (${r.scope}): unchanged`;
  });
}

/** "Synced N tracking skills: U updated, K unchanged, F failed". */
export function syncSummary(results: SyncAllItem[]): string {
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
  const n = results.length;
  return (
    `Synced ${n} tracking skill${n === 1 ? '' : 's'}: ` +
    `${updated} updated, ${unchanged} unchanged, ${failed} failed`
  );
}

export async function syncAll(
  model: SkillsModel,
  afterSync?: AfterSync
): Promise<void> {
  if (model.syncingAll) {
    return;
  }
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
    `Syncing ${tracking.length} tracking skill${tracking.length === 1 ? '' : 's'}…`,
    'in-progress',
    { autoClose: false }
  );
  try {
    const results = await model.client.syncAllTracking();
    const failed = results.some(r => 'error' in r);
    const modified = results.filter(r => isLocallyModified(model, r));
    const lines = syncLines(results, before);
    Notification.dismiss(progress);
    const actions: Notification.IAction[] = [
      {
        label: 'Details',
        caption: 'Show the result of every skill',
        callback: () => showDetails('Sync tracking skills', lines)
      }
    ];
    if (modified.length) {
      actions.push({
        label: 'Overwrite local changes…',
        caption: `Sync ${modified.map(r => r.name).join(', ')} over local edits`,
        callback: () => {
          void (async () => {
            if (await confirmOverwrite(modified.map(r => r.name))) {
              for (const r of modified) {
                await syncOne(model, r, { force: true, afterSync });
              }
            }
          })();
        }
      });
    }
    Notification.emit(syncSummary(results), failed ? 'warning' : 'success', {
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
    Notification.error('Sync tracking skills failed', {
      autoClose: false,
      actions: [
        {
          label: 'Details',
          callback: () => showDetails('Sync tracking skills', [reason])
        }
      ]
    });
  } finally {
    tracking.forEach(s => model.setBusy(s, false));
    model.syncingAll = false;
    await model.refresh();
  }
}
