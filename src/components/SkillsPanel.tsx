import { ReactWidget } from '@jupyterlab/apputils';
import {
  CommandToolbarButton,
  Toolbar,
  UseSignal,
  caretDownIcon,
  caretRightIcon
} from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Panel } from '@lumino/widgets';
import * as React from 'react';

import { ISkill, Scope } from '../api';
import { CommandIDs } from '../commandIds';
import { skillsIcon } from '../icons';
import { SkillsModel, isInvalidFolder, skillKey } from '../model';
import { SCOPES } from '../types';
import { ISkillRowActions, SkillRow } from './SkillRow';

export interface IPanelActions extends ISkillRowActions {
  importSkill(): void;
  create(scope: Scope): void;
}

const SCOPE_LABELS: Record<Scope, string> = {
  user: 'User',
  project: 'Project'
};

/** DOM id of a row (aria-activedescendant); any folder name is made safe. */
function optionId(s: { scope: Scope; name: string }): string {
  return `jp-skills-option-${s.scope}-${s.name.replace(/[^a-z0-9-]/gi, c => `_${c.charCodeAt(0)}`)}`;
}

function EmptyState(props: {
  model: SkillsModel;
  actions: IPanelActions;
}): JSX.Element {
  const { model, actions } = props;
  return (
    <div className="jp-skills-empty-state">
      <p className="jp-skills-empty-title">No skills yet</p>
      <p>
        Skills are folders with a SKILL.md. User skills live in{' '}
        <code>{model.scopes.user || '~/.claude/skills'}</code>, project skills
        in <code>{model.scopes.project || '.claude/skills'}</code>.
      </p>
      <div className="jp-skills-empty-actions">
        {model.importAllowed && (
          <button
            type="button"
            className="jp-mod-styled jp-mod-accept jp-skills-empty-import"
            onClick={actions.importSkill}
          >
            Import from GitHub
          </button>
        )}
        <button
          type="button"
          className="jp-mod-styled jp-skills-empty-new"
          onClick={() => actions.create('user')}
        >
          New skill
        </button>
      </div>
    </div>
  );
}

/**
 * The skills list with the file browser's keyboard model: one Tab stop,
 * ↑/↓/Home/End move, Enter opens, F2 renames, Delete deletes, ←/→ collapse
 * and expand the active row's section.
 */
export function SkillsList(props: {
  model: SkillsModel;
  actions: IPanelActions;
}): JSX.Element {
  const { model, actions } = props;
  const [activeKey, setActiveKey] = React.useState<string | null>(null);
  const listRef = React.useRef<HTMLDivElement>(null);

  const sections = SCOPES.map(scope => ({
    scope,
    all: model.inScope(scope),
    rows: model.visibleInScope(scope),
    collapsed: model.isCollapsed(scope)
  }));
  const flat: ISkill[] = ([] as ISkill[]).concat(
    ...sections.map(s => (s.collapsed ? [] : s.rows))
  );
  const active =
    flat.find(s => skillKey(s) === activeKey) ??
    flat.find(s => skillKey(s) === model.current) ??
    null;

  React.useEffect(() => {
    if (active) {
      const row = document.getElementById(optionId(active));
      // (jsdom has no scrollIntoView)
      row?.scrollIntoView?.({ block: 'nearest' });
    }
  }, [active ? skillKey(active) : null]);

  const move = (to: number) => {
    if (!flat.length) {
      return;
    }
    const i = Math.max(0, Math.min(flat.length - 1, to));
    setActiveKey(skillKey(flat[i]));
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const index = active ? flat.indexOf(active) : -1;
    const editable = active && !active.managed && !isInvalidFolder(active);
    switch (e.key) {
      case 'ArrowDown':
        move(index + 1);
        break;
      case 'ArrowUp':
        move(index < 0 ? flat.length - 1 : index - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(flat.length - 1);
        break;
      case 'Enter':
        if (!active) {
          return;
        }
        if (isInvalidFolder(active)) {
          listRef.current
            ?.querySelector<HTMLButtonElement>(
              `#${optionId(active)} .jp-skills-badge-problem`
            )
            ?.click();
        } else {
          actions.open(active);
        }
        break;
      case 'F2':
        if (!editable) {
          return;
        }
        actions.rename(active!);
        break;
      case 'Delete':
        if (!editable) {
          return;
        }
        actions.remove(active!);
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
        if (!active) {
          return;
        }
        if (model.isCollapsed(active.scope) !== (e.key === 'ArrowLeft')) {
          model.toggleCollapsed(active.scope);
        }
        if (e.key === 'ArrowLeft') {
          setActiveKey(null);
        }
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div
      ref={listRef}
      className="jp-skills-sections"
      role="listbox"
      tabIndex={0}
      aria-label="Skills"
      aria-activedescendant={active ? optionId(active) : undefined}
      onKeyDown={onKeyDown}
      onFocus={() => {
        if (!active && flat.length) {
          setActiveKey(skillKey(flat[0]));
        }
      }}
    >
      {sections.map(({ scope, all, rows, collapsed }) => {
        const headingId = `jp-skills-section-${scope}`;
        const dir = model.scopes[scope];
        const Caret = collapsed ? caretRightIcon : caretDownIcon;
        return (
          <div
            key={scope}
            role="group"
            aria-labelledby={headingId}
            className={`jp-skills-section jp-skills-section-${scope}`}
          >
            <div className="jp-skills-section-title" title={dir}>
              <button
                type="button"
                tabIndex={-1}
                className="jp-skills-section-toggle"
                aria-expanded={!collapsed}
                aria-controls={`${headingId}-rows`}
                onClick={() => model.toggleCollapsed(scope)}
              >
                <Caret.react tag="span" className="jp-skills-icon" />
                <span id={headingId}>{SCOPE_LABELS[scope]}</span>
              </button>
              <span
                className="jp-skills-count"
                aria-label={`${all.length} skills`}
              >
                {rows.length === all.length
                  ? all.length
                  : `${rows.length}/${all.length}`}
              </span>
            </div>
            {!collapsed && (
              <ul
                id={`${headingId}-rows`}
                role="presentation"
                className="jp-skills-list"
              >
                {rows.length === 0 && (
                  <li role="presentation" className="jp-skills-empty">
                    {model.filter.trim()
                      ? `No ${scope} skills match “${model.filter.trim()}”.`
                      : `No ${scope} skills yet.`}
                    {!model.filter.trim() && dir ? (
                      <>
                        {' '}
                        Folder: <code>{dir}</code>
                      </>
                    ) : null}
                  </li>
                )}
                {rows.map(s => (
                  <SkillRow
                    key={s.name}
                    id={optionId(s)}
                    skill={s}
                    busy={model.isBusy(s)}
                    active={!!active && skillKey(active) === skillKey(s)}
                    current={model.current === skillKey(s)}
                    invalid={isInvalidFolder(s)}
                    importAllowed={model.importAllowed}
                    actions={actions}
                    onSelect={() => {
                      setActiveKey(skillKey(s));
                      listRef.current?.focus();
                    }}
                  />
                ))}
              </ul>
            )}
          </div>
        );
      })}
    </div>
  );
}

export function SkillsView(props: {
  model: SkillsModel;
  actions: IPanelActions;
}): JSX.Element {
  const { model, actions } = props;
  return (
    <div className="jp-skills-view">
      {model.error && (
        <div
          className={`jp-skills-error jp-skills-banner${
            model.extensionMissing ? ' jp-skills-extension-missing' : ''
          }`}
          role="alert"
        >
          {model.extensionMissing ? (
            <>
              The notebook-skills server extension is not enabled. Run{' '}
              <code>jupyter server extension enable notebook_skills</code> and
              restart JupyterLab.
            </>
          ) : (
            model.error
          )}
        </div>
      )}
      {!model.loaded ? (
        <div className="jp-skills-empty" role="status">
          Loading skills…
        </div>
      ) : model.extensionMissing ? null : model.skills.length === 0 ? (
        <EmptyState model={model} actions={actions} />
      ) : (
        <>
          <div className="jp-skills-filter">
            <input
              type="search"
              className="jp-mod-styled jp-skills-filter-input"
              aria-label="Filter skills"
              placeholder="Filter skills"
              value={model.filter}
              onChange={e => (model.filter = e.target.value)}
            />
          </div>
          <SkillsList model={model} actions={actions} />
        </>
      )}
    </div>
  );
}

class SkillsBody extends ReactWidget {
  constructor(
    private readonly _model: SkillsModel,
    private readonly _actions: IPanelActions
  ) {
    super();
    this.addClass('jp-skills-body');
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this._model.changed}>
        {() => <SkillsView model={this._model} actions={this._actions} />}
      </UseSignal>
    );
  }
}

/** The left sidebar panel: JupyterLab's toolbar over the list. */
export class SkillsPanel extends Panel {
  constructor(
    readonly model: SkillsModel,
    actions: IPanelActions,
    commands: CommandRegistry
  ) {
    super();
    this.id = 'notebook-skills-panel';
    this.addClass('jp-skills-panel');
    this.title.icon = skillsIcon;
    this.title.caption = 'Skills';
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Skills');

    const toolbar = new Toolbar();
    toolbar.addClass('jp-skills-toolbar');
    toolbar.node.setAttribute('aria-label', 'Skills actions');
    // Icon buttons: the product's names are their accessible names and
    // tooltips (the command captions), e.g. "Import from GitHub".
    const items: Array<[string, string]> = [
      ['import', CommandIDs.importSkill],
      ['sync-all', CommandIDs.syncAll],
      ['new', CommandIDs.create],
      ['refresh', CommandIDs.refresh]
    ];
    for (const [name, id] of items) {
      if (name === 'new') {
        toolbar.addItem('spacer', Toolbar.createSpacerItem());
      }
      toolbar.addItem(
        name,
        new CommandToolbarButton({ commands, id, label: '' })
      );
    }
    this.addWidget(toolbar);
    this.addWidget(new SkillsBody(model, actions));
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    this.model.setVisible(this.isVisible);
  }

  protected onBeforeDetach(msg: Message): void {
    this.model.setVisible(false);
    super.onBeforeDetach(msg);
  }
}
