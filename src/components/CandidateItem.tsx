import * as React from 'react';

import { ICandidate } from '../api';
import { ImportFormModel } from '../importModel';

/** One skill of a preview: its checkbox, name, path, description and files. */
export function CandidateItem(props: {
  model: ImportFormModel;
  candidate: ICandidate;
  multi: boolean;
}): JSX.Element {
  const { model, candidate: c, multi } = props;
  const trans = model.trans;
  const checked = model.isChecked(c);
  const exists = c.exists[model.scope];
  return (
    <li
      className={
        checked ? 'jp-skills-candidate jp-mod-selected' : 'jp-skills-candidate'
      }
      data-skill={c.name}
    >
      <label className="jp-skills-candidate-head">
        {multi && (
          <input
            type="checkbox"
            className="jp-skills-candidate-check"
            aria-label={trans.__('Import %1', c.name)}
            checked={checked}
            onChange={e => model.setChecked(c, e.target.checked)}
          />
        )}
        <span className="jp-skills-candidate-name">{c.name}</span>
        {c.path && <span className="jp-skills-candidate-path">{c.path}</span>}
        {exists && (
          <span className="jp-skills-badge jp-skills-badge-exists">
            {trans.__('Installed')}
          </span>
        )}
      </label>
      <div className="jp-skills-candidate-description">
        {c.description || <em>{trans.__('No description')}</em>}
      </div>
      {(checked || !multi) && (
        <ul
          className="jp-skills-candidate-files"
          aria-label={trans.__('Files of %1', c.name)}
        >
          {c.files.map(f => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {c.problems.map(p => (
        <div key={p} className="jp-skills-warning">
          {p}
        </div>
      ))}
    </li>
  );
}
