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
import { TranslationBundle, bundle } from './trans';

export { syncAll, syncOne } from './syncActions';

async function askName(
  title: string,
  label: string,
  okLabel: string,
  initial: string,
  t: TranslationBundle
): Promise<string | null> {
  let value = initial;
  let problem: string | null = null;
  for (;;) {
    const result = await InputDialog.getText({
      title,
      label: problem ? t.__('%1 — %2', label, problem) : label,
      text: value,
      placeholder: t.__('lowercase-with-hyphens'),
      okLabel,
      cancelLabel: t.__('Cancel')
    });
    if (!result.button.accept || result.value === null) {
      return null;
    }
    value = result.value.trim();
    problem = validateSkillName(value, t);
    if (!problem) {
      return value;
    }
  }
}

export async function renameSkill(
  model: SkillsModel,
  skill: ISkill,
  trans?: TranslationBundle
): Promise<string | null> {
  const t = bundle(trans);
  const newName = await askName(
    t.__('Rename %1', skill.name),
    t.__('New name'),
    t.__('Rename'),
    skill.name,
    t
  );
  if (!newName || newName === skill.name) {
    return null;
  }
  try {
    await model.client.renameSkill(skill.scope, skill.name, newName);
    Notification.success(t.__('Renamed %1 to %2', skill.name, newName), {
      autoClose: 4000
    });
    return newName;
  } catch (error) {
    Notification.error(
      t.__('Could not rename %1: %2', skill.name, errorMessage(error)),
      { autoClose: 8000 }
    );
    return null;
  } finally {
    await model.refresh();
  }
}

export async function deleteSkill(
  model: SkillsModel,
  skill: ISkill,
  trans?: TranslationBundle
): Promise<boolean> {
  const t = bundle(trans);
  const answer = await showDialog({
    title: t.__('Delete %1?', skill.name),
    body:
      skill.scope === 'project'
        ? t.__(
            'This removes the project skill folder “%1” and all its files.',
            skill.name
          )
        : t.__(
            'This removes the user skill folder “%1” and all its files.',
            skill.name
          ),
    buttons: [
      Dialog.cancelButton({ label: t.__('Cancel') }),
      Dialog.warnButton({ label: t.__('Delete') })
    ]
  });
  if (!answer.button.accept) {
    return false;
  }
  try {
    await model.client.deleteSkill(skill.scope, skill.name);
    Notification.success(t.__('Deleted %1', skill.name), { autoClose: 4000 });
    return true;
  } catch (error) {
    Notification.error(
      t.__('Could not delete %1: %2', skill.name, errorMessage(error)),
      { autoClose: 8000 }
    );
    return false;
  } finally {
    await model.refresh();
  }
}

export async function createSkill(
  model: SkillsModel,
  scope: Scope,
  trans?: TranslationBundle
): Promise<{ scope: Scope; name: string } | null> {
  const t = bundle(trans);
  const state: INewSkillState = {
    scope,
    name: '',
    description: '',
    problem: null
  };
  for (;;) {
    const result = await showDialog({
      title: t.__('New skill'),
      body: new NewSkillBody(state, { scopes: model.scopes, trans: t }),
      buttons: [
        Dialog.cancelButton({ label: t.__('Cancel') }),
        Dialog.okButton({ label: t.__('Create') })
      ],
      focusNodeSelector: '.jp-skills-new-name'
    });
    if (!result.button.accept) {
      return null;
    }
    const req = result.value;
    if (!req) {
      state.problem =
        validateSkillName(state.name, t) ??
        t.__(
          'A description is required: agents use it to decide when to load the skill.'
        );
      continue;
    }
    state.problem = null;
    try {
      const detail = await model.client.createSkill(req);
      Notification.success(
        detail.scope === 'project'
          ? t.__('Created project skill %1', detail.name)
          : t.__('Created user skill %1', detail.name),
        { autoClose: 4000 }
      );
      await model.refresh();
      return { scope: detail.scope, name: detail.name };
    } catch (error) {
      // Ask again, keeping what the user typed, with the server's answer.
      state.problem = errorMessage(error);
    }
  }
}
