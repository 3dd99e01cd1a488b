/**
 * How a marketplace preview is shown: one group per plugin (and one for the
 * skills no plugin lists), each with its own errors, narrowed by a filter.
 * Pure functions of the preview; the dialog's model keeps the state.
 */
import { ICandidate, IPlugin, IPreview, IPreviewError } from './api';
import { TranslationBundle, bundle } from './trans';
import { shortSha } from './validate';

export interface IPluginGroup {
  /** The plugin's name; '' for the skills no plugin lists. */
  key: string;
  /** null for the unlisted skills and for plugins known only by their error. */
  plugin: IPlugin | null;
  /** Refused by the server (npm, another host, malformed): never contacted. */
  refused: boolean;
  /** Every candidate of the group that is known (resolved). */
  candidates: ICandidate[];
  /** The candidates the filter lets through. */
  visible: ICandidate[];
  /** Plugin.error and the preview errors naming this plugin, once each. */
  errors: string[];
  /** Skills listed (true), or an external plugin not asked for yet (false). */
  resolved: boolean;
}

function matches(filter: string, ...texts: Array<string | null>): boolean {
  return texts.some(t => !!t && t.toLowerCase().includes(filter));
}

function candidateMatches(filter: string, c: ICandidate): boolean {
  return matches(filter, c.name, c.description, c.path);
}

function unique(messages: Array<string | null>): string[] {
  return [...new Set(messages.filter((m): m is string => !!m))];
}

/**
 * The groups of a marketplace preview, in its order: plugins first, then
 * plugins refused by the server, then skills no plugin lists. With a filter,
 * a group stays when its name or description matches (all its skills shown)
 * or when some of its skills match (only those shown).
 */
export function pluginGroups(
  preview: IPreview,
  filterText = ''
): IPluginGroup[] {
  const filter = filterText.trim().toLowerCase();
  const byId = new Map(preview.skills.map(c => [c.id, c]));
  const claimed = new Set<string>();
  const known = new Set(preview.plugins.map(p => p.name));
  const errorsOf = (name: string) =>
    preview.errors.filter(e => e.plugin === name).map(e => e.message);
  const groups: IPluginGroup[] = [];
  const add = (
    g: Omit<IPluginGroup, 'visible'>,
    ...texts: Array<string | null>
  ) => {
    let visible = g.candidates;
    if (filter && !matches(filter, ...texts)) {
      visible = g.candidates.filter(c => candidateMatches(filter, c));
      const errorHit = g.refused && matches(filter, ...g.errors);
      if (!visible.length && !errorHit) {
        return;
      }
    }
    groups.push({ ...g, visible });
  };

  for (const p of preview.plugins) {
    const candidates = (p.skills ?? [])
      .map(id => byId.get(id))
      .filter((c): c is ICandidate => !!c);
    candidates.forEach(c => claimed.add(c.id));
    add(
      {
        key: p.name,
        plugin: p,
        refused: false,
        candidates,
        errors: unique([p.error, ...errorsOf(p.name)]),
        resolved: p.skills !== null
      },
      p.name,
      p.description
    );
  }
  const refused = unique(
    preview.errors
      .map(e => e.plugin)
      .filter(name => name !== null && !known.has(name))
  );
  for (const name of refused) {
    add(
      {
        key: name,
        plugin: null,
        refused: true,
        candidates: [],
        errors: unique(errorsOf(name)),
        resolved: true
      },
      name
    );
  }
  // Skills a plugin lists are found by id; anything else is "not in a plugin".
  for (const c of preview.skills) {
    if (c.plugin && known.has(c.plugin)) {
      claimed.add(c.id);
    }
  }
  const loose = preview.skills.filter(c => !claimed.has(c.id));
  if (loose.length) {
    add({
      key: '',
      plugin: null,
      refused: false,
      candidates: loose,
      errors: [],
      resolved: true
    });
  }
  return groups;
}

/** Preview errors not tied to any plugin (shown below the groups). */
export function unattachedErrors(preview: IPreview): IPreviewError[] {
  return preview.errors.filter(e => !e.plugin);
}

/**
 * The preview after one plugin was resolved (`answer`: the preview with
 * `plugin`): its skills added, its entry and errors replaced by the answer's.
 */
export function mergePlugin(
  preview: IPreview,
  name: string,
  answer: IPreview,
  note: ClashNote = clashNote()
): IPreview {
  const answered = answer.plugins.find(p => p.name === name);
  const have = new Set(preview.skills.map(c => c.id));
  const added = answer.skills.filter(c => !have.has(c.id));
  const earlier = externalCandidates(preview, name);
  const noted = (c: ICandidate, others: ICandidate[]): ICandidate =>
    others.length
      ? {
          ...c,
          problems: [
            ...c.problems,
            note(
              c.name,
              others.map(o => o.id)
            )
          ]
        }
      : c;
  // The server checks a plugin against what the first preview showed; skills
  // of two external plugins meet only here, so their clashes are noted here.
  const clashing = (c: ICandidate, pool: ICandidate[]) =>
    pool.filter(o => o.name === c.name && o.id !== c.id);
  const skills = [
    ...preview.skills.map(c =>
      earlier.includes(c) ? noted(c, clashing(c, added)) : c
    ),
    ...added.map(c => noted(c, clashing(c, earlier)))
  ];
  const plugins = preview.plugins.map(p =>
    p.name !== name
      ? p
      : (answered ?? { ...p, skills: answer.skills.map(c => c.id) })
  );
  const errors = [
    ...preview.errors.filter(e => e.plugin !== name),
    // everything answered for this plugin is about it, even without a name
    ...answer.errors.map(e => ({ ...e, plugin: e.plugin ?? name }))
  ];
  return { ...preview, skills, plugins, errors };
}

/** The problem note of a candidate that installs under the same name as others. */
export type ClashNote = (name: string, otherIds: string[]) => string;

export function clashNote(trans?: TranslationBundle): ClashNote {
  const t = bundle(trans);
  return (name, ids) =>
    t.__(
      "installs as '%1' like %2: import them one at a time and give one of them another name",
      name,
      ids.map(i => `'${i}'`).join(', ')
    );
}

/** Candidates of the external plugins resolved so far, except `except`. */
function externalCandidates(preview: IPreview, except: string): ICandidate[] {
  const external = new Set(
    preview.plugins
      .filter(p => p.name !== except && p.source.kind !== 'local')
      .map(p => p.name)
  );
  return preview.skills.filter(c => c.plugin && external.has(c.plugin));
}

/** A short, human form of where a plugin's skills come from. */
export function pluginOrigin(p: IPlugin): string {
  const s = p.source;
  if (s.kind === 'local') {
    return s.path ? `./${s.path}` : './';
  }
  const repo = s.owner && s.repo ? `${s.owner}/${s.repo}` : '';
  const path = s.path ? `/${s.path}` : '';
  const pin = shortSha(s.sha) || (s.ref ?? '');
  return `${repo}${path}${pin ? ` @ ${pin}` : ''}`;
}
