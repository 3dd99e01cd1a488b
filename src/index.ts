import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { createClient } from './api';
import { CommandIDs, registerCommands } from './commands';
import { IPanelActions, SkillsPanel } from './components/SkillsPanel';
import { SkillDetailWidget } from './detail';
import { SkillsModel } from './model';

const PLUGIN_ID = 'notebook-skills:plugin';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Agent Skills panel: import from GitHub, track upstream, sync.',
  autoStart: true,
  requires: [IEditorServices],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    editorServices: IEditorServices,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const model = new SkillsModel({ client: createClient() });
    const tracker = new WidgetTracker<MainAreaWidget<SkillDetailWidget>>({
      namespace: 'notebook-skills-detail'
    });

    registerCommands({ app, model, editorServices, tracker, palette });

    const run = (command: string, args = {}) =>
      void app.commands.execute(command, args);
    const panelActions: IPanelActions = {
      importSkill: () => run(CommandIDs.importSkill),
      syncAll: () => run(CommandIDs.syncAll),
      refresh: () => run(CommandIDs.refresh),
      create: scope => run(CommandIDs.create, { scope }),
      open: s => run(CommandIDs.open, { scope: s.scope, name: s.name }),
      sync: s => run(CommandIDs.sync, { scope: s.scope, name: s.name }),
      rename: s => run(CommandIDs.rename, { scope: s.scope, name: s.name }),
      remove: s => run(CommandIDs.remove, { scope: s.scope, name: s.name })
    };

    const panel = new SkillsPanel(model, panelActions);
    app.shell.add(panel, 'left', { rank: 600 });
    if (restorer) {
      restorer.add(panel, 'notebook-skills-panel');
    }

    // Keep command states (palette, context menu) in step with the list.
    model.changed.connect(() => app.commands.notifyCommandChanged());

    if (settingRegistry) {
      void settingRegistry
        .load(PLUGIN_ID)
        .then(settings => {
          const apply = () => {
            const seconds = settings.get('refreshInterval').composite;
            if (typeof seconds === 'number' && seconds > 0) {
              model.refreshInterval = seconds;
            }
          };
          apply();
          settings.changed.connect(apply);
        })
        .catch(reason => {
          console.warn('notebook-skills: could not load settings', reason);
        });
    }

    // First load, so commands and badges are right before the panel opens.
    void model.refresh();
  }
};

export default plugin;
