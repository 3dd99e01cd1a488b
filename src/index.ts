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
import { IDocumentManager } from '@jupyterlab/docmanager';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator } from '@jupyterlab/translation';

import { createClient } from './api';
import { CommandIDs, registerCommands } from './commands';
import { IPanelActions, SkillsPanel } from './components/SkillsPanel';
import { SkillDetailWidget } from './detail';
import { SkillsDrive } from './drive';
import { SkillsModel } from './model';
import { followRewrites } from './openDocuments';
import { TRANSLATION_DOMAIN, bundle } from './trans';
import { ISkillsModel } from './tokens';

export { ISkillsModel } from './tokens';
export { DRIVE_NAME, skillFilePath } from './drive';

const PLUGIN_ID = 'notebook-skills:plugin';

const plugin: JupyterFrontEndPlugin<ISkillsModel> = {
  id: PLUGIN_ID,
  description: 'Agent Skills panel: import from GitHub, track upstream, sync.',
  autoStart: true,
  requires: [IDocumentManager],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ITranslator],
  provides: ISkillsModel,
  activate: (
    app: JupyterFrontEnd,
    docManager: IDocumentManager,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null,
    translator: ITranslator | null
  ): ISkillsModel => {
    const trans = bundle(translator?.load(TRANSLATION_DOMAIN));
    const client = createClient(app.serviceManager.serverSettings, trans);
    const model = new SkillsModel({ client });

    // Bundle files open as `skills:<scope>/<name>/<path>` in the stock editor;
    // registered during activation so restored editor tabs find the drive.
    const drive = new SkillsDrive({
      client,
      serverSettings: app.serviceManager.serverSettings,
      trans
    });
    docManager.services.contents.addDrive(drive);
    followRewrites(drive, app, docManager, trans);

    const tracker = new WidgetTracker<MainAreaWidget<SkillDetailWidget>>({
      namespace: 'notebook-skills-detail'
    });
    registerCommands({ app, model, docManager, tracker, palette, trans });

    const run = (command: string, args = {}) =>
      void app.commands.execute(command, args);
    const panelActions: IPanelActions = {
      importSkill: () => run(CommandIDs.importSkill),
      create: scope => run(CommandIDs.create, { scope }),
      open: s => run(CommandIDs.open, { scope: s.scope, name: s.name }),
      sync: s => run(CommandIDs.sync, { scope: s.scope, name: s.name }),
      rename: s => run(CommandIDs.rename, { scope: s.scope, name: s.name }),
      remove: s => run(CommandIDs.remove, { scope: s.scope, name: s.name })
    };

    const panel = new SkillsPanel(model, panelActions, app.commands, trans);
    app.shell.add(panel, 'left', { rank: 600 });
    if (restorer) {
      restorer.add(panel, 'notebook-skills-panel');
      void restorer.restore(tracker, {
        command: CommandIDs.open,
        args: w => ({
          scope: w.content.model.scope,
          name: w.content.model.name
        }),
        name: w => w.id
      });
    }

    // Keep command states (toolbar, palette, context menu) in step with the list.
    // Toolbar buttons listen to their own command id only, so name each one.
    model.changed.connect(() => {
      for (const id of [
        CommandIDs.importSkill,
        CommandIDs.syncAll,
        CommandIDs.create,
        CommandIDs.refresh
      ]) {
        app.commands.notifyCommandChanged(id);
      }
      app.commands.notifyCommandChanged();
    });

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
    return model;
  }
};

export default plugin;
