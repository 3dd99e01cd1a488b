/**
 * Skill files open in JupyterLab's editor (document contexts on the skills
 * drive): found through the document manager, reloaded from disk when the
 * server changed them behind the editor's back — a sync, the tracking toggle,
 * or a SKILL.md save whose product keys the server put back.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { Widget } from '@lumino/widgets';

import { Scope } from './api';
import { DRIVE_NAME, SkillsDrive } from './drive';
import { TranslationBundle } from './trans';

export interface ISkillRef {
  scope: Scope;
  name: string;
}

/** `{scope, name}` of a document path on the skills drive, else null. */
export function skillOfPath(path: string): ISkillRef | null {
  const m = new RegExp(`^${DRIVE_NAME}:(user|project)/([^/]+)/`).exec(path);
  return m ? { scope: m[1] as Scope, name: m[2] } : null;
}

export interface IOpenDocument {
  widget: Widget;
  context: DocumentRegistry.Context;
}

/** Open editors in the main area whose document path passes `match`. */
function findDocuments(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  match: (path: string) => boolean
): IOpenDocument[] {
  const found: IOpenDocument[] = [];
  for (const widget of app.shell.widgets('main')) {
    const context = docManager.contextForWidget(widget);
    if (context && match(context.path)) {
      found.push({ widget, context });
    }
  }
  return found;
}

/** Open editors of a skill's files (the drive paths they were opened by). */
export function documentsOfSkill(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  t: ISkillRef
): IOpenDocument[] {
  return findDocuments(app, docManager, path => {
    const s = skillOfPath(path);
    return !!s && s.scope === t.scope && s.name === t.name;
  });
}

/** Editors without unsaved edits show the file as it is on disk now. */
export async function reloadClean(docs: IOpenDocument[]): Promise<void> {
  const contexts = new Set(
    docs.map(d => d.context).filter(c => !c.model.dirty)
  );
  await Promise.all([...contexts].map(c => c.revert()));
}

/**
 * After a save the server stored differently (SKILL.md with its product keys
 * as the install record has them), the editor that saved reloads the file
 * once its save has completed, so what it shows is what is on disk.
 */
export function followRewrites(
  drive: SkillsDrive,
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  trans: TranslationBundle
): void {
  drive.rewritten.connect((_, localPath) => {
    const path = `${DRIVE_NAME}:${localPath}`;
    const contexts = new Set(
      findDocuments(app, docManager, p => p === path).map(d => d.context)
    );
    for (const context of contexts) {
      // The drive answers inside the context's save: wait for it to finish
      // (it marks the document clean), then load what the server stored.
      const onSave = (
        _: DocumentRegistry.Context,
        state: DocumentRegistry.SaveState
      ) => {
        if (state === 'started') {
          return;
        }
        context.saveState.disconnect(onSave);
        // Typed again while saving: those edits win; the next save is
        // stamped again.
        if (
          state !== 'completed' ||
          context.isDisposed ||
          context.model.dirty
        ) {
          return;
        }
        void context.revert();
        const skill = skillOfPath(path);
        Notification.info(
          trans.__(
            'Saved %1 of %2: notebook-skills keeps the source and tracking keys of the frontmatter as the skill records them, so the editor now shows the file as saved. Use Track upstream in the skill view to change tracking.',
            localPath.split('/').slice(2).join('/'),
            skill?.name ?? localPath
          ),
          { autoClose: 10000 }
        );
      };
      context.saveState.connect(onSave);
    }
  });
}
