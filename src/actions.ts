/**
 * User-facing actions (dialogs + notifications) shared by commands and panel:
 * rename, delete and New skill. Sync lives in syncActions.tsx.
 */
import {
  Dialog,
  InputDialog,
  Notification,
  showDialog
} from '@jupyterlab/apputils';

import { ISkill, Scope, errorMessage } from './api';
import { INewSkillState, NewSkillBody } from './components/NewSkillForm';
import { validateSkillName } from './validate';
import { SkillsModel } from './model';

export { syncAll, syncOne, syncLines, syncSummary } from './syncActions';

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
  const state: INewSkillState = {
    scope,
    name: '',
    description: '',
    problem: null
  };
  for (;;) {
    const result = await showDialog({
      title: 'New skill',
      body: new NewSkillBody(state),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Create' })],
      focusNodeSelector: '.jp-skills-new-name'
    });
    if (!result.button.accept) {
      return null;
    }
    const req = result.value;
    if (!req) {
      state.problem =
        validateSkillName(state.name) ??
        'A description is required: agents use it to decide when to load the skill.';
      continue;
    }
    state.problem = null;
    try {
      const detail = await model.client.createSkill(req);
      Notification.success(`Created ${detail.scope} skill ${detail.name}`, {
        autoClose: 4000
      });
      await model.refresh();
      return { scope: detail.scope, name: detail.name };
    } catch (error) {
      // Ask again, keeping what the user typed, with the server's answer.
      state.problem = errorMessage(error);
    }
  }
}
