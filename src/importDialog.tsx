import { Dialog, ReactWidget } from '@jupyterlab/apputils';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { ISkillsClient, Scope } from './api';
import { ImportForm } from './components/ImportForm';
import { IImportOutcome, ImportFormModel } from './importModel';

const IMPORT_BUTTON = 1;

/**
 * A Dialog whose Import button (and Enter) previews first, then imports;
 * it closes only after an import, so server errors stay visible.
 */
class ImportDialog extends Dialog<IImportOutcome | null> {
  constructor(readonly form: ImportFormModel) {
    super({
      title: 'Import from GitHub',
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
    void this.form.submit().then(outcome => {
      if (outcome && outcome.imported.length) {
        this.outcome = outcome;
        super.resolve(IMPORT_BUTTON);
      }
    });
  }

  outcome: IImportOutcome | null = null;

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this._update();
  }

  private _update(): void {
    const button = this.node.querySelector<HTMLButtonElement>(
      '.jp-Dialog-button.jp-mod-accept'
    );
    if (!button) {
      return;
    }
    const f = this.form;
    // Before a preview, the Import button runs the preview.
    button.disabled = f.preview ? !f.canImport : !f.canPreview;
    button.title = f.preview ? '' : 'Preview the source first';
    const n = f.selected.length;
    const label = !f.preview
      ? 'Import'
      : f.existing.length && f.overwrite
        ? n > 1
          ? `Replace ${n} skills`
          : 'Replace'
        : n > 1
          ? `Import ${n} skills`
          : 'Import';
    const text = button.querySelector('.jp-Dialog-buttonLabel');
    if (text && text.textContent !== label) {
      text.textContent = label;
    }
    button.setAttribute('aria-label', label);
  }
}

/** Open the dialog; resolves with what was imported, or null if cancelled. */
export async function showImportDialog(
  client: ISkillsClient,
  options: { scope?: Scope; url?: string; githubUrl?: string } = {}
): Promise<IImportOutcome | null> {
  const form = new ImportFormModel(
    client,
    options.scope ?? 'user',
    options.githubUrl
  );
  if (options.url) {
    form.url = options.url;
  }
  const dialog = new ImportDialog(form);
  await dialog.launch();
  const outcome = dialog.outcome;
  dialog.dispose();
  return outcome;
}
