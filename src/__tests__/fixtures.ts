import {
  ICandidate,
  IPreview,
  ISkill,
  ISkillDetail,
  ISkillsClient,
  IWireCandidate,
  IWireSkillDetail
} from '../api';

export const SHA = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

export const wireDetail: IWireSkillDetail = {
  name: 'csv-helper',
  scope: 'user',
  description: 'Work with CSV files',
  source: 'https://github.com/acme/skills/tree/main/skills/csv-helper',
  tracks_upstream: true,
  tracking_ref: SHA,
  managed: false,
  managed_source: 'https://example.com/manifest.json',
  managed_ref: 'f'.repeat(40),
  locally_modified: true,
  orphaned: true,
  update_available: false,
  pending_ref: 'e'.repeat(40),
  revert_ref: 'd'.repeat(40),
  problems: ['name differs from folder'],
  body: '# CSV helper\n',
  frontmatter: { name: 'csv-helper', license: 'MIT', metadata: { a: 1 } },
  files: ['SKILL.md', 'scripts/clean.py'],
  marketplace: {
    url: 'https://github.com/acme/plugin-market/blob/main/.claude-plugin/marketplace.json',
    plugin: 'reports'
  }
};

export const wireCandidate: IWireCandidate = {
  id: 'skills/csv-helper',
  path: 'skills/csv-helper',
  url: 'https://github.com/acme/skills/tree/main/skills/csv-helper',
  name: 'csv-helper',
  description: 'Work with CSV files',
  files: ['SKILL.md', 'scripts/clean.py'],
  exists: { user: true, project: false },
  plugin: 'data-tools',
  problems: ['no license']
};

export function skill(partial: Partial<ISkill> = {}): ISkill {
  return {
    name: 'csv-helper',
    scope: 'user',
    description: 'Work with CSV files',
    source: 'https://github.com/acme/skills/tree/main/skills/csv-helper',
    tracksUpstream: false,
    trackingRef: null,
    managed: false,
    managedSource: null,
    managedRef: null,
    locallyModified: false,
    orphaned: false,
    updateAvailable: null,
    pendingRef: null,
    revertRef: null,
    problems: [],
    ...partial
  };
}

export function detail(partial: Partial<ISkillDetail> = {}): ISkillDetail {
  return {
    ...skill(),
    body: '# CSV helper\n',
    frontmatter: { name: 'csv-helper', description: 'Work with CSV files' },
    files: ['SKILL.md'],
    ...partial
  };
}

export function candidate(partial: Partial<ICandidate> = {}): ICandidate {
  const path = partial.path ?? 'skills/csv-helper';
  return {
    id: partial.id ?? path,
    path,
    url: null,
    name: 'csv-helper',
    description: 'Work with CSV files',
    files: ['SKILL.md', 'scripts/clean.py'],
    exists: { user: false, project: false },
    plugin: null,
    problems: [],
    ...partial
  };
}

export function preview(candidates: ICandidate[]): IPreview {
  return {
    source: {
      kind: 'repo',
      owner: 'acme',
      repo: 'skills',
      ref: 'main',
      sha: SHA
    },
    skills: candidates,
    plugins: [],
    errors: []
  };
}

/** A client whose every method rejects unless overridden. */
export function fakeClient(
  overrides: Partial<ISkillsClient> = {}
): ISkillsClient {
  const no = (name: string) =>
    jest.fn(() => Promise.reject(new Error(`unexpected call: ${name}`)));
  return {
    listSkills: no('listSkills'),
    getSkill: no('getSkill'),
    createSkill: no('createSkill'),
    updateSkill: no('updateSkill'),
    deleteSkill: no('deleteSkill'),
    renameSkill: no('renameSkill'),
    readFile: no('readFile'),
    writeFile: no('writeFile'),
    deleteFile: no('deleteFile'),
    previewImport: no('previewImport'),
    importSkill: no('importSkill'),
    importSkills: no('importSkills'),
    syncSkill: no('syncSkill'),
    syncAllTracking: no('syncAllTracking'),
    ...overrides
  };
}
