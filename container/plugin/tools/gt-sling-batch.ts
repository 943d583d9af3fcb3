/**
 * `gt_sling_batch` (`tools.md` §5, mayor): `POST M/sling-batch` creates a convoy of tasks with
 * dependencies on one rig. The whole batch is valid or nothing is written; a missing ordering or
 * a cycle comes back as the worker's 422.
 */
import { SlingBatch } from '../../../src/protocol/api.ts';
import { defineTool } from '../define-tool.ts';

export const gtSlingBatch = defineTool({
  id: 'gt_sling_batch',
  description:
    'Create a convoy: several related tasks on one rig, ordered by dependencies (foundations first, API before UI, code before its tests). Every task but the first needs depends_on unless parallel is true. Use staged: true for a plan of more than 5 tasks whose split is not obvious, show it to the user, then gt_convoy_start.',
  args: SlingBatch,
  describe: {
    rig_id: 'The rig (repository) to work on: an id from gt_list_rigs.',
    title: 'The convoy title: the overall goal (1–200 chars).',
    tasks: '1–50 tasks, each {title, body?, priority?, labels?, depends_on?}: depends_on lists the indexes (0-based) of tasks in this array that must land first.',
    merge_mode: 'review-then-land: members merge into a feature branch that lands once (coupled work); review-and-merge: each member merges on its own (independent pieces).',
    staged: 'true: create the convoy without starting it (start it with gt_convoy_start after the user agrees).',
    parallel: 'true only when the tasks are truly independent: allows two or more tasks without any depends_on (default false).',
    metadata: 'Free-form JSON object stored with the convoy (at most 16 KB).',
  },
  execute: (args, { api, signal }) => api.call('POST', api.mayorPath('/sling-batch'), args, { signal }),
});
