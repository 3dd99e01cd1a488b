/**
 * What Import sends and what it answers: the request for the checked
 * candidates of one preview (pinned to the commits the preview showed) and
 * the outcome the dialog and its notifications report.
 */
import {
  ICandidate,
  IPreview,
  ISkillDetail,
  ISkillsClient,
  Scope
} from './api';

/** One imported (or replaced) skill, or a failure, after Import. */
export interface IImportOutcome {
  imported: ISkillDetail[];
  /** Names of the imported skills that replaced an existing one. */
  replaced: string[];
  errors: Array<{ path: string; message: string }>;
}

/** Everything one Import click decided, read off the form. */
export interface IImportPlan {
  preview: IPreview | null;
  /** The URL that was previewed. */
  previewUrl: string;
  isMarketplace: boolean;
  /** The checked candidates, in preview order. */
  selected: ICandidate[];
  /** The URL importing one candidate of a plain source on its own. */
  candidateUrl: (c: ICandidate) => string;
  scope: Scope;
  /** The name override ('' for none); the server applies it to one skill only. */
  name: string;
  /** null: omitted, so a replaced skill keeps its own tracking state. */
  tracksUpstream: boolean | null;
  overwrite: boolean | undefined;
  /** Installed names that replace an existing skill. */
  replacing: ReadonlySet<string>;
}

/**
 * The commit each external plugin of the selection was resolved at, so the
 * import installs what the user saw (local plugins ride on `sha`).
 */
export function pluginShas(
  preview: IPreview | null,
  selected: ICandidate[]
): Record<string, string> {
  const wanted = new Set(selected.map(c => c.plugin).filter(p => p));
  const shas: Record<string, string> = {};
  for (const p of preview?.plugins ?? []) {
    if (wanted.has(p.name) && p.source.kind !== 'local' && p.source.sha) {
      shas[p.name] = p.source.sha;
    }
  }
  return shas;
}

/** Send the import; a server refusal of the whole request throws. */
export async function importSelected(
  client: ISkillsClient,
  plan: IImportPlan
): Promise<IImportOutcome> {
  const { selected, tracksUpstream, overwrite } = plan;
  // install exactly the commits the preview showed, however late (CONTRACT §7)
  const sha = plan.preview?.source.sha || undefined;
  let outcome: IImportOutcome;
  if (selected.length === 1 && !plan.isMarketplace) {
    const c = selected[0];
    const skill = await client.importSkill({
      url: plan.candidateUrl(c),
      scope: plan.scope,
      name: plan.name || undefined,
      tracksUpstream,
      overwrite,
      sha
    });
    outcome = { imported: [skill], replaced: [], errors: [] };
  } else {
    // Marketplaces always by id: a skill of a plugin pinned by sha only
    // then keeps following the marketplace's pin (its own URL would not).
    const result = await client.importSkills({
      url: plan.previewUrl,
      scope: plan.scope,
      name: plan.name || undefined,
      tracksUpstream,
      overwrite,
      paths: selected.map(c => c.id),
      sha,
      pluginShas: plan.isMarketplace
        ? pluginShas(plan.preview, selected)
        : undefined
    });
    outcome = { imported: result.skills, replaced: [], errors: result.errors };
  }
  outcome.replaced = outcome.imported
    .map(s => s.name)
    .filter(n => plan.replacing.has(n));
  return outcome;
}

/** The dialog's error text for the skills that could not be imported. */
export function failuresText(outcome: IImportOutcome): string | null {
  return outcome.errors.length
    ? outcome.errors.map(e => `${e.path}: ${e.message}`).join('\n')
    : null;
}
