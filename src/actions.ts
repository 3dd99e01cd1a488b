/**
 * User-facing actions (dialogs + notifications) shared by commands and panel.
 */
import {
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';

import {
  ISkill,
  Scope,
  SkillsApiError,
  SyncAllItem,
  errorMessage
} from './api';
import { shortSha, validateSkillName } from './validate';
import { SkillsModel } from './model';

export async function syncOne(
  model: SkillsModel,
  skill: { scope: Scope; name: string },
  force = false
): Promise<void> {
  if (model.isBusy(skill)) {
    return;
  }
  model.setBusy(skill, true);
  try {
    const result = await model.client.syncSkill(skill.scope, skill.name, {
      force
    });
    if (result.updated) {
      Notification.success(`${skill.name} updated to ${shortSha(result.ref)}`, {
        autoClose: 5000
      });
    } else {
      Notification.info(`${skill.name} is already up to date`, {
        autoClose: 4000
      });
    }
  } catch (error) {
    if (error instanceof SkillsApiError && error.status === 409 && !force) {
      model.setBusy(skill, false);
      const answer = await showDialog({
        title: 'Overwrite local changes?',
        body: `${skill.name} was changed locally (${error.message}). Syncing replaces your changes with the upstream version.`,
        buttons: [
          Dialog.cancelButton(),
          Dialog.warnButton({ label: 'Overwrite' })
        ]
      });
      if (answer.button.accept) {
        await syncOne(model, skill, true);
      }
      return;
    }
    if (error instanceof SkillsApiError && error.status === 410) {
      Notification.warning(
        `${skill.name}: upstream gone — the skill was kept and marked “Upstream gone”. ${error.message}`,
        { autoClose: 10000 }
      );
    } else {
      Notification.error(`${skill.name}: ${errorMessage(error)}`, {
        autoClose: 10000
      });
    }
  } finally {
    model.setBusy(skill, false);
    await model.refresh();
  }
}

/** "Synced N tracking skills: U updated, K unchanged, F failed" + failures. */
export function syncSummary(results: SyncAllItem[]): string {
  let updated = 0;
  let unchanged = 0;
  const failures: string[] = [];
  for (const r of results) {
    if ('error' in r) {
      failures.push(`${r.name}: ${r.error}`);
    } else if (r.updated) {
      updated++;
    } else {
      unchanged++;
    }
  }
  const n = results.length;
  let text =
    `Synced ${n} tracking skill${n === 1 ? '' : 's'}: ` +
    `${updated} updated, ${unchanged} unchanged, ${failures.length} failed`;
  if (failures.length) {
    text += '\n' + failures.join('\n');
  }
  return text;
}

export async function syncAll(model: SkillsModel): Promise<void> {
  if (model.syncingAll) {
    return;
  }
  model.syncingAll = true;
  const tracking = model.trackingSkills;
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
    const summary = syncSummary(results);
    Notification.dismiss(progress);
    Notification.emit(summary, failed ? 'warning' : 'success', {
      autoClose: failed ? false : 8000,
      actions: failed
        ? [
            {
              label: 'Details',
              caption: 'Show every failure',
              callback: () => {
                void showDialog({
                  title: 'Sync tracking skills',
                  body: summary,
                  buttons: [Dialog.okButton()]
                });
              }
            }
          ]
        : []
    });
  } catch (error) {
    Notification.dismiss(progress);
    Notification.error(`Sync tracking skills failed: ${errorMessage(error)}`, {
      autoClose: false
    });
  } finally {
    tracking.forEach(s => model.setBusy(s, false));
    model.syncingAll = false;
    await model.refresh();
  }
}

async function askName(
  title: string,
  label: string,
  initial: string
): Promise<string | null> {
  let value = initial;
  let problem: string | null = null;
  for (;;) {
    const result = await InputDialog.getText({
      title,
      label: problem ? `${label} — ${problem}` : label,
      text: value,
      placeholder: 'lowercase-with-hyphens',
      okLabel: title.split(' ')[0]
    });
    if (!result.button.accept || result.value === null) {
      return null;
    }
    value = result.value.trim();
    problem = validateSkillName(value);
    if (!problem) {
      return value;
    }
  }
}

export async function renameSkill(
  model: SkillsModel,
  skill: ISkill
): Promise<string | null> {
  const newName = await askName(`Rename ${skill.name}`, 'New name', skill.name);
  if (!newName || newName === skill.name) {
    return null;
  }
  try {
    await model.client.renameSkill(skill.scope, skill.name, newName);
    Notification.success(`Renamed ${skill.name} to ${newName}`, {
      autoClose: 4000
    });
    return newName;
  } catch (error) {
    Notification.error(
      `Could not rename ${skill.name}: ${errorMessage(error)}`,
      {
        autoClose: 8000
      }
    );
    return null;
  } finally {
    await model.refresh();
  }
}

export async function deleteSkill(
  model: SkillsModel,
  skill: ISkill
): Promise<boolean> {
  const answer = await showDialog({
    title: `Delete ${skill.name}?`,
    body: `This removes the ${skill.scope} skill folder “${skill.name}” and all its files.`,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  if (!answer.button.accept) {
    return false;
  }
  try {
    await model.client.deleteSkill(skill.scope, skill.name);
    Notification.success(`Deleted ${skill.name}`, { autoClose: 4000 });
    return true;
  } catch (error) {
    Notification.error(
      `Could not delete ${skill.name}: ${errorMessage(error)}`,
      {
        autoClose: 8000
      }
    );
    return false;
  } finally {
    await model.refresh();
  }
}

export async function createSkill(
  model: SkillsModel,
  scope: Scope
): Promise<{ scope: Scope; name: string } | null> {
  const name = await askName('Create skill', 'Skill name', '');
  if (!name) {
    return null;
  }
  try {
    const detail = await model.client.createSkill({
      scope,
      name,
      description: `Describe when to use ${name}.`
    });
    return { scope: detail.scope, name: detail.name };
  } catch (error) {
    Notification.error(`Could not create ${name}: ${errorMessage(error)}`, {
      autoClose: 8000
    });
    return null;
  } finally {
    await model.refresh();
  }
}
