import { Notification } from '@jupyterlab/apputils';
import { nullTranslator } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import { SkillsDrive } from '../drive';
import { followRewrites } from '../openDocuments';
import { detail, fakeClient } from './fixtures';

/** A document context as far as followRewrites uses it. */
function fakeContext(path: string) {
  const context = {
    path,
    isDisposed: false,
    model: { dirty: true },
    saveState: new Signal<unknown, string>({}),
    revert: jest.fn().mockResolvedValue(undefined)
  };
  return context;
}

function setup(paths: string[]) {
  const contexts = paths.map(fakeContext);
  const widgets = contexts.map(() => new Widget());
  const app = { shell: { widgets: () => widgets[Symbol.iterator]() } };
  const docManager = {
    contextForWidget: (w: Widget) => contexts[widgets.indexOf(w)]
  };
  // every save of SKILL.md comes back stored differently
  const client = fakeClient({
    writeFile: jest.fn().mockResolvedValue({
      path: 'SKILL.md',
      hash: 'stored',
      lastModified: 'x',
      skill: detail()
    }),
    readFile: jest.fn().mockResolvedValue({
      path: 'SKILL.md',
      content: 'stored text',
      hash: 'stored',
      lastModified: 'x'
    })
  });
  const drive = new SkillsDrive({ client });
  followRewrites(
    drive,
    app as never,
    docManager as never,
    nullTranslator.load('notebook-skills')
  );
  return { drive, contexts };
}

beforeEach(() => {
  jest.spyOn(Notification, 'info').mockReturnValue('');
});
afterEach(() => jest.restoreAllMocks());

describe('an editor whose save the server stored differently', () => {
  it('reloads from disk once its save completed, and says why', async () => {
    const { drive, contexts } = setup([
      'skills:user/csv-helper/SKILL.md',
      'skills:user/other/SKILL.md'
    ]);
    const [mine, other] = contexts;
    mine.saveState.emit('started');
    await drive.save('user/csv-helper/SKILL.md', { content: 'typed text' });
    // still inside the context's save: nothing reloaded yet
    expect(mine.revert).not.toHaveBeenCalled();
    mine.model.dirty = false; // what the context does before 'completed'
    mine.saveState.emit('completed');
    expect(mine.revert).toHaveBeenCalledTimes(1);
    expect(other.revert).not.toHaveBeenCalled();
    expect((Notification.info as jest.Mock).mock.calls[0][0]).toMatch(
      /^Saved SKILL.md of csv-helper: notebook-skills keeps the source and tracking keys/
    );
    // one reload per rewritten save, not on every later save
    mine.saveState.emit('completed');
    expect(mine.revert).toHaveBeenCalledTimes(1);
  });

  it('keeps edits typed during the save, and does nothing on a failed save', async () => {
    const { drive, contexts } = setup(['skills:user/csv-helper/SKILL.md']);
    const [ctx] = contexts;
    await drive.save('user/csv-helper/SKILL.md', { content: 'typed text' });
    ctx.model.dirty = true; // typed again while saving
    ctx.saveState.emit('completed');
    expect(ctx.revert).not.toHaveBeenCalled();
    expect(Notification.info).not.toHaveBeenCalled();

    await drive.save('user/csv-helper/SKILL.md', { content: 'typed text' });
    ctx.model.dirty = false;
    ctx.saveState.emit('failed');
    ctx.saveState.emit('completed');
    expect(ctx.revert).not.toHaveBeenCalled();
  });
});
