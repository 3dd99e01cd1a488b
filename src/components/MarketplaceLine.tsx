import * as React from 'react';

import { IMarketplaceRef } from '../api';
import { TranslationBundle, bundle, translateWithNodes } from '../trans';
import { parseSkillUrl, safeHttpsUrl } from '../validate';

/** owner/repo[/folder] of a marketplace.json URL, or the URL itself. */
export function marketplaceLabel(url: string): string {
  const parsed = parseSkillUrl(url);
  return parsed
    ? [parsed.owner, parsed.repo, parsed.path].filter(p => p).join('/')
    : url;
}

/**
 * "from marketplace X, plugin Y" for a skill that follows a plugin's pin;
 * X links to marketplace.json only when that URL is https.
 */
export function MarketplaceLine(props: {
  marketplace: IMarketplaceRef;
  trans?: TranslationBundle;
}): JSX.Element {
  const { marketplace } = props;
  const trans = bundle(props.trans);
  const href = safeHttpsUrl(marketplace.url);
  const label = marketplaceLabel(marketplace.url);
  const where = href ? (
    <a
      className="jp-skills-source-link"
      href={href}
      target="_blank"
      rel="noopener noreferrer"
      title={marketplace.url}
    >
      {label}
    </a>
  ) : (
    <span className="jp-skills-source-text">{label}</span>
  );
  return (
    <p className="jp-skills-hint jp-skills-detail-marketplace">
      {translateWithNodes(
        trans,
        'from marketplace %1, plugin %2',
        where,
        <span className="jp-skills-detail-plugin">{marketplace.plugin}</span>
      )}
    </p>
  );
}
