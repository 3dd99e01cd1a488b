import { createHash, webcrypto } from 'crypto';

import { SkillsApiError } from '../api';
import {
  SkillsDrive,
  parseSkillPath,
  sha256Hex,
  skillFilePath
} from '../drive';
import { detail, fakeClient, skill } from './fixtures';

const FILE = {
  path: 'SKILL.md',
  content: '---\nname: csv-helper\n---\nbody\n',
  hash: 'h1',
  lastModified: '2026-01-01T00:00:00Z'
};

function setup(overrides: Parameters<typeof fakeClient>[0] = {}) {
  const client = fakeClient({
    getSkill: jest
      .fn()
      .mockResolvedValue(
        detail({ files: ['SKILL.md', 'scripts/run.py', 'scripts/lib/x.py'] })
      ),
    readFile: jest.fn().mockResolvedValue(FILE),
    ...overrides
  });
  return { client, drive: new SkillsDrive({ client }) };
}

describe('skills contents drive', () => {
  it('names files skills:<scope>/<name>/<path>', () => {
    expect(skillFilePath('user', 'csv-helper', 'SKILL.md')).toBe(
      'skills:user/csv-helper/SKILL.md'
    );
    expect(parseSkillPath('project/a/scripts/x.py')).toEqual({
      scope: 'project',
      name: 'a',
      rel: 'scripts/x.py'
    });
    expect(() => parseSkillPath('elsewhere/a')).toThrow(SkillsApiError);
  });

  it('gives the editor text with its hash and last_modified', async () => {
    const { drive, client } = setup();
    const model = await drive.get('user/csv-helper/SKILL.md', {
      type: 'file',
      content: true
    });
    expect(client.readFile).toHaveBeenCalledWith(
      'user',
      'csv-helper',
      'SKILL.md'
    );
    expect(model).toMatchObject({
      path: 'user/csv-helper/SKILL.md',
      name: 'SKILL.md',
      type: 'file',
      format: 'text',
      content: FILE.content,
      hash: 'h1',
      hash_algorithm: 'sha256',
      last_modified: FILE.lastModified,
      writable: true
    });
    const stat = await drive.get('user/csv-helper/SKILL.md', {
      type: 'file',
      content: false
    });
    expect(stat.content).toBeNull();
    expect(stat.hash).toBe('h1');
  });

  it('marks managed skills read-only', async () => {
    const { drive } = setup({
      getSkill: jest.fn().mockResolvedValue(detail({ managed: true }))
    });
    const model = await drive.get('user/csv-helper/SKILL.md', { type: 'file' });
    expect(model.writable).toBe(false);
  });

  it('lists scopes, skills and bundle folders', async () => {
    const { drive } = setup({
      listSkills: jest.fn().mockResolvedValue({
        skills: [skill(), skill({ name: 'other', scope: 'project' })],
        policy: {
          allowGithubSkillImport: true,
          skillsManagementPolicy: 'user-choice'
        },
        scopes: { user: '', project: '' },
        githubUrl: null
      })
    });
    const root = await drive.get('');
    expect((root.content as { path: string }[]).map(c => c.path)).toEqual([
      'user',
      'project'
    ]);
    const user = await drive.get('user');
    expect((user.content as { path: string }[]).map(c => c.path)).toEqual([
      'user/csv-helper'
    ]);
    const bundle = await drive.get('user/csv-helper');
    expect(
      (bundle.content as { path: string; type: string }[]).map(c => [
        c.path,
        c.type
      ])
    ).toEqual([
      ['user/csv-helper/SKILL.md', 'file'],
      ['user/csv-helper/scripts', 'directory']
    ]);
    const scripts = await drive.get('user/csv-helper/scripts');
    expect((scripts.content as { path: string }[]).map(c => c.path)).toEqual([
      'user/csv-helper/scripts/run.py',
      'user/csv-helper/scripts/lib'
    ]);
    await expect(drive.get('user/csv-helper/nope')).rejects.toThrow(
      /No file or folder/
    );
  });

  it('saves with the hash it last handed out as the precondition', async () => {
    const writeFile = jest.fn().mockResolvedValue({
      path: 'SKILL.md',
      hash: 'h2',
      lastModified: '2026-01-02T00:00:00Z',
      skill: detail()
    });
    const { drive } = setup({ writeFile });
    const changed = jest.fn();
    drive.fileChanged.connect(changed);
    await drive.get('user/csv-helper/SKILL.md', { type: 'file' });
    const saved = await drive.save('user/csv-helper/SKILL.md', {
      type: 'file',
      format: 'text',
      content: 'new text'
    });
    expect(writeFile).toHaveBeenCalledWith(
      'user',
      'csv-helper',
      'SKILL.md',
      'new text',
      { hash: 'h1' }
    );
    expect(saved).toMatchObject({
      hash: 'h2',
      last_modified: '2026-01-02T00:00:00Z',
      type: 'file'
    });
    expect(changed).toHaveBeenCalledWith(
      drive,
      expect.objectContaining({ type: 'save' })
    );
    // the next save is conditioned on what this save wrote
    await drive.save('user/csv-helper/SKILL.md', { content: 'again' });
    expect(writeFile.mock.calls[1][4]).toEqual({ hash: 'h2' });
  });

  describe('a save the server stored differently (SKILL.md product keys)', () => {
    const sha = (text: string) =>
      createHash('sha256').update(text, 'utf8').digest('hex');
    const sent = '---\nname: csv-helper\ntracking_ref: mine\n---\nbody\n';
    const stored = '---\nname: csv-helper\ntracking_ref: recorded\n---\nbody\n';

    function saving(storedText: string) {
      const writeFile = jest.fn().mockResolvedValue({
        path: 'SKILL.md',
        hash: sha(storedText),
        lastModified: '2026-01-02T00:00:00Z',
        skill: detail()
      });
      const readFile = jest
        .fn()
        .mockResolvedValue({ ...FILE, content: storedText });
      const { drive } = setup({ writeFile, readFile });
      const rewritten = jest.fn();
      drive.rewritten.connect((_, path) => rewritten(path));
      return { drive, rewritten, readFile };
    }

    describe('with WebCrypto (hash of what was sent vs the stored hash)', () => {
      const had = Object.getOwnPropertyDescriptor(globalThis.crypto, 'subtle');
      beforeAll(() => {
        Object.defineProperty(globalThis.crypto, 'subtle', {
          value: webcrypto.subtle,
          configurable: true
        });
      });
      afterAll(() => {
        if (had) {
          Object.defineProperty(globalThis.crypto, 'subtle', had);
        } else {
          delete (globalThis.crypto as { subtle?: unknown }).subtle;
        }
      });

      it('hashes as the server does', async () => {
        expect(await sha256Hex('héllo\n')).toBe(sha('héllo\n'));
      });

      it('says so when the stored text differs, and only then', async () => {
        const changed = saving(stored);
        await changed.drive.save('user/csv-helper/SKILL.md', {
          content: sent
        });
        expect(changed.rewritten).toHaveBeenCalledWith(
          'user/csv-helper/SKILL.md'
        );
        expect(changed.readFile).not.toHaveBeenCalled();

        const same = saving(sent);
        await same.drive.save('user/csv-helper/SKILL.md', { content: sent });
        expect(same.rewritten).not.toHaveBeenCalled();
      });
    });

    it('without WebCrypto compares with the stored file', async () => {
      expect(globalThis.crypto?.subtle).toBeUndefined();
      const changed = saving(stored);
      await changed.drive.save('user/csv-helper/SKILL.md', { content: sent });
      expect(changed.rewritten).toHaveBeenCalledWith(
        'user/csv-helper/SKILL.md'
      );
      const same = saving(sent);
      await same.drive.save('user/csv-helper/SKILL.md', { content: sent });
      expect(same.rewritten).not.toHaveBeenCalled();
    });

    it('never for other files (stored as sent)', async () => {
      const other = saving(stored);
      await other.drive.save('user/csv-helper/notes.md', { content: sent });
      expect(other.rewritten).not.toHaveBeenCalled();
      expect(other.readFile).not.toHaveBeenCalled();
    });
  });

  it('passes a 409 changed_on_disk through to the document context', async () => {
    const conflict = new SkillsApiError(
      409,
      "'SKILL.md' changed on disk since it was opened; nothing was saved.",
      'changed_on_disk'
    );
    const { drive } = setup({
      writeFile: jest.fn().mockRejectedValue(conflict)
    });
    await drive.get('user/csv-helper/SKILL.md', { type: 'file' });
    const error = await drive
      .save('user/csv-helper/SKILL.md', { content: 'stale' })
      .catch(e => e);
    expect(error).toBe(conflict);
    expect(error.isConflict('changed_on_disk')).toBe(true);
  });

  it('keeps a session checkpoint and restores it', async () => {
    const writeFile = jest.fn().mockResolvedValue({
      path: 'SKILL.md',
      hash: 'h3',
      lastModified: 'x',
      skill: detail()
    });
    const { drive } = setup({ writeFile });
    const cp = await drive.createCheckpoint('user/csv-helper/SKILL.md');
    expect(await drive.listCheckpoints('user/csv-helper/SKILL.md')).toEqual([
      cp
    ]);
    await drive.restoreCheckpoint('user/csv-helper/SKILL.md', cp.id);
    expect(writeFile).toHaveBeenCalledWith(
      'user',
      'csv-helper',
      'SKILL.md',
      FILE.content
    );
    await drive.deleteCheckpoint('user/csv-helper/SKILL.md', cp.id);
    expect(await drive.listCheckpoints('user/csv-helper/SKILL.md')).toEqual([]);
  });

  it('refuses to delete or rename across skills', async () => {
    const { drive } = setup();
    await expect(drive.delete('user/csv-helper')).rejects.toThrow(
      /Skills panel/
    );
    await expect(drive.rename('user/a/x.md', 'user/b/x.md')).rejects.toThrow(
      /same skill/
    );
  });
});
