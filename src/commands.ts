/**
 * Commands: palette (category "Skills"), panel context menu and keybindings.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  Notification,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import * as actions from './actions';
import { ISkill, Scope } from './api';
import { CommandIDs } from './commandIds';
import {
  DETAIL_CLASS,
  SkillDetailWidget,
  createDetailMainArea,
  detailWidgetId
} from './detail';
import { SkillDetailModel } from './detailModel';
import { syncIcon } from './icons';
import { showImportDialog } from './importDialog';
import { SkillsModel } from './model';

export { CommandIDs };

const CATEGORY = 'Skills';
const ROW_SELECTOR = '.jp-skills-row';
const PANEL_SELECTOR = '.jp-skills-panel';

export interface ICommandsOptions {
  app: JupyterFrontEnd;
  model: SkillsModel;
  editorServices: IEditorServices;
  tracker: WidgetTracker<MainAreaWidget<SkillDetailWidget>>;
  palette: ICommandPalette | null;
}

interface ISkillArgs {
  scope: Scope;
  name: string;
}

export function registerCommands(options: ICommandsOptions): void {
  const { app, model, editorServices, tracker, palette } = options;
  const { commands } = app;

  /** Skill from command args, or from the row under the context menu. */
  const target = (args: ReadonlyPartialJSONObject): ISkillArgs | null => {
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
    return t ? (model.find(t.scope, t.name) ?? null) : null;
  };

  const openSkill = async (t: ISkillArgs): Promise<void> => {
    const existing = tracker.find(
      w => w.id === detailWidgetId(t.scope, t.name)
    );
    if (existing) {
      app.shell.activateById(existing.id);
      return;
    }
    const detailModel = new SkillDetailModel({
      client: model.client,
      scope: t.scope,
      name: t.name,
      policy: () => model.policy
    });
    detailModel.skillChanged.connect(() => void model.refresh());
    const content = new SkillDetailWidget({
      model: detailModel,
      editorServices
    });
    const widget = createDetailMainArea(content);
    void tracker.add(widget);
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    await content.load();
  };

  const closeDetail = (t: ISkillArgs): void => {
    tracker.find(w => w.id === detailWidgetId(t.scope, t.name))?.dispose();
  };

  commands.addCommand(CommandIDs.importSkill, {
    label: args =>
      args.isPalette ? 'Skills: Import from GitHub…' : 'Import from GitHub…',
    caption: 'Import an Agent Skill from a GitHub repository',
    isEnabled: () => model.importAllowed,
    isVisible: () => model.importAllowed,
    execute: async args => {
      if (!model.importAllowed) {
        Notification.warning('GitHub import is disabled by your administrator');
        return;
      }
      const skill = await showImportDialog(model.client, {
        url: typeof args.url === 'string' ? args.url : undefined
      });
      if (skill) {
        Notification.success(
          `Imported ${skill.name} into ${skill.scope} skills${
            skill.tracksUpstream ? ' (tracking upstream)' : ''
          }`,
          { autoClose: 5000 }
        );
        await model.refresh();
      }
    }
  });

  commands.addCommand(CommandIDs.syncAll, {
    label: args =>
      args.isPalette ? 'Skills: Sync tracking skills' : 'Sync tracking skills',
    caption: 'Sync every skill that tracks upstream',
    icon: args => (args.isPalette ? undefined : syncIcon),
    isEnabled: () =>
      model.importAllowed &&
      model.trackingSkills.length > 0 &&
      !model.syncingAll,
    execute: () => actions.syncAll(model)
  });

  commands.addCommand(CommandIDs.refresh, {
    label: args => (args.isPalette ? 'Skills: Refresh' : 'Refresh'),
    caption: 'Reload the skills list',
    execute: () => model.refresh()
  });

  commands.addCommand(CommandIDs.create, {
    label: args => (args.isPalette ? 'Skills: New skill…' : 'New skill…'),
    execute: async args => {
      const scope = args.scope === 'project' ? 'project' : 'user';
      const created = await actions.createSkill(model, scope);
      if (created) {
        await openSkill(created);
      }
    }
  });

  commands.addCommand(CommandIDs.open, {
    label: 'Open skill',
    isEnabled: args => !!target(args),
    execute: async args => {
      const t = target(args);
      if (t) {
        await openSkill(t);
      }
    }
  });

  commands.addCommand(CommandIDs.sync, {
    label: 'Sync with upstream',
    isEnabled: args => {
      const s = skillOf(args);
      return !!s && s.tracksUpstream && model.importAllowed && !model.isBusy(s);
    },
    isVisible: args => !!skillOf(args)?.tracksUpstream,
    execute: async args => {
      const t = target(args);
      if (t) {
        await actions.syncOne(model, t);
        const open = tracker.find(
          w => w.id === detailWidgetId(t.scope, t.name)
        );
        if (open && !open.content.dirty) {
          await open.content.load();
        }
      }
    }
  });

  commands.addCommand(CommandIDs.rename, {
    label: 'Rename skill…',
    isEnabled: args => {
      const s = skillOf(args);
      return !!s && !s.managed;
    },
    execute: async args => {
      const s = skillOf(args);
      if (!s) {
        return;
      }
      const wasOpen = !!tracker.find(
        w => w.id === detailWidgetId(s.scope, s.name)
      );
      const newName = await actions.renameSkill(model, s);
      if (newName && wasOpen) {
        closeDetail(s);
        await openSkill({ scope: s.scope, name: newName });
      }
    }
  });

  commands.addCommand(CommandIDs.remove, {
    label: 'Delete skill…',
    isEnabled: args => {
      const s = skillOf(args);
      return !!s && !s.managed;
    },
    execute: async args => {
      const s = skillOf(args);
      if (s && (await actions.deleteSkill(model, s))) {
        closeDetail(s);
      }
    }
  });

  commands.addCommand(CommandIDs.save, {
    label: 'Save skill file',
    caption: 'Save the file open in the skill editor',
    isEnabled: () => {
      const w = tracker.currentWidget;
      return !!w && w.content.dirty && !w.content.model.readOnly;
    },
    execute: async () => {
      await tracker.currentWidget?.content.save();
    }
  });

  commands.addKeyBinding({
    command: CommandIDs.save,
    keys: ['Accel S'],
    selector: `.${DETAIL_CLASS}`
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
        category: CATEGORY,
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
