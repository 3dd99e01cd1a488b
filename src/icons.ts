import { LabIcon } from '@jupyterlab/ui-components';

import skillsSvg from '../style/icons/skills.svg';
import syncSvg from '../style/icons/sync.svg';

export const skillsIcon = new LabIcon({
  name: 'notebook-skills:skills',
  svgstr: skillsSvg
});

export const syncIcon = new LabIcon({
  name: 'notebook-skills:sync',
  svgstr: syncSvg
});
