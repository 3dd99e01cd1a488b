import { Dialog, showDialog } from '@jupyterlab/apputils';
import { deleteIcon, editIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ISkill } from '../api';
import { syncIcon } from '../icons';
import { TranslationBundle, bundle } from '../trans';
import { shortSha } from '../validate';

export function policyOffReason(trans?: TranslationBundle): string {
  return bundle(trans).__('GitHub import is disabled by your administrator');
}

export function managedReason(trans?: TranslationBundle): string {
  return bundle(trans).__('Managed by your administrator');
}

export interface ISkillRowActions {
  open(skill: ISkill): void;
  sync(skill: ISkill): void;
  rename(skill: ISkill): void;
  remove(skill: ISkill): void;
}

/** The dialog the warning badge (and Enter on a broken folder) opens. */
export function showProblems(skill: ISkill, trans?: TranslationBundle): void {
  const t = bundle(trans);
  void showDialog({
    title: t.__('Problems of %1', skill.name),
    body: (
      <ul className="jp-skills-details jp-skills-problem-list">
        {skill.problems.map(p => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    ),
    buttons: [Dialog.okButton({ label: t.__('Close') })]
  });
}

export function Badges(props: {
  skill: ISkill;
  /** DOM id, so a row can name itself by its badges (aria-labelledby). */
  id?: string;
  /** Render the problem badge as a button that lists the problems. */
  interactiveProblems?: boolean;
  trans?: TranslationBundle;
}): JSX.Element {
  const t = bundle(props.trans);
  const s = props.skill;
  const n = s.problems.length;
  const problemText = t._n('%1 problem', '%1 problems', n);
  return (
    <span className="jp-skills-badges" id={props.id}>
      {s.tracksUpstream && (
        <span
          className="jp-skills-badge jp-skills-badge-tracking"
          title={
            s.trackingRef
              ? t.__(
                  'Tracking upstream · last synced %1',
                  shortSha(s.trackingRef)
                )
              : t.__('Tracking upstream')
          }
        >
          {t.__('Tracking')}
        </span>
      )}
      {s.updateAvailable === true && (
        <span
          className="jp-skills-badge jp-skills-badge-update"
          title={t.__('A newer upstream version is available: Sync to get it')}
        >
          {t.__('Update available')}
        </span>
      )}
      {s.managed && (
        <span
          className="jp-skills-badge jp-skills-badge-managed"
          title={
            s.managedSource
              ? t.__('Managed by your administrator (%1)', s.managedSource)
              : managedReason(t)
          }
        >
          {t.__('Managed')}
        </span>
      )}
      {s.locallyModified === true && (
        <span
          className="jp-skills-badge jp-skills-badge-modified"
          title={t.__('Changed locally since the last import or sync')}
        >
          {t.__('Modified')}
        </span>
      )}
      {s.orphaned && (
        <span
          className="jp-skills-badge jp-skills-badge-orphaned"
          title={t.__(
            'The upstream folder no longer exists; the local copy is kept'
          )}
        >
          {t.__('Upstream gone')}
        </span>
      )}
      {n > 0 &&
        (props.interactiveProblems ? (
          <button
            type="button"
            tabIndex={-1}
            className="jp-skills-badge jp-skills-badge-problem"
            // named by its text, as in the row's name; the title lists them
            title={s.problems.join('\n')}
            onClick={e => {
              e.stopPropagation();
              showProblems(s, t);
            }}
          >
            ⚠ {problemText}
          </button>
        ) : (
          <span
            className="jp-skills-badge jp-skills-badge-problem"
            title={s.problems.join('\n')}
          >
            ⚠ {problemText}
          </span>
        ))}
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
      // The list is one Tab stop; these are for the mouse (keys: Enter, F2, Delete).
      tabIndex={-1}
      className={`jp-skills-icon-button ${props.className}${
        props.spinning ? ' jp-mod-spinning' : ''
      }`}
      aria-label={props.label}
      title={props.title ?? props.label}
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

export interface ISkillRowProps {
  id: string;
  skill: ISkill;
  busy: boolean;
  active: boolean;
  current: boolean;
  /** A folder listed only for its problem: no actions. */
  invalid: boolean;
  importAllowed: boolean;
  actions: ISkillRowActions;
  onSelect: () => void;
  trans?: TranslationBundle;
}

export function SkillRow(props: ISkillRowProps): JSX.Element {
  const { skill, busy, importAllowed, actions, invalid } = props;
  const t = bundle(props.trans);
  const syncTitle = !importAllowed
    ? t.__(
        'GitHub import is disabled by your administrator, so syncing is unavailable'
      )
    : busy
      ? t.__('Syncing %1…', skill.name)
      : t.__('Sync %1 with upstream', skill.name);
  const managed = managedReason(t);
  const classes = ['jp-skills-row'];
  if (props.active) {
    classes.push('jp-mod-active');
  }
  if (props.current) {
    classes.push('jp-mod-current');
  }
  if (invalid) {
    classes.push('jp-mod-invalid');
  }
  const open = () => (invalid ? showProblems(skill, t) : actions.open(skill));
  // The option is named by its name and badges ("csv-helper Tracking
  // Modified") and described by its description; the action buttons stay
  // out of both. `__` never occurs in a row id (see optionId), so these ids
  // cannot collide with another row's.
  const nameId = `${props.id}__name`;
  const badgesId = `${props.id}__badges`;
  const descriptionId = `${props.id}__description`;
  return (
    <li
      id={props.id}
      role="option"
      aria-selected={props.active}
      aria-current={props.current ? 'true' : undefined}
      className={classes.join(' ')}
      data-scope={skill.scope}
      data-name={skill.name}
      aria-labelledby={`${nameId} ${badgesId}`}
      aria-describedby={skill.description ? descriptionId : undefined}
      onClick={props.onSelect}
      onDoubleClick={open}
    >
      <div className="jp-skills-row-main">
        <span
          id={nameId}
          className="jp-skills-row-name"
          title={invalid ? skill.problems[0] : t.__('Open %1', skill.name)}
          onClick={e => {
            e.stopPropagation();
            props.onSelect();
            open();
          }}
        >
          {skill.name}
        </span>
        <Badges skill={skill} id={badgesId} interactiveProblems trans={t} />
        <div
          id={descriptionId}
          className="jp-skills-row-description"
          title={skill.description}
        >
          {skill.description}
        </div>
      </div>
      {!invalid && (
        <div className="jp-skills-row-actions">
          {skill.tracksUpstream && (
            <IconButton
              label={t.__('Sync %1', skill.name)}
              title={syncTitle}
              icon={syncIcon}
              className="jp-skills-sync"
              disabled={!importAllowed || busy}
              spinning={busy}
              onClick={() => actions.sync(skill)}
            />
          )}
          <IconButton
            label={t.__('Rename %1', skill.name)}
            title={skill.managed ? managed : t.__('Rename %1 (F2)', skill.name)}
            icon={editIcon}
            className="jp-skills-rename"
            disabled={skill.managed || busy}
            onClick={() => actions.rename(skill)}
          />
          <IconButton
            label={t.__('Delete %1', skill.name)}
            title={
              skill.managed ? managed : t.__('Delete %1 (Delete)', skill.name)
            }
            icon={deleteIcon}
            className="jp-skills-delete"
            disabled={skill.managed || busy}
            onClick={() => actions.remove(skill)}
          />
        </div>
      )}
    </li>
  );
}
