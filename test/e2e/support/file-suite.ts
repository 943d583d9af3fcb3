/**
 * The one stack of an end-to-end test file: started before its tests, stopped after them, with
 * the failure diagnostics of `reportFailures`. Returns the getter the tests read it through.
 */
import { afterAll, beforeAll } from 'vitest';
import { reportFailures } from './failure-report.ts';
import { startSuite, type E2eSuite } from './suite.ts';

export function useE2eSuite(): () => E2eSuite {
  let suite: E2eSuite | undefined;
  beforeAll(async () => {
    suite = await startSuite();
  });
  reportFailures(() => suite);
  afterAll(async () => {
    await suite?.stop();
  });
  return () => {
    if (suite === undefined) throw new Error('the e2e suite has not started');
    return suite;
  };
}
