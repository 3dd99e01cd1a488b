/**
 * Every user-visible string goes through the TranslationBundle handed down
 * from the plugin: rendered with a bundle that brackets each message ⟦…⟧,
 * nothing but data (skill names, descriptions, folders) may stay outside.
 */
import {
  InputDialog,
  Notification,
  showDialog as realShowDialog
} from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import { TranslationBundle, nullTranslator } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { act, fireEvent, render } from '@testing-library/react';
import * as React from 'react';

import { createSkill, renameSkill } from '../actions';
import {
  ISkill,
  ISkillList,
  ServerExtensionMissingError,
  createClient
} from '../api';
import { DetailHeader } from '../components/DetailHeader';
import { NewSkillBody } from '../components/NewSkillForm';
import { IPanelActions, SkillsView } from '../components/SkillsPanel';
import { SkillDetailModel } from '../detailModel';
import { SkillsModel } from '../model';
import { syncOne } from '../syncActions';
import { SHA, detail, fakeClient, skill } from './fixtures';

// showDialog is the real one unless a test scripts it (the New skill retry)
jest.mock('@jupyterlab/apputils', () => {
  const actual = jest.requireActual('@jupyterlab/apputils');
  return { ...actual, showDialog: jest.fn(actual.showDialog) };
});
const showDialog = realShowDialog as unknown as jest.Mock;

const plain = nullTranslator.load('notebook-skills');

/** A pseudo-locale: the message, with its placeholders filled, in ⟦ ⟧. */
const bracketed = {
  __: (msgid: string, ...args: unknown[]) => `⟦${plain.__(msgid, ...args)}⟧`,
  _n: (one: string, many: string, n: number, ...args: unknown[]) =>
    `⟦${plain._n(one, many, n, ...args)}⟧`
} as unknown as TranslationBundle;

const DIRS = { user: '/home/u/.claude/skills', project: '/p/.claude/skills' };

const skills: ISkill[] = [
  skill({
    name: 'csv-helper',
    tracksUpstream: true,
    trackingRef: SHA,
    locallyModified: true,
    updateAvailable: true,
    problems: ['name differs from folder']
  }),
  skill({
    name: 'house-style',
    scope: 'project',
    managed: true,
    managedSource: 'https://example.com/m.yaml',
    source: null
  }),
  skill({ name: 'old-one', orphaned: true }),
  skill({ name: 'My Skill', problems: ['not a valid skill name'] })
];

/** Strip every (nested) translated message, then the data we rendered. */
function untranslated(text: string): string {
  let rest = text;
  for (;;) {
    const next = rest.replace(/⟦[^⟦⟧]*⟧/g, ' ');
    if (next === rest) {
      break;
    }
    rest = next;
  }
  const data = [
    ...skills.flatMap(s => [
      s.name,
      s.description,
      s.source ?? '',
      ...s.problems
    ]),
    DIRS.user,
    DIRS.project,
    'jupyter server extension enable notebook_skills',
    'https://example.com/m.yaml',
    'SKILL.md',
    'scripts/clean.py'
  ]
    .filter(d => d)
    .sort((a, b) => b.length - a.length);
  for (const d of data) {
    rest = rest.split(d).join(' ');
  }
  // counts, the warning sign and separators are not words
  return rest.replace(/[\s\d/⚠·—…:.,()]+/g, '');
}

function expectAllTranslated(root: HTMLElement): void {
  expect(untranslated(root.textContent ?? '')).toBe('');
  for (const el of Array.from(root.querySelectorAll('*'))) {
    for (const attr of ['title', 'aria-label', 'placeholder']) {
      const value = el.getAttribute(attr);
      if (value) {
        expect([attr, untranslated(value)]).toEqual([attr, '']);
      }
    }
  }
}

function list(items: ISkill[]): ISkillList {
  return {
    skills: items,
    policy: {
      allowGithubSkillImport: true,
      skillsManagementPolicy: 'user-choice'
    },
    scopes: DIRS,
    githubUrl: null
  };
}

const actions: IPanelActions = {
  importSkill: jest.fn(),
  create: jest.fn(),
  open: jest.fn(),
  sync: jest.fn(),
  rename: jest.fn(),
  remove: jest.fn()
};

async function panel(result: ISkillList | Error) {
  const model = new SkillsModel({
    client: fakeClient({
      listSkills:
        result instanceof Error
          ? jest.fn().mockRejectedValue(result)
          : jest.fn().mockResolvedValue(result)
    }),
    autoPoll: false
  });
  const { container } = render(
    <UseSignal signal={model.changed}>
      {() => <SkillsView model={model} actions={actions} trans={bracketed} />}
    </UseSignal>
  );
  await act(() => model.refresh());
  return { model, container };
}

describe('translation', () => {
  it('the panel: sections, rows, badges, filter', async () => {
    const { container, model } = await panel(list(skills));
    expect(container.textContent).toContain('⟦Modified⟧');
    expectAllTranslated(container);
    act(() => {
      model.filter = 'nothing-matches';
    });
    expect(container.textContent).toContain(
      '⟦No user skills match “nothing-matches”.⟧'
    );
  });

  it('the empty state and the missing server extension', async () => {
    const empty = await panel(list([]));
    expect(empty.container.textContent).toContain('⟦No skills yet⟧');
    expectAllTranslated(empty.container);
    const missing = await panel(new ServerExtensionMissingError());
    expect(missing.container.querySelector('[role=alert]')).toBeTruthy();
    expectAllTranslated(
      missing.container.querySelector('[role=alert]') as HTMLElement
    );
  });

  it('the detail view', async () => {
    const model = new SkillDetailModel({
      client: fakeClient({
        getSkill: jest.fn().mockResolvedValue(
          detail({
            ...skills[0],
            files: ['SKILL.md', 'scripts/clean.py'],
            frontmatter: { name: 'csv-helper', license: 'MIT' }
          })
        )
      }),
      scope: 'user',
      name: 'csv-helper',
      policy: () => ({
        allowGithubSkillImport: true,
        skillsManagementPolicy: 'user-choice'
      }),
      trans: bracketed
    });
    await model.load();
    const { container } = render(
      <DetailHeader
        model={model}
        actions={{
          openFile: jest.fn(),
          sync: jest.fn(),
          rename: jest.fn(),
          remove: jest.fn()
        }}
        trans={bracketed}
      />
    );
    expect(container.textContent).toContain('⟦Track upstream⟧');
    // MIT is frontmatter data
    container.querySelectorAll('dd').forEach(dd => {
      if (dd.textContent === 'MIT') {
        dd.remove();
      }
    });
    expectAllTranslated(container);
  });

  it('the New skill form names the configured folders', () => {
    const body = new NewSkillBody(
      { scope: 'user', name: 'Bad Name', description: '', problem: null },
      { scopes: DIRS, trans: bracketed }
    );
    act(() => {
      Widget.attach(body, document.body);
      body.update();
    });
    const options = Array.from(body.node.querySelectorAll('option')).map(
      o => o.textContent
    );
    expect(options).toEqual([
      `⟦User (${DIRS.user})⟧`,
      `⟦Project (${DIRS.project})⟧`
    ]);
    // the name problem is translated with the form's bundle
    expect(body.node.querySelector('[role=alert]')?.textContent).toBe(
      '⟦Use lowercase letters, digits and single hyphens (e.g. csv-helper).⟧'
    );
    expectAllTranslated(body.node);
    body.dispose();
  });

  it('New skill asks again with the translated name problem', async () => {
    const model = new SkillsModel({ client: fakeClient(), autoPoll: false });
    const shown: string[] = [];
    const bodyOf = (options: { body: Widget }) => {
      const body = options.body as NewSkillBody;
      act(() => {
        Widget.attach(body, document.body);
        body.update();
      });
      return body;
    };
    showDialog
      .mockImplementationOnce(async options => {
        const body = bodyOf(options);
        fireEvent.change(
          body.node.querySelector('.jp-skills-new-name') as HTMLInputElement,
          { target: { value: 'Bad Name' } }
        );
        const value = body.getValue();
        act(() => body.dispose());
        return { button: { accept: true }, value };
      })
      .mockImplementationOnce(async options => {
        const body = bodyOf(options);
        shown.push(body.node.querySelector('.jp-skills-error')!.textContent!);
        act(() => body.dispose());
        return { button: { accept: false }, value: null };
      });
    expect(await createSkill(model, 'user', bracketed)).toBeNull();
    expect(shown).toEqual([
      '⟦Use lowercase letters, digits and single hyphens (e.g. csv-helper).⟧'
    ]);
  });

  it('Rename asks again with the translated name problem', async () => {
    const model = new SkillsModel({ client: fakeClient(), autoPoll: false });
    const getText = jest
      .spyOn(InputDialog, 'getText')
      .mockResolvedValueOnce({
        button: { accept: true },
        value: 'Bad Name'
      } as Awaited<ReturnType<typeof InputDialog.getText>>)
      .mockResolvedValueOnce({
        button: { accept: false },
        value: null
      } as Awaited<ReturnType<typeof InputDialog.getText>>);
    expect(await renameSkill(model, skills[0], bracketed)).toBeNull();
    const label = getText.mock.calls[1][0].label as string;
    expect(label).toBe(
      '⟦⟦New name⟧ — ⟦Use lowercase letters, digits and single hyphens (e.g. csv-helper).⟧⟧'
    );
    getText.mockRestore();
  });

  it('the messages the API client writes itself; the server’s are kept', async () => {
    const settings = ServerConnection.makeSettings({
      baseUrl: 'http://localhost:8888/'
    });
    const client = createClient(settings, bracketed);
    const answer = (status: number, statusText: string, body = '') =>
      ({
        ok: false,
        status,
        statusText,
        text: async () => body
      }) as unknown as Response;
    const makeRequest = jest
      .spyOn(ServerConnection, 'makeRequest')
      .mockRejectedValueOnce(new TypeError('offline'))
      .mockResolvedValueOnce(answer(404, 'Not Found'))
      .mockResolvedValueOnce(answer(502, ''))
      .mockResolvedValueOnce(answer(502, 'Bad Gateway'))
      .mockResolvedValueOnce(
        answer(409, 'Conflict', JSON.stringify({ message: 'server words' }))
      );
    const messages: string[] = [];
    for (const call of [
      () => client.listSkills(),
      () => client.listSkills(),
      () => client.syncSkill('user', 'csv-helper'),
      () => client.syncSkill('user', 'csv-helper'),
      () => client.syncSkill('user', 'csv-helper')
    ]) {
      messages.push(await call().then(String, (e: Error) => e.message));
    }
    expect(messages).toEqual([
      '⟦Could not reach the Jupyter server: offline⟧',
      '⟦The notebook-skills server extension is not enabled. Run jupyter server extension enable notebook_skills and restart JupyterLab.⟧',
      '⟦Request failed with status 502⟧',
      '⟦Request failed with status 502 (Bad Gateway)⟧',
      'server words'
    ]);
    makeRequest.mockRestore();
  });

  it('sync messages', async () => {
    const info = jest.spyOn(Notification, 'info').mockReturnValue('');
    const model = new SkillsModel({
      client: fakeClient({
        listSkills: jest.fn().mockResolvedValue(list([skills[0]])),
        syncSkill: jest.fn().mockResolvedValue({ updated: false, ref: SHA })
      }),
      autoPoll: false
    });
    await model.refresh();
    await syncOne(
      model,
      { scope: 'user', name: 'csv-helper' },
      { trans: bracketed }
    );
    expect(info).toHaveBeenCalledWith(
      '⟦No upstream change for csv-helper; your local edits are kept.⟧',
      expect.anything()
    );
    info.mockRestore();
  });
});
