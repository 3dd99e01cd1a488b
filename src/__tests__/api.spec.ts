import { ServerConnection } from '@jupyterlab/services';

import {
  EXTENSION_MISSING_MESSAGE,
  ServerExtensionMissingError,
  SkillsApiError,
  candidateFromWire,
  candidateToWire,
  detailFromWire,
  detailToWire,
  importSkill,
  importToWire,
  listSkills,
  policyFromWire,
  policyToWire,
  previewImport,
  readFile,
  renameSkill,
  skillFromWire,
  skillToWire,
  syncAllTracking,
  syncSkill,
  updateSkill,
  updateToWire
} from '../api';
import { candidateTreeUrl, parseSkillUrl } from '../validate';
import { SHA, candidate, wireCandidate, wireDetail } from './fixtures';

const settings = ServerConnection.makeSettings({
  baseUrl: 'http://localhost:8888/a%40b/'
});

interface ICall {
  url: string;
  method: string;
  body: unknown;
}

let calls: ICall[] = [];

function respond(
  status: number,
  body?: unknown,
  statusText = `status ${status}`
): void {
  jest
    .spyOn(ServerConnection, 'makeRequest')
    .mockImplementation(async (url: string, init: RequestInit) => {
      calls.push({
        url,
        method: init.method ?? 'GET',
        body: init.body ? JSON.parse(init.body as string) : undefined
      });
      const text = body === undefined ? '' : JSON.stringify(body);
      return {
        ok: status >= 200 && status < 300,
        status,
        statusText,
        text: async () => text
      } as unknown as Response;
    });
}

beforeEach(() => {
  calls = [];
  jest.restoreAllMocks();
});

describe('wire mapping', () => {
  it('maps every Skill / SkillDetail field from snake_case', () => {
    const d = detailFromWire(wireDetail);
    expect(d).toEqual({
      name: 'csv-helper',
      scope: 'user',
      description: 'Work with CSV files',
      source: 'https://github.com/acme/skills/tree/main/skills/csv-helper',
      tracksUpstream: true,
      trackingRef: SHA,
      managed: false,
      managedSource: 'https://example.com/manifest.json',
      managedRef: 'f'.repeat(40),
      locallyModified: true,
      orphaned: true,
      updateAvailable: false,
      pendingRef: 'e'.repeat(40),
      revertRef: 'd'.repeat(40),
      problems: ['name differs from folder'],
      body: '# CSV helper\n',
      frontmatter: { name: 'csv-helper', license: 'MIT', metadata: { a: 1 } },
      files: ['SKILL.md', 'scripts/clean.py'],
      marketplace: {
        url: 'https://github.com/acme/plugin-market/blob/main/.claude-plugin/marketplace.json',
        plugin: 'reports'
      }
    });
  });

  it('maps a missing or null marketplace to null', () => {
    const { marketplace, ...rest } = wireDetail;
    void marketplace;
    expect(detailFromWire(rest).marketplace).toBeNull();
    expect(detailFromWire({ ...rest, marketplace: null }).marketplace).toBe(
      null
    );
  });

  it('round-trips Skill and SkillDetail both ways', () => {
    expect(detailToWire(detailFromWire(wireDetail))).toEqual(wireDetail);
    const { body, frontmatter, files, marketplace, ...wireSkill } = wireDetail;
    void body;
    void frontmatter;
    void files;
    void marketplace;
    expect(skillToWire(skillFromWire(wireSkill))).toEqual(wireSkill);
  });

  it('keeps update_available null as unknown', () => {
    const s = skillFromWire({ ...wireDetail, update_available: null });
    expect(s.updateAvailable).toBeNull();
  });

  it('keeps locally_modified null as unknown and revert_ref absent as null', () => {
    const { revert_ref, ...rest } = wireDetail;
    void revert_ref;
    const s = skillFromWire({ ...rest, locally_modified: null });
    expect(s.locallyModified).toBeNull();
    expect(s.revertRef).toBeNull();
    expect(
      skillFromWire({ ...rest, locally_modified: false }).locallyModified
    ).toBe(false);
  });

  it("takes a candidate's id and url from the answer, never from its path", () => {
    // a marketplace candidate: its id names the plugin, its url the pin
    const c = candidateFromWire({
      ...wireCandidate,
      id: 'data-tools:plugins/data-tools/skills/csv-profile',
      path: 'plugins/data-tools/skills/csv-profile',
      url: `https://github.com/acme/market/tree/${SHA}/plugins/data-tools/skills/csv-profile`
    });
    expect(c.id).toBe('data-tools:plugins/data-tools/skills/csv-profile');
    expect(c.path).toBe('plugins/data-tools/skills/csv-profile');
    expect(c.url).toBe(
      `https://github.com/acme/market/tree/${SHA}/plugins/data-tools/skills/csv-profile`
    );
    expect(candidateFromWire({ ...wireCandidate, url: null }).url).toBeNull();
  });

  it("omits tracks_upstream when null (keep the replaced skill's state)", () => {
    expect(
      importToWire({
        url: 'acme/skills',
        scope: 'user',
        overwrite: true,
        tracksUpstream: null
      })
    ).toEqual({ url: 'acme/skills', scope: 'user', overwrite: true });
  });

  it('maps Candidate both ways', () => {
    const c = candidateFromWire(wireCandidate);
    expect(c).toEqual({
      id: 'skills/csv-helper',
      path: 'skills/csv-helper',
      url: 'https://github.com/acme/skills/tree/main/skills/csv-helper',
      name: 'csv-helper',
      description: 'Work with CSV files',
      files: ['SKILL.md', 'scripts/clean.py'],
      exists: { user: true, project: false },
      plugin: 'data-tools',
      problems: ['no license']
    });
    expect(candidateToWire(c)).toEqual(wireCandidate);
    expect(
      candidateFromWire({ ...wireCandidate, plugin: undefined }).plugin
    ).toBeNull();
  });

  it('maps the policy both ways', () => {
    const wire = {
      allow_github_skill_import: false,
      skills_management_policy: 'force-off' as const
    };
    const p = policyFromWire(wire);
    expect(p).toEqual({
      allowGithubSkillImport: false,
      skillsManagementPolicy: 'force-off'
    });
    expect(policyToWire(p)).toEqual(wire);
  });

  it('maps request bodies to snake_case and drops absent keys', () => {
    expect(updateToWire({ tracksUpstream: false })).toEqual({
      tracks_upstream: false
    });
    expect(
      updateToWire({ tracksUpstream: null, description: 'd', body: 'b' })
    ).toEqual({
      tracks_upstream: null,
      description: 'd',
      body: 'b'
    });
    expect(updateToWire({})).toEqual({});
    expect(
      importToWire({
        url: 'acme/skills',
        scope: 'project',
        name: 'x',
        tracksUpstream: true,
        overwrite: true,
        paths: ['a'],
        sha: SHA,
        pluginShas: { reports: SHA }
      })
    ).toEqual({
      url: 'acme/skills',
      scope: 'project',
      name: 'x',
      tracks_upstream: true,
      overwrite: true,
      paths: ['a'],
      sha: SHA,
      plugin_shas: { reports: SHA }
    });
    // an empty plugin map is not sent (the server accepts it only with paths)
    expect(
      importToWire({ url: 'acme/skills', scope: 'user', pluginShas: {} })
    ).toEqual({ url: 'acme/skills', scope: 'user' });
    expect(importToWire({ url: 'acme/skills', scope: 'user' })).toEqual({
      url: 'acme/skills',
      scope: 'user'
    });
  });
});

describe('routes', () => {
  it('lists skills under the namespace with the policy mapped', async () => {
    respond(200, {
      skills: [wireDetail],
      policy: {
        allow_github_skill_import: true,
        skills_management_policy: 'user-choice'
      },
      scopes: { user: '/home/u/.claude/skills', project: '/p/.claude/skills' }
    });
    const list = await listSkills(settings);
    expect(calls[0].url).toBe(
      'http://localhost:8888/a%40b/notebook-skills/skills'
    );
    expect(list.skills[0].tracksUpstream).toBe(true);
    expect(list.policy.allowGithubSkillImport).toBe(true);
    expect(list.scopes.project).toBe('/p/.claude/skills');
  });

  it('sends tracks_upstream in PUT and import bodies', async () => {
    respond(200, { skill: wireDetail });
    await updateSkill(
      'user',
      'csv-helper',
      { tracksUpstream: false },
      settings
    );
    expect(calls[0]).toEqual({
      url: 'http://localhost:8888/a%40b/notebook-skills/skills/user/csv-helper',
      method: 'PUT',
      body: { tracks_upstream: false }
    });
    await importSkill(
      { url: 'acme/skills', scope: 'user', tracksUpstream: true },
      settings
    );
    expect(calls[1].url).toMatch(/notebook-skills\/skills\/import$/);
    expect(calls[1].body).toEqual({
      url: 'acme/skills',
      scope: 'user',
      tracks_upstream: true
    });
  });

  it('uses the literal sub-routes', async () => {
    respond(200, {
      updated: true,
      ref: SHA,
      results: [],
      skill: wireDetail,
      content: 'hi'
    });
    await syncSkill('project', 'csv-helper', { force: true }, settings);
    expect(calls[0].url).toMatch(/skills\/project\/csv-helper\/sync$/);
    expect(calls[0].body).toEqual({ force: true });
    await syncAllTracking(settings);
    expect(calls[1].url).toMatch(/skills\/sync-all-tracking$/);
    await renameSkill('user', 'a', 'b', settings);
    expect(calls[2].body).toEqual({ new_name: 'b' });
    expect(
      (await readFile('user', 'a', 'scripts/x y.py', settings)).content
    ).toBe('hi');
    expect(calls[3].url).toMatch(
      /skills\/user\/a\/files\?path=scripts%2Fx%20y\.py$/
    );
  });

  it('maps the preview response', async () => {
    respond(200, {
      source: {
        kind: 'repo',
        owner: 'acme',
        repo: 'skills',
        ref: 'main',
        sha: SHA
      },
      skills: [wireCandidate],
      errors: [{ path: 'broken', message: 'no SKILL.md' }]
    });
    const p = await previewImport('acme/skills', null, null, settings);
    expect(calls[0].body).toEqual({ url: 'acme/skills' });
    expect(p.skills[0].exists.user).toBe(true);
    expect(p.errors).toEqual([
      { plugin: null, path: 'broken', message: 'no SKILL.md' }
    ]);
  });

  it('maps the plugins of a marketplace preview; unresolved stays null', async () => {
    respond(200, {
      source: {
        kind: 'marketplace',
        owner: 'acme',
        repo: 'plugin-market',
        ref: 'main',
        sha: SHA
      },
      skills: [{ ...wireCandidate, id: 'data-tools:skills/csv-helper' }],
      plugins: [
        {
          name: 'data-tools',
          description: 'CSV helpers',
          source: {
            kind: 'local',
            owner: null,
            repo: null,
            path: 'plugins/data-tools',
            ref: null,
            sha: null
          },
          skills: ['data-tools:skills/csv-helper'],
          error: null
        },
        {
          name: 'reports',
          source: { kind: 'url', owner: 'partner', repo: 'r', sha: SHA },
          skills: null
        }
      ],
      errors: [{ plugin: 'npm-thing', message: 'npm is not supported' }]
    });
    const p = await previewImport('acme/plugin-market', null, null, settings);
    expect(calls[0].body).toEqual({ url: 'acme/plugin-market' });
    expect(p.plugins).toEqual([
      {
        name: 'data-tools',
        description: 'CSV helpers',
        source: {
          kind: 'local',
          owner: null,
          repo: null,
          path: 'plugins/data-tools',
          ref: null,
          sha: null
        },
        skills: ['data-tools:skills/csv-helper'],
        error: null
      },
      {
        name: 'reports',
        description: '',
        source: {
          kind: 'url',
          owner: 'partner',
          repo: 'r',
          path: null,
          ref: null,
          sha: SHA
        },
        skills: null,
        error: null
      }
    ]);
    expect(p.errors).toEqual([
      { plugin: 'npm-thing', path: null, message: 'npm is not supported' }
    ]);
  });

  it('asks for one plugin with {url, plugin}', async () => {
    respond(200, {
      source: {
        kind: 'marketplace',
        owner: 'acme',
        repo: 'plugin-market',
        ref: 'main',
        sha: SHA
      },
      skills: [],
      plugins: [],
      errors: []
    });
    const p = await previewImport(
      'acme/plugin-market',
      'reports',
      SHA,
      settings
    );
    expect(calls[0].url).toMatch(/notebook-skills\/skills\/import\/preview$/);
    expect(calls[0].body).toEqual({
      url: 'acme/plugin-market',
      plugin: 'reports',
      sha: SHA
    });
    expect(p.plugins).toEqual([]);
  });
});

describe('errors', () => {
  it('surfaces the server message and status', async () => {
    respond(502, {
      message: 'GitHub rate limit exceeded; resets at 12:34 UTC'
    });
    const error = await syncSkill('user', 'csv-helper', {}, settings).catch(
      e => e
    );
    expect(error).toBeInstanceOf(SkillsApiError);
    expect(error.status).toBe(502);
    expect(error.message).toBe(
      'GitHub rate limit exceeded; resets at 12:34 UTC'
    );
  });

  it.each([
    'locally_modified',
    'busy',
    'exists',
    'pending',
    'changed_on_disk'
  ] as const)('carries the 409 reason %s', async reason => {
    respond(409, { message: 'conflict', reason });
    const error = await syncSkill('user', 'x', {}, settings).catch(e => e);
    expect(error).toBeInstanceOf(SkillsApiError);
    expect(error.reason).toBe(reason);
    expect(error.isConflict(reason)).toBe(true);
    expect(error.isConflict(reason === 'busy' ? 'exists' : 'busy')).toBe(false);
  });

  it('a 409 without a reason matches no reason', async () => {
    respond(409, { message: 'conflict' });
    const error = await syncSkill('user', 'x', {}, settings).catch(e => e);
    expect(error.reason).toBeNull();
    expect(error.isConflict('locally_modified')).toBe(false);
  });

  it('names the status (and its text) without a JSON body', async () => {
    respond(409, undefined, 'Conflict');
    const error = await syncSkill('user', 'x', {}, settings).catch(e => e);
    expect(error.status).toBe(409);
    expect(error.message).toBe('Request failed with status 409 (Conflict)');
    respond(502, undefined, ''); // HTTP/2 has no status text
    const bare = await syncSkill('user', 'x', {}, settings).catch(e => e);
    expect(bare.message).toBe('Request failed with status 502');
  });

  it('turns a 404 from the list route into ServerExtensionMissingError', async () => {
    respond(404, { message: 'Not Found' });
    const error = await listSkills(settings).catch(e => e);
    expect(error).toBeInstanceOf(ServerExtensionMissingError);
    expect(error).toBeInstanceOf(SkillsApiError);
    expect(error.message).toBe(EXTENSION_MISSING_MESSAGE);
    expect(error.message).toContain(
      'The notebook-skills server extension is not enabled'
    );
    expect(error.message).toContain(
      'jupyter server extension enable notebook_skills'
    );
  });

  it('keeps a 404 for a skill as a plain SkillsApiError', async () => {
    respond(404, { message: 'No such skill: user/x' });
    const error = await updateSkill('user', 'x', {}, settings).catch(e => e);
    expect(error).not.toBeInstanceOf(ServerExtensionMissingError);
    expect(error.message).toBe('No such skill: user/x');
  });

  it('reports network failures', async () => {
    jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockRejectedValue(new TypeError('offline'));
    const error = await listSkills(settings).catch(e => e);
    expect(error).toBeInstanceOf(SkillsApiError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('offline');
  });
});

describe('URL forms', () => {
  it.each([
    ['https://github.com/acme/skills', 'https://github.com', null, ''],
    [
      'https://github.com/acme/skills/tree/main/skills/csv',
      'https://github.com',
      'main',
      'skills/csv'
    ],
    [
      'https://github.com/acme/skills/blob/v1/skills/csv/SKILL.md',
      'https://github.com',
      'v1',
      'skills/csv'
    ],
    [
      'https://ghe.corp.example/acme/skills',
      'https://ghe.corp.example',
      null,
      ''
    ],
    [
      'https://github.com/acme/skills/blob/main/.claude-plugin/marketplace.json',
      'https://github.com',
      'main',
      ''
    ],
    [
      'https://ghe.corp.example/acme/skills/blob/v2/market/.claude-plugin/marketplace.json',
      'https://ghe.corp.example',
      'v2',
      'market'
    ],
    [
      'https://github.com/acme/skills/tree/main/market',
      'https://github.com',
      'main',
      'market'
    ],
    ['acme/skills', 'https://github.com', null, ''],
    ['acme/skills/skills/csv', 'https://github.com', null, 'skills/csv']
  ])('accepts %s', (url, webBase, ref, path) => {
    const parsed = parseSkillUrl(url);
    expect(parsed).toMatchObject({
      webBase,
      owner: 'acme',
      repo: 'skills',
      ref,
      path
    });
  });

  it.each([
    '',
    'acme',
    'http://github.com/acme/skills',
    'ftp://github.com/acme/skills',
    'https://github.com/acme',
    'https://github.com/acme/skills/issues/3',
    'https://github.com/acme/skills/blob/main/README.md',
    'https://github.com/acme/skills/blob/main/marketplace.json',
    'https://github.com/acme/skills/blob/main/.claude-plugin/plugin.json',
    'acme/../x'
  ])('rejects %s', url => {
    expect(parseSkillUrl(url)).toBeNull();
  });

  const source = {
    kind: 'repo' as const,
    owner: 'acme',
    repo: 'skills',
    ref: 'main',
    sha: SHA
  };

  it('builds a candidate tree URL from the web base', () => {
    const parsed = parseSkillUrl('https://ghe.corp.example/acme/skills')!;
    expect(
      candidateTreeUrl(parsed, source, candidate({ path: 'skills/pdf' }))
    ).toBe('https://ghe.corp.example/acme/skills/tree/main/skills/pdf');
  });

  it('keeps shorthand as shorthand so the server picks its GitHub host', () => {
    const parsed = parseSkillUrl('acme/skills')!;
    expect(parsed.shorthand).toBe(true);
    expect(
      candidateTreeUrl(parsed, source, candidate({ path: 'skills/pdf' }))
    ).toBe('acme/skills/skills/pdf');
  });
});
