/**
 * What the Import from GitHub command says afterwards: one toast per imported
 * skill as a whole translated sentence, and the Details of the skills that
 * could not be imported, one per line.
 */
import { Scope } from './api';
import { showDetails } from './syncActions';
import { TranslationBundle } from './trans';

/** "Imported csv-helper in user skills (tracking upstream)": whole sentences. */
export function importedMessage(
  trans: TranslationBundle,
  skill: { name: string; scope: Scope; tracksUpstream: boolean },
  replaced: boolean
): string {
  const n = skill.name;
  const project = skill.scope === 'project';
  if (replaced) {
    if (skill.tracksUpstream) {
      return project
        ? trans.__('Replaced %1 in project skills (tracking upstream)', n)
        : trans.__('Replaced %1 in user skills (tracking upstream)', n);
    }
    return project
      ? trans.__('Replaced %1 in project skills', n)
      : trans.__('Replaced %1 in user skills', n);
  }
  if (skill.tracksUpstream) {
    return project
      ? trans.__('Imported %1 in project skills (tracking upstream)', n)
      : trans.__('Imported %1 in user skills (tracking upstream)', n);
  }
  return project
    ? trans.__('Imported %1 in project skills', n)
    : trans.__('Imported %1 in user skills', n);
}

/** What the Details of a partly failed import list: one line per skill. */
export function showImportFailures(
  trans: TranslationBundle,
  errors: ReadonlyArray<{ path: string; message: string }>
): void {
  showDetails(
    trans.__('Import from GitHub'),
    errors.map(e => trans.__('%1: %2', e.path, e.message)),
    trans
  );
}
