import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import * as React from 'react';

import { ISkillDetail, ISkillsClient, Scope } from './api';
import { ImportForm } from './components/ImportForm';
import { ImportFormModel } from './importModel';

const IMPORT_BUTTON = 1;

/**
 * A Dialog whose Import button (and Enter) previews first, then imports;
 * it closes only after a successful import, so server errors stay visible.
 */
class ImportDialog extends Dialog<ISkillDetail | null> {
  constructor(readonly form: ImportFormModel) {
    super({
      title: 'Import skill from GitHub',
      body: ReactWidget.create(<ImportForm model={form} />),
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: 'Import', ariaLabel: 'Import' })
      ],
      defaultButton: IMPORT_BUTTON,
      focusNodeSelector: '.jp-skills-import-url'
    });
    this.addClass('jp-skills-import-dialog');
    form.stateChanged.connect(this._update, this);
  }

  resolve(index?: number): void {
    const i = index ?? IMPORT_BUTTON;
    if (i !== IMPORT_BUTTON) {
      super.resolve(i);
      return;
    }
    void this.form.submit().then(skill => {
      if (skill) {
        this.imported = skill;
        super.resolve(IMPORT_BUTTON);
      }
    });
  }

  imported: ISkillDetail | null = null;

  protected onAfterAttach(msg: import('@lumino/messaging').Message): void {
    super.onAfterAttach(msg);
    this._update();
  }

  private _update(): void {
    const button = this.node.querySelector<HTMLButtonElement>(
      '.jp-Dialog-button.jp-mod-accept'
    );
    if (button) {
      const f = this.form;
      // Before a preview, the Import button runs the preview.
      button.disabled = f.preview ? !f.canImport : !f.canPreview;
      button.title = f.preview ? '' : 'Preview the skill first';
    }
  }
}

/** Open the dialog; resolves with the imported skill, or null if cancelled. */
export async function showImportDialog(
  client: ISkillsClient,
  options: { scope?: Scope; url?: string } = {}
): Promise<ISkillDetail | null> {
  const form = new ImportFormModel(client, options.scope ?? 'user');
  if (options.url) {
    form.url = options.url;
  }
  const dialog = new ImportDialog(form);
  await dialog.launch();
  const skill = dialog.imported;
  dialog.dispose();
  return skill;
}
