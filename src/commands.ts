/**
 * Commands: palette (category "Skills"), the panel toolbar and context menu.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, downloadIcon, refreshIcon } from '@jupyterlab/ui-components';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import * as actions from './actions';
import { ISkill, Scope, errorMessage } from './api';
import { CommandIDs } from './commandIds';
import {
  SkillDetailWidget,
  createDetailMainArea,
  detailWidgetId
} from './detail';
import { SkillDetailModel } from './detailModel';
import { skillFilePath } from './drive';
import { syncIcon } from './icons';
import { showImportDialog } from './importDialog';
import { importedMessage, showImportFailures } from './importNotices';
import { SkillsModel, isInvalidFolder } from './model';
import {
  ISkillRef,
  documentsOfSkill,
  reloadClean,
  skillOfPath
} from './openDocuments';

export { CommandIDs };

const ROW_SELECTOR = '.jp-skills-row';
const PANEL_SELECTOR = '.jp-skills-panel';
/** The file editor's factory: skill files open in JupyterLab's own editor. */
const EDITOR_FACTORY = 'Editor';

export interface ICommandsOptions {
  app: JupyterFrontEnd;
  model: SkillsModel;
  docManager: IDocumentManager;
  tracker: WidgetTracker<MainAreaWidget<SkillDetailWidget>>;
  palette: ICommandPalette | null;
  trans: TranslationBundle;
}

export function registerCommands(options: ICommandsOptions): void {
  const { app, model, docManager, tracker, palette, trans } = options;
  const { commands } = app;

  /** Skill from command args, or from the row under the context menu. */
  const target = (args: ReadonlyPartialJSONObject): ISkillRef | null => {
    if (typeof args.scope === 'string' && typeof args.name === 'string') {
      return { scope: args.scope as Scope, name: args.name };
    }
    const node = app.contextMenuHitTest(n => n.matches(ROW_SELECTOR));
    const scope = node?.dataset.scope;
    const name = node?.dataset.name;
    return scope && name ? { scope: scope as Scope, name } : null;
  };
  const skillOf = (args: ReadonlyPartialJSONObject): ISkill | null => {
    const t = target(args);
    const s = t ? (model.find(t.scope, t.name) ?? null) : null;
    return s && !isInvalidFolder(s) ? s : null;
  };

  const findDetail = (t: ISkillRef) =>
    tracker.find(w => w.id === detailWidgetId(t.scope, t.name));

  const openDocuments = (t: ISkillRef) => documentsOfSkill(app, docManager, t);

  /** After a sync: editors without unsaved edits show the new content. */
  const afterSync = async (t: ISkillRef): Promise<void> => {
    await reloadClean(openDocuments(t));
    const open = findDetail(t);
    if (open) {
      await open.content.load();
    }
  };

  const openSkill = async (t: ISkillRef): Promise<void> => {
    const existing = findDetail(t);
    if (existing) {
      app.shell.activateById(existing.id);
      return;
    }
    const detailModel = new SkillDetailModel({
      client: model.client,
      scope: t.scope,
      name: t.name,
      policy: () => model.policy,
      trans
    });
    detailModel.skillChanged.connect(async () => {
      // The tracking toggle rewrote SKILL.md: clean editors reload it.
      await reloadClean(openDocuments(t));
      await model.refresh();
    });
    const content = new SkillDetailWidget({
      model: detailModel,
      actions: {
        openFile: (s, path) =>
          void commands.execute(CommandIDs.openFile, {
            scope: s.scope,
            name: s.name,
            path
          }),
        sync: s => void commands.execute(CommandIDs.sync, { ...key(s) }),
        rename: s => void commands.execute(CommandIDs.rename, { ...key(s) }),
        remove: s => void commands.execute(CommandIDs.remove, { ...key(s) })
      },
      trans
    });
    const widget = createDetailMainArea(content);
    void tracker.add(widget);
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    await content.load();
  };

  /** Rename and Delete would strand unsaved edits: ask to save or close first. */
  const refuseIfDirty = (
    t: ISkillRef,
    action: 'rename' | 'delete'
  ): boolean => {
    const dirty = openDocuments(t).filter(d => d.context.model.dirty);
    if (!dirty.length) {
      return false;
    }
    const files = dirty
      .map(d => d.context.path.split('/').slice(2).join('/'))
      .join(', ');
    Notification.warning(
      action === 'rename'
        ? trans.__(
            'Cannot rename %1: %2 has unsaved changes. Save or close it first.',
            t.name,
            files
          )
        : trans.__(
            'Cannot delete %1: %2 has unsaved changes. Save or close it first.',
            t.name,
            files
          ),
      { autoClose: 8000 }
    );
    return true;
  };

  const closeSkill = (t: ISkillRef): void => {
    findDetail(t)?.dispose();
    for (const d of openDocuments(t)) {
      d.widget.dispose();
    }
  };

  commands.addCommand(CommandIDs.importSkill, {
    label: args =>
      args.isPalette
        ? trans.__('Skills: Import from GitHub…')
        : trans.__('Import from GitHub…'),
    caption: trans.__('Import from GitHub'),
    icon: args => (args.isPalette ? undefined : downloadIcon),
    isEnabled: () => model.importAllowed,
    isVisible: () => model.importAllowed,
    execute: async args => {
      if (!model.importAllowed) {
        Notification.warning(
          trans.__('GitHub import is disabled by your administrator')
        );
        return;
      }
      const outcome = await showImportDialog(model.client, {
        url: typeof args.url === 'string' ? args.url : undefined,
        githubUrl: model.githubUrl,
        trans
      });
      if (!outcome) {
        return;
      }
      for (const skill of outcome.imported) {
        Notification.success(
          importedMessage(trans, skill, outcome.replaced.includes(skill.name)),
          { autoClose: 5000 }
        );
      }
      if (outcome.errors.length) {
        const errors = outcome.errors;
        Notification.warning(
          trans._n(
            '%1 skill could not be imported',
            '%1 skills could not be imported',
            errors.length
          ),
          {
            autoClose: false,
            actions: [
              {
                label: trans.__('Details'),
                callback: () => showImportFailures(trans, errors)
              }
            ]
          }
        );
      }
      await model.refresh();
    }
  });

  commands.addCommand(CommandIDs.syncAll, {
    label: args =>
      args.isPalette
        ? trans.__('Skills: Sync tracking skills')
        : trans.__('Sync tracking skills'),
    caption: trans.__('Sync tracking skills'),
    icon: args => (args.isPalette ? undefined : syncIcon),
    className: args =>
      !args.isPalette && model.syncingAll ? 'jp-mod-spinning' : '',
    isEnabled: () =>
      model.importAllowed &&
      model.trackingSkills.length > 0 &&
      !model.syncingAll,
    isVisible: () => model.trackingSkills.length > 0,
    execute: () => actions.syncAll(model, { afterSync, trans })
  });

  commands.addCommand(CommandIDs.refresh, {
    label: args =>
      args.isPalette ? trans.__('Skills: Refresh') : trans.__('Refresh'),
    caption: trans.__('Refresh'),
    icon: args => (args.isPalette ? undefined : refreshIcon),
    execute: () => model.refresh()
  });

  commands.addCommand(CommandIDs.create, {
    label: args =>
      args.isPalette ? trans.__('Skills: New skill…') : trans.__('New skill…'),
    caption: trans.__('New skill'),
    icon: args => (args.isPalette ? undefined : addIcon),
    execute: async args => {
      const scope = args.scope === 'project' ? 'project' : 'user';
      const created = await actions.createSkill(model, scope, trans);
      if (created) {
        await openSkill(created);
      }
    }
  });

  commands.addCommand(CommandIDs.open, {
    label: trans.__('Open skill'),
    isEnabled: args => !!skillOf(args) || !!target(args),
    execute: async args => {
      const t = target(args);
      if (t) {
        await openSkill(t);
      }
    }
  });

  commands.addCommand(CommandIDs.openFile, {
    label: trans.__('Open skill file in the editor'),
    execute: async args => {
      const t = target(args);
      const path = typeof args.path === 'string' ? args.path : 'SKILL.md';
      if (!t) {
        return;
      }
      try {
        docManager.openOrReveal(
          skillFilePath(t.scope, t.name, path),
          EDITOR_FACTORY
        );
      } catch (error) {
        Notification.error(
          trans.__(
            'Could not open %1: %2',
            `${t.name}/${path}`,
            errorMessage(error)
          ),
          { autoClose: 8000 }
        );
      }
    }
  });

  commands.addCommand(CommandIDs.sync, {
    label: trans.__('Sync with upstream'),
    isEnabled: args => {
      const s = skillOf(args);
      return !!s && s.tracksUpstream && model.importAllowed && !model.isBusy(s);
    },
    isVisible: args => !!skillOf(args)?.tracksUpstream,
    execute: async args => {
      const t = target(args);
      if (t) {
        await actions.syncOne(model, t, { afterSync, trans });
        const open = findDetail(t);
        if (open) {
          await open.content.load();
        }
      }
    }
  });

  commands.addCommand(CommandIDs.rename, {
    label: trans.__('Rename skill…'),
    isEnabled: args => {
      const s = skillOf(args);
      return !!s && !s.managed;
    },
    execute: async args => {
      const s = skillOf(args);
      if (!s || refuseIfDirty(s, 'rename')) {
        return;
      }
      const wasOpen = !!findDetail(s);
      const newName = await actions.renameSkill(model, s, trans);
      if (newName) {
        closeSkill(s);
        if (wasOpen) {
          await openSkill({ scope: s.scope, name: newName });
        }
      }
    }
  });

  commands.addCommand(CommandIDs.remove, {
    label: trans.__('Delete skill…'),
    isEnabled: args => {
      const s = skillOf(args);
      return !!s && !s.managed;
    },
    execute: async args => {
      const s = skillOf(args);
      if (!s || refuseIfDirty(s, 'delete')) {
        return;
      }
      if (await actions.deleteSkill(model, s, trans)) {
        closeSkill(s);
      }
    }
  });

  // The panel highlights the skill whose view or file is active.
  app.shell.currentChanged?.connect((_, change) => {
    const w = change.newValue;
    if (!w) {
      return;
    }
    const detail = tracker.find(d => d === w);
    if (detail) {
      const { scope, name } = detail.content.model;
      model.current = `${scope}/${name}`;
      return;
    }
    const context = docManager.contextForWidget(w);
    const s = context ? skillOfPath(context.path) : null;
    model.current = s ? `${s.scope}/${s.name}` : null;
  });

  if (palette) {
    for (const command of [
      CommandIDs.importSkill,
      CommandIDs.syncAll,
      CommandIDs.refresh,
      CommandIDs.create
    ]) {
      palette.addItem({
        command,
        category: trans.__('Skills'),
        args: { isPalette: true }
      });
    }
  }

  // Context menu: row items first, then panel-wide items.
  let rank = 0;
  for (const command of [
    CommandIDs.open,
    CommandIDs.sync,
    CommandIDs.rename,
    CommandIDs.remove
  ]) {
    app.contextMenu.addItem({ command, selector: ROW_SELECTOR, rank: rank++ });
  }
  for (const command of [
    CommandIDs.importSkill,
    CommandIDs.syncAll,
    CommandIDs.refresh,
    CommandIDs.create
  ]) {
    app.contextMenu.addItem({
      command,
      selector: PANEL_SELECTOR,
      rank: 10 + rank++
    });
  }
}

function key(s: { scope: Scope; name: string }): ISkillRef {
  return { scope: s.scope, name: s.name };
}
