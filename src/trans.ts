/**
 * The translation domain of this extension. Every user-visible string goes
 * through a `TranslationBundle` handed down from the plugin (ITranslator);
 * code that runs without one (tests, other extensions) falls back to the
 * null translator, which only fills in the %1 placeholders.
 */
import { TranslationBundle, nullTranslator } from '@jupyterlab/translation';
import * as React from 'react';

export const TRANSLATION_DOMAIN = 'notebook-skills';

export function bundle(trans?: TranslationBundle | null): TranslationBundle {
  return trans ?? nullTranslator.load(TRANSLATION_DOMAIN);
}

export type { TranslationBundle };

/**
 * A translated sentence with React nodes (links, <code>) in its placeholders:
 * the whole sentence is one message, e.g. 'Run %1 and restart JupyterLab.'.
 */
export function translateWithNodes(
  trans: TranslationBundle,
  msgid: string,
  ...nodes: React.ReactNode[]
): React.ReactNode[] {
  const text = trans.__(msgid, ...nodes.map((_, i) => `\uE000${i}\uE000`));
  return text
    .split(/\uE000(\d+)\uE000/)
    .map((part, i) =>
      i % 2
        ? React.createElement(React.Fragment, { key: i }, nodes[+part])
        : part
    );
}
