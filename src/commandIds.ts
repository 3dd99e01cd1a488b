export namespace CommandIDs {
  export const importSkill = 'notebook-skills:import';
  export const syncAll = 'notebook-skills:sync-all';
  export const refresh = 'notebook-skills:refresh';
  export const create = 'notebook-skills:new';
  export const open = 'notebook-skills:open';
  export const openFile = 'notebook-skills:open-file';
  export const sync = 'notebook-skills:sync';
  export const rename = 'notebook-skills:rename';
  export const remove = 'notebook-skills:delete';
}
