/**
 * The skills list of the panel: the User and Project sections with their
 * rows, driven like JupyterLab's file browser.
 */
import { caretDownIcon, caretRightIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

import { ISkill, Scope } from '../api';
import { SkillsModel, isInvalidFolder, skillKey } from '../model';
import { scopeName } from '../scopeLabels';
import { TranslationBundle, bundle, translateWithNodes } from '../trans';
import { SCOPES } from '../types';
import { ISkillRowActions, SkillRow } from './SkillRow';

export interface IPanelActions extends ISkillRowActions {
  importSkill(): void;
  create(scope: Scope): void;
}

/**
 * DOM id of a row (aria-activedescendant); any folder name is made safe:
 * other characters become `_<code>`, so `__` never occurs (SkillRow's part
 * ids rely on it).
 */
function optionId(s: { scope: Scope; name: string }): string {
  return `jp-skills-option-${s.scope}-${s.name.replace(/[^a-z0-9-]/gi, c => `_${c.charCodeAt(0)}`)}`;
}

/**
 * The skills list with the file browser's keyboard model: one Tab stop,
 * ↑/↓/Home/End move, Enter opens, F2 renames, Delete deletes, ←/→ collapse
 * and expand the active row's section.
 */
export function SkillsList(props: {
  model: SkillsModel;
  actions: IPanelActions;
  trans?: TranslationBundle;
}): JSX.Element {
  const { model, actions } = props;
  const t = bundle(props.trans);
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

  const activeId = active ? optionId(active) : null;
  React.useEffect(() => {
    if (activeId) {
      // (jsdom has no scrollIntoView)
      document.getElementById(activeId)?.scrollIntoView?.({ block: 'nearest' });
    }
  }, [activeId]);

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
      aria-label={t.__('Skills')}
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
                <span id={headingId}>{scopeName(scope, t)}</span>
              </button>
              <span
                className="jp-skills-count"
                aria-label={t._n('%1 skill', '%1 skills', all.length)}
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
                      ? scope === 'project'
                        ? t.__(
                            'No project skills match “%1”.',
                            model.filter.trim()
                          )
                        : t.__(
                            'No user skills match “%1”.',
                            model.filter.trim()
                          )
                      : scope === 'project'
                        ? t.__('No project skills yet.')
                        : t.__('No user skills yet.')}
                    {!model.filter.trim() && dir ? (
                      <>
                        {' '}
                        {translateWithNodes(
                          t,
                          'Folder: %1',
                          <code>{dir}</code>
                        )}
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
                    trans={t}
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
