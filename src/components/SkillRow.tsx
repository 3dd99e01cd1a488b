import { deleteIcon, editIcon, launchIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ISkill } from '../api';
import { shortSha } from '../validate';
import { syncIcon } from '../icons';

export const POLICY_OFF_REASON =
  'GitHub import is disabled by your administrator';
export const MANAGED_REASON = 'Managed by your administrator';

export interface ISkillRowActions {
  open(skill: ISkill): void;
  sync(skill: ISkill): void;
  rename(skill: ISkill): void;
  remove(skill: ISkill): void;
}

export interface ISkillRowProps {
  skill: ISkill;
  busy: boolean;
  importAllowed: boolean;
  actions: ISkillRowActions;
}

export function Badges(props: { skill: ISkill }): JSX.Element {
  const s = props.skill;
  return (
    <span className="jp-skills-badges">
      {s.tracksUpstream && (
        <span
          className="jp-skills-badge jp-skills-badge-tracking"
          title={
            s.trackingRef
              ? `Tracking upstream · last synced ${shortSha(s.trackingRef)}`
              : 'Tracking upstream'
          }
        >
          Tracking
        </span>
      )}
      {s.managed && (
        <span
          className="jp-skills-badge jp-skills-badge-managed"
          title={
            s.managedSource
              ? `Managed by your administrator (${s.managedSource})`
              : MANAGED_REASON
          }
        >
          Managed
        </span>
      )}
      {s.locallyModified && (
        <span
          className="jp-skills-badge jp-skills-badge-modified"
          title="Changed locally since the last import or sync"
        >
          Modified
        </span>
      )}
      {s.orphaned && (
        <span
          className="jp-skills-badge jp-skills-badge-orphaned"
          title="The upstream folder no longer exists; the local copy is kept"
        >
          Upstream gone
        </span>
      )}
      {s.problems.length > 0 && (
        <span
          className="jp-skills-badge jp-skills-badge-problem"
          title={s.problems.join('\n')}
        >
          {s.problems.length === 1
            ? '1 problem'
            : `${s.problems.length} problems`}
        </span>
      )}
    </span>
  );
}

function IconButton(props: {
  label: string;
  title?: string;
  icon: typeof editIcon;
  className: string;
  disabled?: boolean;
  spinning?: boolean;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      type="button"
      className={`jp-skills-icon-button ${props.className}${
        props.spinning ? ' jp-mod-spinning' : ''
      }`}
      aria-label={props.label}
      title={props.title ?? props.label}
      aria-disabled={props.disabled ? true : undefined}
      aria-busy={props.spinning ? true : undefined}
      disabled={props.disabled}
      onClick={e => {
        e.stopPropagation();
        props.onClick();
      }}
    >
      <props.icon.react tag="span" className="jp-skills-icon" />
    </button>
  );
}

export function SkillRow(props: ISkillRowProps): JSX.Element {
  const { skill, busy, importAllowed, actions } = props;
  const syncTitle = !importAllowed
    ? `${POLICY_OFF_REASON}, so syncing is unavailable`
    : busy
      ? `Syncing ${skill.name}…`
      : `Sync ${skill.name} with upstream`;
  return (
    <li
      className="jp-skills-row"
      data-scope={skill.scope}
      data-name={skill.name}
      aria-label={skill.name}
      onDoubleClick={() => actions.open(skill)}
    >
      <div className="jp-skills-row-main">
        <button
          type="button"
          className="jp-skills-row-name"
          title={`Open ${skill.name}`}
          onClick={() => actions.open(skill)}
        >
          {skill.name}
        </button>
        <Badges skill={skill} />
        <div className="jp-skills-row-description" title={skill.description}>
          {skill.description}
        </div>
      </div>
      <div className="jp-skills-row-actions">
        {skill.tracksUpstream && (
          <IconButton
            label={`Sync ${skill.name}`}
            title={syncTitle}
            icon={syncIcon}
            className="jp-skills-sync"
            disabled={!importAllowed || busy}
            spinning={busy}
            onClick={() => actions.sync(skill)}
          />
        )}
        <IconButton
          label={`Open ${skill.name}`}
          icon={launchIcon}
          className="jp-skills-open"
          onClick={() => actions.open(skill)}
        />
        <IconButton
          label={`Rename ${skill.name}`}
          title={skill.managed ? MANAGED_REASON : `Rename ${skill.name}`}
          icon={editIcon}
          className="jp-skills-rename"
          disabled={skill.managed || busy}
          onClick={() => actions.rename(skill)}
        />
        <IconButton
          label={`Delete ${skill.name}`}
          title={skill.managed ? MANAGED_REASON : `Delete ${skill.name}`}
          icon={deleteIcon}
          className="jp-skills-delete"
          disabled={skill.managed || busy}
          onClick={() => actions.remove(skill)}
        />
      </div>
    </li>
  );
}
