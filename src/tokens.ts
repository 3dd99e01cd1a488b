/**
 * The public token of this extension: other extensions can require
 * `ISkillsModel` to read the skills list, listen to its changes, or reach the
 * typed REST client.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import type { ISkillsClient } from './api';
import type { IPolicy, ISkill, Scope } from './types';

export interface ISkillsModel {
  /** Emitted whenever the list, its state or the current skill changed. */
  readonly changed: ISignal<ISkillsModel, void>;
  readonly skills: readonly ISkill[];
  readonly policy: IPolicy;
  readonly scopes: { user: string; project: string };
  /** The configured GitHub web base (github_url), e.g. https://github.com. */
  readonly githubUrl: string;
  readonly client: ISkillsClient;
  find(scope: Scope, name: string): ISkill | undefined;
  refresh(): Promise<void>;
}

export const ISkillsModel = new Token<ISkillsModel>(
  'notebook-skills:ISkillsModel',
  'The Agent Skills list shown in the Skills panel, and the client of its REST API.'
);
